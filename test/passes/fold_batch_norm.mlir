// RUN: anvil-opt %s --split-input-file --anvil-fold-batch-norm | FileCheck %s
// RUN: anvil-opt %s --split-input-file --anvil-fold-batch-norm --mlir-print-debuginfo | FileCheck %s --check-prefix=LOC

// conv2d -> batch_norm with constant parameters becomes one conv2d. With
// s = scale / sqrt(var + eps) = [2, 0.5]: weights [1, 2 | 3, 4] become
// [2, 4 | 1.5, 2] (a resource blob named after the conv), and the bias
// (b - mean) * s + beta = [(1 - 1) * 2 + 0.5, (2 - 4) * 0.5 + 1] = [0.5, 0].
// The old parameters are gone and the new conv carries both locations.
// CHECK-LABEL: func.func @fold_with_bias
//   CHECK-DAG:   %[[W:.+]] = anvil.constant dense_resource<conv1.weight> : tensor<2x2x1x1xf32>
//   CHECK-DAG:   %[[B:.+]] = anvil.constant dense<[5.000000e-01, 0.000000e+00]> : tensor<2xf32>
//       CHECK:   %[[CONV:.+]] = anvil.conv2d %{{.+}}, %[[W]], %[[B]] {dilations = array<i64: 1, 1>, groups = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>}
//   CHECK-NOT:   anvil.batch_norm
//       CHECK:   return %[[CONV]]
//       CHECK:   conv1.weight: "0x0400000000000040000080400000C03F00000040"
//       LOC-LABEL: func.func @fold_with_bias
//       LOC:   anvil.conv2d {{.+}} loc(#[[FUSED:loc[0-9]+]])
//       LOC:   #[[CONVLOC:loc[0-9]+]] = loc("conv1")
//       LOC:   #[[BNLOC:loc[0-9]+]] = loc("bn1")
//       LOC:   #[[FUSED]] = loc(fused[#[[CONVLOC]], #[[BNLOC]]])
func.func @fold_with_bias(%x: tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32> {
  %w = anvil.constant dense<[[[[1.0]], [[2.0]]], [[[3.0]], [[4.0]]]]> : tensor<2x2x1x1xf32>
  %b = anvil.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %scale = anvil.constant dense<[4.0, 1.0]> : tensor<2xf32>
  %beta = anvil.constant dense<[0.5, 1.0]> : tensor<2xf32>
  %mean = anvil.constant dense<[1.0, 4.0]> : tensor<2xf32>
  %var = anvil.constant dense<[3.0, 3.0]> : tensor<2xf32>
  %c = anvil.conv2d %x, %w, %b {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64} : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32> loc("conv1")
  %y = anvil.batch_norm %c, %scale, %beta, %mean, %var {epsilon = 1.0 : f32} : (tensor<1x2x4x4xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32> loc("bn1")
  return %y : tensor<1x2x4x4xf32>
}

// -----

// A conv without bias gets one: beta - mean * s. Depthwise weights
// ([K, 1, R, S]) scale per output channel as well; strides, pads, dilations
// and groups are kept.
// CHECK-LABEL: func.func @fold_depthwise_no_bias
//       CHECK:   %[[B:.+]] = anvil.constant dense<[-1.000000e+00, 1.000000e+00]> : tensor<2xf32>
//       CHECK:   anvil.conv2d %{{.+}}, %{{.+}}, %[[B]] {dilations = array<i64: 2, 2>, groups = 2 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>}
//   CHECK-NOT:   anvil.batch_norm
func.func @fold_depthwise_no_bias(%x: tensor<1x2x8x8xf32>) -> tensor<1x2x3x3xf32> {
  %w = anvil.constant dense<1.0> : tensor<2x1x3x3xf32>
  %scale = anvil.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %beta = anvil.constant dense<[0.0, 3.0]> : tensor<2xf32>
  %mean = anvil.constant dense<[1.0, 1.0]> : tensor<2xf32>
  %var = anvil.constant dense<[1.0, 1.0]> : tensor<2xf32>
  %c = anvil.conv2d %x, %w {strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 2, 2>, groups = 2 : i64} : (tensor<1x2x8x8xf32>, tensor<2x1x3x3xf32>) -> tensor<1x2x3x3xf32>
  %y = anvil.batch_norm %c, %scale, %beta, %mean, %var {epsilon = 0.0 : f32} : (tensor<1x2x3x3xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x3x3xf32>
  return %y : tensor<1x2x3x3xf32>
}

// -----

// Not folded: the conv result has another user, which needs the
// unnormalized values.
// CHECK-LABEL: func.func @conv_has_other_user
//       CHECK:   %[[CONV:.+]] = anvil.conv2d
//       CHECK:   %[[BN:.+]] = anvil.batch_norm %[[CONV]]
//       CHECK:   return %[[BN]], %[[CONV]]
func.func @conv_has_other_user(%x: tensor<1x2x4x4xf32>) -> (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) {
  %w = anvil.constant dense<1.0> : tensor<2x2x1x1xf32>
  %p = anvil.constant dense<1.0> : tensor<2xf32>
  %c = anvil.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64} : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32>
  %y = anvil.batch_norm %c, %p, %p, %p, %p {epsilon = 1.0e-05 : f32} : (tensor<1x2x4x4xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  return %y, %c : tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>
}

// -----

// Not folded: the batch-norm parameters are runtime values.
// CHECK-LABEL: func.func @params_not_constant
//       CHECK:   %[[CONV:.+]] = anvil.conv2d
//       CHECK:   anvil.batch_norm %[[CONV]]
func.func @params_not_constant(%x: tensor<1x2x4x4xf32>, %p: tensor<2xf32>) -> tensor<1x2x4x4xf32> {
  %w = anvil.constant dense<1.0> : tensor<2x2x1x1xf32>
  %c = anvil.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64} : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32>
  %y = anvil.batch_norm %c, %p, %p, %p, %p {epsilon = 1.0e-05 : f32} : (tensor<1x2x4x4xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  return %y : tensor<1x2x4x4xf32>
}

// -----

// Not folded: the conv weight is a runtime value.
// CHECK-LABEL: func.func @weight_not_constant
//       CHECK:   %[[CONV:.+]] = anvil.conv2d
//       CHECK:   anvil.batch_norm %[[CONV]]
func.func @weight_not_constant(%x: tensor<1x2x4x4xf32>, %w: tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32> {
  %p = anvil.constant dense<1.0> : tensor<2xf32>
  %c = anvil.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64} : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32>
  %y = anvil.batch_norm %c, %p, %p, %p, %p {epsilon = 1.0e-05 : f32} : (tensor<1x2x4x4xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  return %y : tensor<1x2x4x4xf32>
}

// -----

// Not folded: the batch_norm input is not a conv.
// CHECK-LABEL: func.func @input_not_conv
//       CHECK:   anvil.batch_norm %{{.+}}
func.func @input_not_conv(%x: tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32> {
  %p = anvil.constant dense<1.0> : tensor<2xf32>
  %y = anvil.batch_norm %x, %p, %p, %p, %p {epsilon = 1.0e-05 : f32} : (tensor<1x2x4x4xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  return %y : tensor<1x2x4x4xf32>
}

// -----

// Parameters stored as resource blobs are read too.
// CHECK-LABEL: func.func @resource_params
//       CHECK:   anvil.conv2d
//   CHECK-NOT:   anvil.batch_norm
func.func @resource_params(%x: tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32> {
  %w = anvil.constant dense_resource<w> : tensor<2x2x1x1xf32>
  %p = anvil.constant dense_resource<p> : tensor<2xf32>
  %c = anvil.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64} : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32>
  %y = anvil.batch_norm %c, %p, %p, %p, %p {epsilon = 1.0e-05 : f32} : (tensor<1x2x4x4xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  return %y : tensor<1x2x4x4xf32>
}

{-#
  dialect_resources: {
    builtin: {
      w: "0x040000000000803F0000803F0000803F0000803F",
      p: "0x040000000000803F0000803F"
    }
  }
#-}
