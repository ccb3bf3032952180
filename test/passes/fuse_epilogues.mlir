// RUN: anvil-opt %s --split-input-file --anvil-fuse-epilogues | FileCheck %s
// RUN: anvil-opt %s --split-input-file --anvil-fuse-epilogues --mlir-print-debuginfo | FileCheck %s --check-prefix=LOC

// conv2d -> relu: one conv2d with a relu post-op, carrying both locations.
// CHECK-LABEL: func.func @conv_relu
//       CHECK:   %[[C:.+]] = anvil.conv2d %arg0, %{{.+}}, %{{.+}} {{{.*}}post_ops = [#anvil.post<relu>]{{.*}}}
//   CHECK-NOT:   anvil.unary
//       CHECK:   return %[[C]]
// LOC-LABEL: func.func @conv_relu
//       LOC:   anvil.conv2d {{.+}} loc(#[[FUSED:loc[0-9]*]])
//       LOC:   #[[FUSED]] = loc(fused[#{{loc[0-9]*}}, #{{loc[0-9]*}}])
func.func @conv_relu(%x: tensor<1x2x4x4xf32>, %w: tensor<3x2x1x1xf32>, %b: tensor<3xf32>) -> tensor<1x3x4x4xf32> {
  %c = anvil.conv2d %x, %w, %b {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64} : (tensor<1x2x4x4xf32>, tensor<3x2x1x1xf32>, tensor<3xf32>) -> tensor<1x3x4x4xf32> loc("conv")
  %y = anvil.unary relu %c : tensor<1x3x4x4xf32> loc("relu")
  return %y : tensor<1x3x4x4xf32>
}

// -----

// The ResNet block tail: relu(conv(x) + residual), the residual on the left
// (add is commutative); clip keeps its bounds.
// CHECK-LABEL: func.func @residual_add_relu
//       CHECK:   %[[C:.+]] = anvil.conv2d %arg0, %arg1 post(%arg2) {{{.*}}post_ops = [#anvil.post<add, 0>, #anvil.post<clip, 0.000000e+00, 6.000000e+00>]{{.*}}}
//  CHECK-NEXT:   return %[[C]]
func.func @residual_add_relu(%x: tensor<1x2x4x4xf32>, %w: tensor<3x2x1x1xf32>, %r: tensor<1x3x4x4xf32>) -> tensor<1x3x4x4xf32> {
  %c = anvil.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64} : (tensor<1x2x4x4xf32>, tensor<3x2x1x1xf32>) -> tensor<1x3x4x4xf32>
  %s = anvil.binary add %r, %c : (tensor<1x3x4x4xf32>, tensor<1x3x4x4xf32>) -> tensor<1x3x4x4xf32>
  %y = anvil.unary clip %s {alpha = 0.0 : f32, beta = 6.0 : f32} : tensor<1x3x4x4xf32>
  return %y : tensor<1x3x4x4xf32>
}

// -----

// The residual is computed after the conv: the fused conv moves below it.
// CHECK-LABEL: func.func @operand_defined_later
//       CHECK:   %[[R:.+]] = anvil.unary sigmoid %arg2
//       CHECK:   %[[C:.+]] = anvil.conv2d %arg0, %arg1 post(%[[R]]) {{{.*}}post_ops = [#anvil.post<sub, 0>]{{.*}}}
//  CHECK-NEXT:   return %[[C]]
func.func @operand_defined_later(%x: tensor<1x2x4x4xf32>, %w: tensor<3x2x1x1xf32>, %z: tensor<1x3x4x4xf32>) -> tensor<1x3x4x4xf32> {
  %c = anvil.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64} : (tensor<1x2x4x4xf32>, tensor<3x2x1x1xf32>) -> tensor<1x3x4x4xf32>
  %r = anvil.unary sigmoid %z : tensor<1x3x4x4xf32>
  %y = anvil.binary sub %c, %r : (tensor<1x3x4x4xf32>, tensor<1x3x4x4xf32>) -> tensor<1x3x4x4xf32>
  return %y : tensor<1x3x4x4xf32>
}

// -----

// Squeeze-and-excitation: a per-channel [1, C, 1, 1] multiply fuses; a
// per-image-row [1, 1, H, 1] operand does not (no kernel reads it), and
// the chain stops there.
// CHECK-LABEL: func.func @per_channel_and_unsupported
//       CHECK:   %[[C:.+]] = anvil.conv2d %arg0, %arg1 post(%arg2) {{{.*}}post_ops = [#anvil.post<mul, 0>]{{.*}}}
//       CHECK:   %[[Y:.+]] = anvil.binary add %[[C]], %arg3
//       CHECK:   return %[[Y]]
func.func @per_channel_and_unsupported(%x: tensor<1x2x4x4xf32>, %w: tensor<3x2x1x1xf32>, %se: tensor<1x3x1x1xf32>, %rows: tensor<1x1x4x1xf32>) -> tensor<1x3x4x4xf32> {
  %c = anvil.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64} : (tensor<1x2x4x4xf32>, tensor<3x2x1x1xf32>) -> tensor<1x3x4x4xf32>
  %m = anvil.binary mul %c, %se : (tensor<1x3x4x4xf32>, tensor<1x3x1x1xf32>) -> tensor<1x3x4x4xf32>
  %y = anvil.binary add %m, %rows : (tensor<1x3x4x4xf32>, tensor<1x1x4x1xf32>) -> tensor<1x3x4x4xf32>
  return %y : tensor<1x3x4x4xf32>
}

// -----

// Not fused: a conv result with a second user, a binary op that would
// broadcast the conv result itself, a subtraction with the conv on the
// right.
// CHECK-LABEL: func.func @must_not_fuse
//   CHECK-NOT:   post_ops
//       CHECK:   anvil.unary relu
//       CHECK:   anvil.binary add
//       CHECK:   anvil.binary sub
//   CHECK-NOT:   post_ops
func.func @must_not_fuse(%x: tensor<1x2x4x4xf32>, %w: tensor<3x2x1x1xf32>, %big: tensor<2x3x4x4xf32>, %r: tensor<1x3x4x4xf32>) -> (tensor<1x3x4x4xf32>, tensor<1x3x4x4xf32>, tensor<2x3x4x4xf32>, tensor<1x3x4x4xf32>) {
  %c = anvil.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64} : (tensor<1x2x4x4xf32>, tensor<3x2x1x1xf32>) -> tensor<1x3x4x4xf32>
  %a = anvil.unary relu %c : tensor<1x3x4x4xf32>
  %c2 = anvil.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64} : (tensor<1x2x4x4xf32>, tensor<3x2x1x1xf32>) -> tensor<1x3x4x4xf32>
  %b = anvil.binary add %c2, %big : (tensor<1x3x4x4xf32>, tensor<2x3x4x4xf32>) -> tensor<2x3x4x4xf32>
  %c3 = anvil.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64} : (tensor<1x2x4x4xf32>, tensor<3x2x1x1xf32>) -> tensor<1x3x4x4xf32>
  %d = anvil.binary sub %r, %c3 : (tensor<1x3x4x4xf32>, tensor<1x3x4x4xf32>) -> tensor<1x3x4x4xf32>
  return %a, %c, %b, %d : tensor<1x3x4x4xf32>, tensor<1x3x4x4xf32>, tensor<2x3x4x4xf32>, tensor<1x3x4x4xf32>
}

// -----

// matmul (Gemm): a per-column [N] add, a per-row [M, 1] multiply, tanh.
// CHECK-LABEL: func.func @matmul_chain
//       CHECK:   %[[M:.+]] = anvil.matmul %arg0, %arg1 post(%arg2, %arg3) {{{.*}}post_ops = [#anvil.post<add, 0>, #anvil.post<mul, 1>, #anvil.post<tanh>]{{.*}}}
//  CHECK-NEXT:   return %[[M]]
func.func @matmul_chain(%a: tensor<4x8xf32>, %b: tensor<8x5xf32>, %col: tensor<5xf32>, %row: tensor<4x1xf32>) -> tensor<4x5xf32> {
  %m = anvil.matmul %a, %b : (tensor<4x8xf32>, tensor<8x5xf32>) -> tensor<4x5xf32>
  %s = anvil.binary add %m, %col : (tensor<4x5xf32>, tensor<5xf32>) -> tensor<4x5xf32>
  %p = anvil.binary mul %row, %s : (tensor<4x1xf32>, tensor<4x5xf32>) -> tensor<4x5xf32>
  %y = anvil.unary tanh %p : tensor<4x5xf32>
  return %y : tensor<4x5xf32>
}

// -----

// At most 8 post-ops: the ninth relu stays.
// CHECK-LABEL: func.func @at_most_eight
//       CHECK:   %[[C:.+]] = anvil.conv2d {{.*}}post_ops = [#anvil.post<relu>, #anvil.post<relu>, #anvil.post<relu>, #anvil.post<relu>, #anvil.post<relu>, #anvil.post<relu>, #anvil.post<relu>, #anvil.post<relu>]
//       CHECK:   %[[Y:.+]] = anvil.unary relu %[[C]]
//       CHECK:   return %[[Y]]
func.func @at_most_eight(%x: tensor<1x2x4x4xf32>, %w: tensor<3x2x1x1xf32>) -> tensor<1x3x4x4xf32> {
  %c = anvil.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64} : (tensor<1x2x4x4xf32>, tensor<3x2x1x1xf32>) -> tensor<1x3x4x4xf32>
  %r1 = anvil.unary relu %c : tensor<1x3x4x4xf32>
  %r2 = anvil.unary relu %r1 : tensor<1x3x4x4xf32>
  %r3 = anvil.unary relu %r2 : tensor<1x3x4x4xf32>
  %r4 = anvil.unary relu %r3 : tensor<1x3x4x4xf32>
  %r5 = anvil.unary relu %r4 : tensor<1x3x4x4xf32>
  %r6 = anvil.unary relu %r5 : tensor<1x3x4x4xf32>
  %r7 = anvil.unary relu %r6 : tensor<1x3x4x4xf32>
  %r8 = anvil.unary relu %r7 : tensor<1x3x4x4xf32>
  %r9 = anvil.unary relu %r8 : tensor<1x3x4x4xf32>
  return %r9 : tensor<1x3x4x4xf32>
}
