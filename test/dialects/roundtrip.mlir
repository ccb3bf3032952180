// RUN: anvil-opt %s | anvil-opt | FileCheck %s
// RUN: anvil-opt %s --mlir-print-op-generic | anvil-opt | FileCheck %s

// Every anvil op parses, prints, and parses again to the same IR (also
// through the generic form).

// CHECK-LABEL: func.func @constants
//       CHECK:   anvil.constant dense<[1.000000e+00, 2.000000e+00]> : tensor<2xf32>
//       CHECK:   anvil.constant dense<[1, 2]> : tensor<2xi64>
//       CHECK:   anvil.constant dense_resource<w> : tensor<2x2xf32>
func.func @constants() -> (tensor<2xf32>, tensor<2xi64>, tensor<2x2xf32>) {
  %a = anvil.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %b = anvil.constant dense<[1, 2]> : tensor<2xi64>
  %c = anvil.constant dense_resource<w> : tensor<2x2xf32>
  return %a, %b, %c : tensor<2xf32>, tensor<2xi64>, tensor<2x2xf32>
}

// CHECK-LABEL: func.func @compute
//  CHECK-SAME:   (%[[X:.+]]: tensor<1x3x8x8xf32>, %[[W:.+]]: tensor<4x3x3x3xf32>, %[[B:.+]]: tensor<4xf32>, %[[A:.+]]: tensor<2x5x3xf32>, %[[M:.+]]: tensor<7x3xf32>, %[[MB:.+]]: tensor<7xf32>)
//       CHECK:   %[[C:.+]] = anvil.conv2d %[[X]], %[[W]], %[[B]] {dilations = array<i64: 1, 1>, groups = 1 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>) -> tensor<1x4x4x4xf32>
//       CHECK:   anvil.conv2d %[[X]], %{{.+}} {dilations = array<i64: 2, 2>, groups = 3 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x3x8x8xf32>, tensor<3x1x3x3xf32>) -> tensor<1x3x4x4xf32>
//       CHECK:   anvil.matmul %[[A]], %[[M]], %[[MB]] {alpha = 5.000000e-01 : f32, transpose_b = true} : (tensor<2x5x3xf32>, tensor<7x3xf32>, tensor<7xf32>) -> tensor<2x5x7xf32>
//       CHECK:   anvil.matmul %[[A]], %{{.+}} {transpose_a = true} : (tensor<2x5x3xf32>, tensor<5x2xf32>) -> tensor<2x3x2xf32>
//       CHECK:   anvil.batch_norm %[[C]], %[[B]], %[[B]], %[[B]], %[[B]] {epsilon = 9.99999974E-6 : f32} : (tensor<1x4x4x4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<1x4x4x4xf32>
func.func @compute(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>, %b: tensor<4xf32>, %a: tensor<2x5x3xf32>, %m: tensor<7x3xf32>, %mb: tensor<7xf32>) -> (tensor<1x4x4x4xf32>, tensor<1x3x4x4xf32>, tensor<2x5x7xf32>, tensor<2x3x2xf32>) {
  %c = anvil.conv2d %x, %w, %b {strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, groups = 1 : i64} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>) -> tensor<1x4x4x4xf32>
  %dw = anvil.constant dense<1.0> : tensor<3x1x3x3xf32>
  %d = anvil.conv2d %x, %dw {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 2, 2>, groups = 3 : i64} : (tensor<1x3x8x8xf32>, tensor<3x1x3x3xf32>) -> tensor<1x3x4x4xf32>
  %y = anvil.matmul %a, %m, %mb {transpose_b = true, alpha = 0.5 : f32} : (tensor<2x5x3xf32>, tensor<7x3xf32>, tensor<7xf32>) -> tensor<2x5x7xf32>
  %n = anvil.constant dense<1.0> : tensor<5x2xf32>
  %z = anvil.matmul %a, %n {transpose_a = true} : (tensor<2x5x3xf32>, tensor<5x2xf32>) -> tensor<2x3x2xf32>
  %bn = anvil.batch_norm %c, %b, %b, %b, %b {epsilon = 1.0e-05 : f32} : (tensor<1x4x4x4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<1x4x4x4xf32>
  return %bn, %d, %y, %z : tensor<1x4x4x4xf32>, tensor<1x3x4x4xf32>, tensor<2x5x7xf32>, tensor<2x3x2xf32>
}

// CHECK-LABEL: func.func @pooling
//       CHECK:   anvil.max_pool %{{.+}} {ceil_mode = true, dilations = array<i64: 1, 1>, kernel_shape = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>} : tensor<1x4x5x5xf32> -> tensor<1x4x3x3xf32>
//       CHECK:   anvil.avg_pool %{{.+}} {count_include_pad = true, kernel_shape = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : tensor<1x4x5x5xf32> -> tensor<1x4x5x5xf32>
//       CHECK:   anvil.global_avg_pool %{{.+}} : tensor<1x4x5x5xf32> -> tensor<1x4x1x1xf32>
//       CHECK:   anvil.global_max_pool %{{.+}} : tensor<1x4x5x5xf32> -> tensor<1x4x1x1xf32>
func.func @pooling(%x: tensor<1x4x5x5xf32>) -> (tensor<1x4x3x3xf32>, tensor<1x4x5x5xf32>, tensor<1x4x1x1xf32>, tensor<1x4x1x1xf32>) {
  %a = anvil.max_pool %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, ceil_mode = true} : tensor<1x4x5x5xf32> -> tensor<1x4x3x3xf32>
  %b = anvil.avg_pool %x {kernel_shape = array<i64: 3, 3>, strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, count_include_pad = true} : tensor<1x4x5x5xf32> -> tensor<1x4x5x5xf32>
  %c = anvil.global_avg_pool %x : tensor<1x4x5x5xf32> -> tensor<1x4x1x1xf32>
  %d = anvil.global_max_pool %x : tensor<1x4x5x5xf32> -> tensor<1x4x1x1xf32>
  return %a, %b, %c, %d : tensor<1x4x3x3xf32>, tensor<1x4x5x5xf32>, tensor<1x4x1x1xf32>, tensor<1x4x1x1xf32>
}

// CHECK-LABEL: func.func @elementwise
//       CHECK:   anvil.unary {{ *}}relu %{{.+}} : tensor<2x3xf32>
//       CHECK:   anvil.unary {{ *}}clip %{{.+}} {beta = 6.000000e+00 : f32} : tensor<2x3xf32>
//       CHECK:   anvil.unary {{ *}}hard_sigmoid %{{.+}} {alpha = 2.000000e-01 : f32, beta = 5.000000e-01 : f32} : tensor<2x3xf32>
//       CHECK:   anvil.binary {{ *}}add %{{.+}}, %{{.+}} : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
//       CHECK:   anvil.binary {{ *}}pow %{{.+}}, %{{.+}} : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
//       CHECK:   anvil.softmax %{{.+}} {axis = 1 : i64} : tensor<2x3xf32>
func.func @elementwise(%x: tensor<2x3xf32>, %y: tensor<3xf32>) -> tensor<2x3xf32> {
  %a = anvil.unary relu %x : tensor<2x3xf32>
  %b = anvil.unary clip %a {alpha = 0.0 : f32, beta = 6.0 : f32} : tensor<2x3xf32>
  %c = anvil.unary hard_sigmoid %b {alpha = 0.2 : f32, beta = 0.5 : f32} : tensor<2x3xf32>
  %d = anvil.binary add %c, %y : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %e = anvil.binary pow %d, %d : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  %f = anvil.softmax %e {axis = 1 : i64} : tensor<2x3xf32>
  return %f : tensor<2x3xf32>
}

// CHECK-LABEL: func.func @data_movement
//       CHECK:   anvil.reshape %{{.+}} : tensor<2x3x4xf32> -> tensor<6x4xf32>
//       CHECK:   anvil.flatten %{{.+}} {axis = 1 : i64} : tensor<2x3x4xf32> -> tensor<2x12xf32>
//       CHECK:   anvil.transpose %{{.+}} {perm = array<i64: 2, 0, 1>} : tensor<2x3x4xf32> -> tensor<4x2x3xf32>
//       CHECK:   anvil.concat %{{.+}}, %{{.+}} {axis = 0 : i64} : (tensor<2x3x4xf32>, tensor<2x3x4xf32>) -> tensor<4x3x4xf32>
//       CHECK:   anvil.pad %{{.+}} {pads = array<i64: 1, 0, 0, 1, 0, 2>, value = 1.000000e+00 : f32} : tensor<2x3x4xf32> -> tensor<4x3x6xf32>
//       CHECK:   anvil.pad %{{.+}} {mode = #anvil<pad_mode reflect>, pads = array<i64: 1, 1, 1, 1, 1, 1>} : tensor<2x3x4xf32> -> tensor<4x5x6xf32>
//       CHECK:   anvil.pad %{{.+}} {mode = #anvil<pad_mode edge>, pads = array<i64: 0, 0, -1, 0, 0, -1>} : tensor<2x3x4xf32> -> tensor<2x3x2xf32>
func.func @data_movement(%x: tensor<2x3x4xf32>) -> (tensor<6x4xf32>, tensor<2x12xf32>, tensor<4x2x3xf32>, tensor<4x3x4xf32>, tensor<4x3x6xf32>, tensor<4x5x6xf32>, tensor<2x3x2xf32>) {
  %a = anvil.reshape %x : tensor<2x3x4xf32> -> tensor<6x4xf32>
  %b = anvil.flatten %x {axis = 1 : i64} : tensor<2x3x4xf32> -> tensor<2x12xf32>
  %c = anvil.transpose %x {perm = array<i64: 2, 0, 1>} : tensor<2x3x4xf32> -> tensor<4x2x3xf32>
  %d = anvil.concat %x, %x {axis = 0 : i64} : (tensor<2x3x4xf32>, tensor<2x3x4xf32>) -> tensor<4x3x4xf32>
  %e = anvil.pad %x {pads = array<i64: 1, 0, 0, 1, 0, 2>, value = 1.0 : f32} : tensor<2x3x4xf32> -> tensor<4x3x6xf32>
  %f = anvil.pad %x {pads = array<i64: 1, 1, 1, 1, 1, 1>, mode = #anvil<pad_mode reflect>} : tensor<2x3x4xf32> -> tensor<4x5x6xf32>
  %g = anvil.pad %x {pads = array<i64: 0, 0, -1, 0, 0, -1>, mode = #anvil<pad_mode edge>} : tensor<2x3x4xf32> -> tensor<2x3x2xf32>
  return %a, %b, %c, %d, %e, %f, %g : tensor<6x4xf32>, tensor<2x12xf32>, tensor<4x2x3xf32>, tensor<4x3x4xf32>, tensor<4x3x6xf32>, tensor<4x5x6xf32>, tensor<2x3x2xf32>
}

{-#
  dialect_resources: {
    builtin: {
      w: "0x040000000000803F0000803F0000803F0000803F"
    }
  }
#-}

// Fused epilogues: post operands and #anvil.post steps (unary with and
// without parameters, binary with an operand index).
// CHECK-LABEL: func.func @post_ops
//       CHECK:   anvil.conv2d %{{.+}}, %{{.+}}, %{{.+}} post(%{{.+}}, %{{.+}}) {dilations = array<i64: 1, 1>, groups = 1 : i64, pads = array<i64: 0, 0, 0, 0>, post_ops = [#anvil.post<add, 0>, #anvil.post<clip, -1.000000e+00, 6.000000e+00>, #anvil.post<mul, 1>, #anvil.post<relu>], strides = array<i64: 1, 1>} : (tensor<1x2x4x4xf32>, tensor<3x2x1x1xf32>, tensor<3xf32>, tensor<1x3x4x4xf32>, tensor<1x3x1x1xf32>) -> tensor<1x3x4x4xf32>
//       CHECK:   anvil.matmul %{{.+}}, %{{.+}} post(%{{.+}}) {post_ops = [#anvil.post<leaky_relu, 1.000000e-01, 0.000000e+00>, #anvil.post<max, 0>]} : (tensor<4x8xf32>, tensor<8x5xf32>, tensor<5xf32>) -> tensor<4x5xf32>
func.func @post_ops(%x: tensor<1x2x4x4xf32>, %w: tensor<3x2x1x1xf32>, %b: tensor<3xf32>, %r: tensor<1x3x4x4xf32>, %se: tensor<1x3x1x1xf32>, %a: tensor<4x8xf32>, %m: tensor<8x5xf32>, %col: tensor<5xf32>) -> (tensor<1x3x4x4xf32>, tensor<4x5xf32>) {
  %c = anvil.conv2d %x, %w, %b post(%r, %se) {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64, post_ops = [#anvil.post<add, 0>, #anvil.post<clip, -1.0, 6.0>, #anvil.post<mul, 1>, #anvil.post<relu>]} : (tensor<1x2x4x4xf32>, tensor<3x2x1x1xf32>, tensor<3xf32>, tensor<1x3x4x4xf32>, tensor<1x3x1x1xf32>) -> tensor<1x3x4x4xf32>
  %y = anvil.matmul %a, %m post(%col) {post_ops = [#anvil.post<leaky_relu, 0.1, 0.0>, #anvil.post<max, 0>]} : (tensor<4x8xf32>, tensor<8x5xf32>, tensor<5xf32>) -> tensor<4x5xf32>
  return %c, %y : tensor<1x3x4x4xf32>, tensor<4x5xf32>
}
