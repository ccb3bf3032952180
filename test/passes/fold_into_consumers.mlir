// RUN: anvil-opt %s --split-input-file --anvil-fold-into-consumers --anvil-eliminate-dead-code | FileCheck %s

// A zero pad of H and W feeding a conv becomes conv padding.
// CHECK-LABEL: func.func @pad_into_conv
//   CHECK-NOT:   anvil.pad
//       CHECK:   anvil.conv2d %arg0, %arg1 {{{.*}}pads = array<i64: 2, 1, 3, 1>{{.*}}} : (tensor<1x2x4x4xf32>, tensor<3x2x3x3xf32>) -> tensor<1x3x7x4xf32>
func.func @pad_into_conv(%x: tensor<1x2x4x4xf32>, %w: tensor<3x2x3x3xf32>) -> tensor<1x3x7x4xf32> {
  %p = anvil.pad %x {pads = array<i64: 0, 0, 1, 0, 0, 0, 2, 0>} : tensor<1x2x4x4xf32> -> tensor<1x2x7x4xf32>
  %c = anvil.conv2d %p, %w {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, groups = 1 : i64} : (tensor<1x2x7x4xf32>, tensor<3x2x3x3xf32>) -> tensor<1x3x7x4xf32>
  return %c : tensor<1x3x7x4xf32>
}

// -----

// Not folded: a pad of channels, a pad with another value, a crop. The pad
// with a second user stays for it while the conv reads its input.
// CHECK-LABEL: func.func @pads_that_stay
//       CHECK:   anvil.pad %arg0 {pads = array<i64: 0, 1, 0, 0, 0, 0, 0, 0>}
//       CHECK:   anvil.pad %arg0 {pads = array<i64: 0, 0, 1, 1, 0, 0, 1, 1>, value = 1.000000e+00 : f32}
//       CHECK:   anvil.pad %arg0 {pads = array<i64: 0, 0, -1, 0, 0, 0, 0, 0>}
//       CHECK:   %[[KEPT:.+]] = anvil.pad %arg0 {pads = array<i64: 0, 0, 1, 1, 0, 0, 1, 1>}
//       CHECK:   anvil.conv2d %arg0, %{{.+}} {{{.*}}pads = array<i64: 1, 1, 1, 1>
//       CHECK:   return {{.*}}%[[KEPT]]
func.func @pads_that_stay(%x: tensor<1x2x4x4xf32>, %w: tensor<3x2x1x1xf32>, %w3: tensor<3x3x1x1xf32>) -> (tensor<1x3x4x4xf32>, tensor<1x3x6x6xf32>, tensor<1x3x3x4xf32>, tensor<1x3x6x6xf32>, tensor<1x2x6x6xf32>) {
  %pc = anvil.pad %x {pads = array<i64: 0, 1, 0, 0, 0, 0, 0, 0>} : tensor<1x2x4x4xf32> -> tensor<1x3x4x4xf32>
  %c1 = anvil.conv2d %pc, %w3 {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64} : (tensor<1x3x4x4xf32>, tensor<3x3x1x1xf32>) -> tensor<1x3x4x4xf32>
  %pv = anvil.pad %x {pads = array<i64: 0, 0, 1, 1, 0, 0, 1, 1>, value = 1.0 : f32} : tensor<1x2x4x4xf32> -> tensor<1x2x6x6xf32>
  %c2 = anvil.conv2d %pv, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64} : (tensor<1x2x6x6xf32>, tensor<3x2x1x1xf32>) -> tensor<1x3x6x6xf32>
  %pn = anvil.pad %x {pads = array<i64: 0, 0, -1, 0, 0, 0, 0, 0>} : tensor<1x2x4x4xf32> -> tensor<1x2x3x4xf32>
  %c3 = anvil.conv2d %pn, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64} : (tensor<1x2x3x4xf32>, tensor<3x2x1x1xf32>) -> tensor<1x3x3x4xf32>
  %pk = anvil.pad %x {pads = array<i64: 0, 0, 1, 1, 0, 0, 1, 1>} : tensor<1x2x4x4xf32> -> tensor<1x2x6x6xf32>
  %c4 = anvil.conv2d %pk, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64} : (tensor<1x2x6x6xf32>, tensor<3x2x1x1xf32>) -> tensor<1x3x6x6xf32>
  return %c1, %c2, %c3, %c4, %pk : tensor<1x3x4x4xf32>, tensor<1x3x6x6xf32>, tensor<1x3x3x4xf32>, tensor<1x3x6x6xf32>, tensor<1x2x6x6xf32>
}

// -----

// avg_pool counts the folded zeros (count_include_pad); one with uncounted
// pads of its own, or in ceil mode, keeps the pad. max_pool takes a -inf
// pad, not a zero one.
// CHECK-LABEL: func.func @pad_into_pools
//       CHECK:   %[[P:.+]] = anvil.pad %arg0 {pads = array<i64: 0, 0, 1, 1, 0, 0, 1, 1>}
//       CHECK:   anvil.avg_pool %arg0 {count_include_pad = true, kernel_shape = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>
//       CHECK:   anvil.avg_pool %[[P]] {kernel_shape = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>
//       CHECK:   anvil.avg_pool %[[P]] {ceil_mode = true
//       CHECK:   anvil.max_pool %arg0 {{{.*}}pads = array<i64: 1, 1, 1, 1>
//       CHECK:   anvil.max_pool %[[P]]
func.func @pad_into_pools(%x: tensor<1x2x4x4xf32>) -> (tensor<1x2x4x4xf32>, tensor<1x2x6x6xf32>, tensor<1x2x3x3xf32>, tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) {
  %p = anvil.pad %x {pads = array<i64: 0, 0, 1, 1, 0, 0, 1, 1>} : tensor<1x2x4x4xf32> -> tensor<1x2x6x6xf32>
  %a1 = anvil.avg_pool %p {kernel_shape = array<i64: 3, 3>, strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : tensor<1x2x6x6xf32> -> tensor<1x2x4x4xf32>
  %a2 = anvil.avg_pool %p {kernel_shape = array<i64: 3, 3>, strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>} : tensor<1x2x6x6xf32> -> tensor<1x2x6x6xf32>
  %a3 = anvil.avg_pool %p {kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, ceil_mode = true} : tensor<1x2x6x6xf32> -> tensor<1x2x3x3xf32>
  %ni = anvil.pad %x {pads = array<i64: 0, 0, 1, 1, 0, 0, 1, 1>, value = 0xFF800000 : f32} : tensor<1x2x4x4xf32> -> tensor<1x2x6x6xf32>
  %m1 = anvil.max_pool %ni {kernel_shape = array<i64: 3, 3>, strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : tensor<1x2x6x6xf32> -> tensor<1x2x4x4xf32>
  %m2 = anvil.max_pool %p {kernel_shape = array<i64: 3, 3>, strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : tensor<1x2x6x6xf32> -> tensor<1x2x4x4xf32>
  return %a1, %a2, %a3, %m1, %m2 : tensor<1x2x4x4xf32>, tensor<1x2x6x6xf32>, tensor<1x2x3x3xf32>, tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>
}

// -----

// A transpose of the last two dims feeding a matmul flips transpose_a /
// transpose_b; one that moves a batch dim does not fold.
// CHECK-LABEL: func.func @transpose_into_matmul
//       CHECK:   anvil.matmul %arg0, %arg1 {transpose_a = true} : (tensor<2x8x4xf32>, tensor<8x5xf32>) -> tensor<2x4x5xf32>
//       CHECK:   anvil.matmul %arg0, %arg2 : (tensor<2x8x4xf32>, tensor<4x5xf32>) -> tensor<2x8x5xf32>
//       CHECK:   %[[T:.+]] = anvil.transpose %arg0 {perm = array<i64: 1, 0, 2>}
//       CHECK:   anvil.matmul %[[T]], %arg3
func.func @transpose_into_matmul(%a: tensor<2x8x4xf32>, %b: tensor<8x5xf32>, %c: tensor<4x5xf32>, %d: tensor<4x3xf32>) -> (tensor<2x4x5xf32>, tensor<2x8x5xf32>, tensor<8x2x3xf32>) {
  %at = anvil.transpose %a {perm = array<i64: 0, 2, 1>} : tensor<2x8x4xf32> -> tensor<2x4x8xf32>
  %y = anvil.matmul %at, %b : (tensor<2x4x8xf32>, tensor<8x5xf32>) -> tensor<2x4x5xf32>
  %ct = anvil.transpose %c {perm = array<i64: 1, 0>} : tensor<4x5xf32> -> tensor<5x4xf32>
  %z = anvil.matmul %a, %ct {transpose_b = true} : (tensor<2x8x4xf32>, tensor<5x4xf32>) -> tensor<2x8x5xf32>
  %bt = anvil.transpose %a {perm = array<i64: 1, 0, 2>} : tensor<2x8x4xf32> -> tensor<8x2x4xf32>
  %w = anvil.matmul %bt, %d : (tensor<8x2x4xf32>, tensor<4x3xf32>) -> tensor<8x2x3xf32>
  return %y, %z, %w : tensor<2x4x5xf32>, tensor<2x8x5xf32>, tensor<8x2x3xf32>
}
