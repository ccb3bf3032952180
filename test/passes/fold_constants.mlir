// RUN: anvil-opt %s --split-input-file --anvil-fold-constants | FileCheck %s
// RUN: anvil-opt %s --split-input-file --anvil-fold-constants=max-work=4 | FileCheck %s --check-prefix=LIMIT

// A binary op broadcasts its constant operands; the inputs, now unused, are
// erased.
// CHECK-LABEL: func.func @binary_broadcast
//   CHECK-NEXT:   %[[C:.+]] = anvil.constant dense<{{\[}}[1.100000e+01, 2.200000e+01], [1.300000e+01, 2.400000e+01]]> : tensor<2x2xf32>
//   CHECK-NEXT:   return %[[C]]
func.func @binary_broadcast() -> tensor<2x2xf32> {
  %a = anvil.constant dense<[[1.0], [3.0]]> : tensor<2x1xf32>
  %b = anvil.constant dense<[10.0, 21.0]> : tensor<2xf32>
  %c = anvil.binary add %a, %b : (tensor<2x1xf32>, tensor<2xf32>) -> tensor<2x2xf32>
  return %c : tensor<2x2xf32>
}

// -----

// Integer elements: arithmetic wraps at the element width, division
// truncates toward zero.
// CHECK-LABEL: func.func @integer_ops
//   CHECK-DAG:   anvil.constant dense<[-3, 2, 0]> : tensor<3xi64>
//   CHECK-DAG:   anvil.constant dense<[-128, 0, 127]> : tensor<3xi8>
//   CHECK-NOT:   anvil.binary
func.func @integer_ops() -> (tensor<3xi64>, tensor<3xi8>) {
  %a = anvil.constant dense<[-7, 5, 1]> : tensor<3xi64>
  %b = anvil.constant dense<[2, 2, 2]> : tensor<3xi64>
  %d = anvil.binary div %a, %b : (tensor<3xi64>, tensor<3xi64>) -> tensor<3xi64>
  %x = anvil.constant dense<[127, -1, 126]> : tensor<3xi8>
  %y = anvil.constant dense<[1, 1, 1]> : tensor<3xi8>
  %s = anvil.binary add %x, %y : (tensor<3xi8>, tensor<3xi8>) -> tensor<3xi8>
  return %d, %s : tensor<3xi64>, tensor<3xi8>
}

// -----

// Integer division by zero is undefined: not folded.
// CHECK-LABEL: func.func @integer_div_by_zero
//       CHECK:   anvil.binary div
func.func @integer_div_by_zero() -> tensor<2xi32> {
  %a = anvil.constant dense<[4, 5]> : tensor<2xi32>
  %b = anvil.constant dense<[2, 0]> : tensor<2xi32>
  %d = anvil.binary div %a, %b : (tensor<2xi32>, tensor<2xi32>) -> tensor<2xi32>
  return %d : tensor<2xi32>
}

// -----

// Unary functions use their alpha / beta parameters.
// CHECK-LABEL: func.func @unary_kinds
//   CHECK-DAG:   anvil.constant dense<[0.000000e+00, 5.000000e-01, 2.000000e+00]> : tensor<3xf32>
//   CHECK-DAG:   anvil.constant dense<[-2.000000e-01, 5.000000e-01, 3.000000e+00]> : tensor<3xf32>
//   CHECK-DAG:   anvil.constant dense<[-1.000000e-01, 5.000000e-01, 3.000000e+00]> : tensor<3xf32>
//   CHECK-NOT:   anvil.unary
func.func @unary_kinds() -> (tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) {
  %x = anvil.constant dense<[-1.0, 0.5, 3.0]> : tensor<3xf32>
  %r = anvil.unary clip %x {alpha = 0.0 : f32, beta = 2.0 : f32} : tensor<3xf32>
  %l = anvil.unary leaky_relu %x {alpha = 0.2 : f32} : tensor<3xf32>
  %h = anvil.unary leaky_relu %x {alpha = 0.1 : f32} : tensor<3xf32>
  return %r, %l, %h : tensor<3xf32>, tensor<3xf32>, tensor<3xf32>
}

// -----

// Transpose and pad (constant, reflect, edge) of constants.
// CHECK-LABEL: func.func @data_movement
//   CHECK-DAG:   anvil.constant dense<{{\[}}[1, 4], [2, 5], [3, 6]]> : tensor<3x2xi64>
//   CHECK-DAG:   anvil.constant dense<[9.000000e+00, 1.000000e+00, 2.000000e+00, 3.000000e+00, 9.000000e+00, 9.000000e+00]> : tensor<6xf32>
//   CHECK-DAG:   anvil.constant dense<[3.000000e+00, 2.000000e+00, 1.000000e+00, 2.000000e+00, 3.000000e+00, 2.000000e+00]> : tensor<6xf32>
//   CHECK-DAG:   anvil.constant dense<[1.000000e+00, 1.000000e+00, 1.000000e+00, 2.000000e+00, 3.000000e+00, 3.000000e+00]> : tensor<6xf32>
//   CHECK-DAG:   anvil.constant dense<2.000000e+00> : tensor<1xf32>
//   CHECK-NOT:   anvil.transpose
//   CHECK-NOT:   anvil.pad
func.func @data_movement() -> (tensor<3x2xi64>, tensor<6xf32>, tensor<6xf32>, tensor<6xf32>, tensor<1xf32>) {
  %m = anvil.constant dense<[[1, 2, 3], [4, 5, 6]]> : tensor<2x3xi64>
  %t = anvil.transpose %m {perm = array<i64: 1, 0>} : tensor<2x3xi64> -> tensor<3x2xi64>
  %v = anvil.constant dense<[1.0, 2.0, 3.0]> : tensor<3xf32>
  %pc = anvil.pad %v {pads = array<i64: 1, 2>, value = 9.0 : f32} : tensor<3xf32> -> tensor<6xf32>
  %pr = anvil.pad %v {pads = array<i64: 2, 1>, mode = #anvil<pad_mode reflect>} : tensor<3xf32> -> tensor<6xf32>
  %pe = anvil.pad %v {pads = array<i64: 2, 1>, mode = #anvil<pad_mode edge>} : tensor<3xf32> -> tensor<6xf32>
  %crop = anvil.pad %v {pads = array<i64: -1, -1>} : tensor<3xf32> -> tensor<1xf32>
  return %t, %pc, %pr, %pe, %crop : tensor<3x2xi64>, tensor<6xf32>, tensor<6xf32>, tensor<6xf32>, tensor<1xf32>
}

// -----

// Concat and reshape of constants; a reshaped resource blob keeps its blob.
// CHECK-LABEL: func.func @concat_reshape
//   CHECK-DAG:   anvil.constant dense<{{\[}}[1.000000e+00, 2.000000e+00, 5.000000e+00], [3.000000e+00, 4.000000e+00, 6.000000e+00]]> : tensor<2x3xf32>
//   CHECK-DAG:   anvil.constant dense_resource<blob> : tensor<4x5xf32>
//   CHECK-NOT:   anvil.concat
//   CHECK-NOT:   anvil.reshape
func.func @concat_reshape() -> (tensor<2x3xf32>, tensor<4x5xf32>) {
  %a = anvil.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
  %b = anvil.constant dense<[[5.0], [6.0]]> : tensor<2x1xf32>
  %c = anvil.concat %a, %b {axis = 1 : i64} : (tensor<2x2xf32>, tensor<2x1xf32>) -> tensor<2x3xf32>
  %r = anvil.constant dense_resource<blob> : tensor<20xf32>
  %s = anvil.reshape %r : tensor<20xf32> -> tensor<4x5xf32>
  return %c, %s : tensor<2x3xf32>, tensor<4x5xf32>
}

{-#
  dialect_resources: {
    builtin: {
      blob: "0x040000000000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F"
    }
  }
#-}

// -----

// Operands stored as resource blobs are read; a result with more than 16
// elements becomes a resource blob instead of a printed dense<>.
// CHECK-LABEL: func.func @large_result
//       CHECK:   %[[C:.+]] = anvil.constant dense_resource<folded> : tensor<20xf32>
//       CHECK:   return %[[C]]
//       CHECK:   folded: "0x0400000000000040000000400000004000000040
func.func @large_result() -> tensor<20xf32> {
  %r = anvil.constant dense_resource<ones> : tensor<20xf32>
  %s = anvil.binary add %r, %r : (tensor<20xf32>, tensor<20xf32>) -> tensor<20xf32>
  return %s : tensor<20xf32>
}

{-#
  dialect_resources: {
    builtin: {
      ones: "0x040000000000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F"
    }
  }
#-}

// -----

// batch_norm (channels at dim 1) and softmax of constants.
// CHECK-LABEL: func.func @batch_norm_softmax
//   CHECK-DAG:   anvil.constant dense<{{\[}}[1.000000e+00, 7.000000e+00], [5.000000e+00, 1.500000e+01]]> : tensor<2x2xf32>
//   CHECK-DAG:   anvil.constant dense<5.000000e-01> : tensor<2x2xf32>
func.func @batch_norm_softmax() -> (tensor<2x2xf32>, tensor<2x2xf32>) {
  %x = anvil.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
  %s = anvil.constant dense<[2.0, 4.0]> : tensor<2xf32>
  %b = anvil.constant dense<[1.0, 3.0]> : tensor<2xf32>
  %m = anvil.constant dense<[1.0, 1.0]> : tensor<2xf32>
  %v = anvil.constant dense<[0.0, 0.0]> : tensor<2xf32>
  %y = anvil.batch_norm %x, %s, %b, %m, %v {epsilon = 1.0 : f32} : (tensor<2x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<2x2xf32>
  %e = anvil.constant dense<7.0> : tensor<2x2xf32>
  %z = anvil.softmax %e {axis = 1 : i64} : tensor<2x2xf32>
  return %y, %z : tensor<2x2xf32>, tensor<2x2xf32>
}

// -----

// conv2d and matmul of constants are evaluated when cheap enough; with
// max-work=4 neither is (16 and 6 multiply-adds).
// CHECK-LABEL: func.func @conv_matmul
//   CHECK-DAG:   anvil.constant dense<{{\[\[\[}}[5.000000e+00, 6.000000e+00], [8.000000e+00, 9.000000e+00]]]]> : tensor<1x1x2x2xf32>
//   CHECK-DAG:   anvil.constant dense<{{\[}}[1.500000e+01, 3.100000e+01]]> : tensor<1x2xf32>
//   CHECK-NOT:   anvil.conv2d
//   CHECK-NOT:   anvil.matmul
// LIMIT-LABEL: func.func @conv_matmul
//       LIMIT:   anvil.conv2d
//       LIMIT:   anvil.matmul
func.func @conv_matmul() -> (tensor<1x1x2x2xf32>, tensor<1x2xf32>) {
  %x = anvil.constant dense<[[[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0]]]]> : tensor<1x1x3x3xf32>
  %w = anvil.constant dense<[[[[0.0, 0.0], [0.0, 1.0]]]]> : tensor<1x1x2x2xf32>
  %b = anvil.constant dense<[0.0]> : tensor<1xf32>
  %c = anvil.conv2d %x, %w, %b {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64} : (tensor<1x1x3x3xf32>, tensor<1x1x2x2xf32>, tensor<1xf32>) -> tensor<1x1x2x2xf32>
  %a = anvil.constant dense<[[1.0, 2.0, 3.0]]> : tensor<1x3xf32>
  %m = anvil.constant dense<[[1.0, 1.0, 1.0], [2.0, 2.0, 2.0]]> : tensor<2x3xf32>
  %mb = anvil.constant dense<[3.0, 7.0]> : tensor<2xf32>
  %y = anvil.matmul %a, %m, %mb {transpose_b = true, alpha = 2.0 : f32} : (tensor<1x3xf32>, tensor<2x3xf32>, tensor<2xf32>) -> tensor<1x2xf32>
  return %c, %y : tensor<1x1x2x2xf32>, tensor<1x2xf32>
}

// -----

// Pooling of constants: max with padding, average with and without the
// padding counted, global average.
// CHECK-LABEL: func.func @pooling
//   CHECK-DAG:   anvil.constant dense<{{\[\[\[}}[1.000000e+00, 2.000000e+00], [3.000000e+00, 4.000000e+00]]]]> : tensor<1x1x2x2xf32>
//   CHECK-DAG:   anvil.constant dense<{{\[\[\[}}[2.500000e-01, 7.500000e-01], [1.000000e+00, 2.500000e+00]]]]> : tensor<1x1x2x2xf32>
//   CHECK-DAG:   anvil.constant dense<{{\[\[\[}}[1.000000e+00, 1.500000e+00], [2.000000e+00, 2.500000e+00]]]]> : tensor<1x1x2x2xf32>
//   CHECK-DAG:   anvil.constant dense<2.500000e+00> : tensor<1x1x1x1xf32>
//   CHECK-NOT:   _pool
func.func @pooling() -> (tensor<1x1x2x2xf32>, tensor<1x1x2x2xf32>, tensor<1x1x2x2xf32>, tensor<1x1x1x1xf32>) {
  %x = anvil.constant dense<[[[[1.0, 2.0], [3.0, 4.0]]]]> : tensor<1x1x2x2xf32>
  %mx = anvil.max_pool %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 0, 0>, dilations = array<i64: 1, 1>} : tensor<1x1x2x2xf32> -> tensor<1x1x2x2xf32>
  %ai = anvil.avg_pool %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 0, 0>, count_include_pad = true} : tensor<1x1x2x2xf32> -> tensor<1x1x2x2xf32>
  %ae = anvil.avg_pool %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 0, 0>} : tensor<1x1x2x2xf32> -> tensor<1x1x2x2xf32>
  %g = anvil.global_avg_pool %x : tensor<1x1x2x2xf32> -> tensor<1x1x1x1xf32>
  return %mx, %ai, %ae, %g : tensor<1x1x2x2xf32>, tensor<1x1x2x2xf32>, tensor<1x1x2x2xf32>, tensor<1x1x1x1xf32>
}

// -----

// Chains fold completely; ops with a runtime operand stay.
// CHECK-LABEL: func.func @chain_and_runtime
//       CHECK:   %[[C:.+]] = anvil.constant dense<[2.000000e+00, 0.000000e+00]> : tensor<2xf32>
//       CHECK:   %[[R:.+]] = anvil.binary mul %{{.+}}, %[[C]]
//       CHECK:   return %[[R]]
func.func @chain_and_runtime(%x: tensor<2xf32>) -> tensor<2xf32> {
  %a = anvil.constant dense<[1.0, -1.0]> : tensor<2xf32>
  %b = anvil.binary add %a, %a : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  %c = anvil.unary relu %b : tensor<2xf32>
  %d = anvil.binary mul %x, %c : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  return %d : tensor<2xf32>
}
