// RUN: anvil-opt %s --split-input-file --anvil-recognize-activations --anvil-eliminate-dead-code | FileCheck %s

// x * sigmoid(x), in either operand order, is SiLU.
// CHECK-LABEL: func.func @silu
//       CHECK:   %[[A:.+]] = anvil.unary silu %arg0 : tensor<1x8xf32>
//       CHECK:   %[[B:.+]] = anvil.unary silu %arg0 : tensor<1x8xf32>
//   CHECK-NOT:   sigmoid
//       CHECK:   return %[[A]], %[[B]]
func.func @silu(%x: tensor<1x8xf32>) -> (tensor<1x8xf32>, tensor<1x8xf32>) {
  %s = anvil.unary sigmoid %x : tensor<1x8xf32>
  %y = anvil.binary mul %x, %s : (tensor<1x8xf32>, tensor<1x8xf32>) -> tensor<1x8xf32>
  %s2 = anvil.unary sigmoid %x : tensor<1x8xf32>
  %z = anvil.binary mul %s2, %x : (tensor<1x8xf32>, tensor<1x8xf32>) -> tensor<1x8xf32>
  return %y, %z : tensor<1x8xf32>, tensor<1x8xf32>
}

// -----

// Not SiLU: the sigmoid has a second user; the multiplication is by another
// value.
// CHECK-LABEL: func.func @not_silu
//   CHECK-NOT:   silu
func.func @not_silu(%x: tensor<1x8xf32>, %w: tensor<1x8xf32>) -> (tensor<1x8xf32>, tensor<1x8xf32>, tensor<1x8xf32>) {
  %s = anvil.unary sigmoid %x : tensor<1x8xf32>
  %y = anvil.binary mul %x, %s : (tensor<1x8xf32>, tensor<1x8xf32>) -> tensor<1x8xf32>
  %s2 = anvil.unary sigmoid %x : tensor<1x8xf32>
  %z = anvil.binary mul %w, %s2 : (tensor<1x8xf32>, tensor<1x8xf32>) -> tensor<1x8xf32>
  return %y, %s, %z : tensor<1x8xf32>, tensor<1x8xf32>, tensor<1x8xf32>
}

// -----

// PyTorch's GELU export: Div(x, sqrt 2), Erf, Add 1, Mul x, Mul 0.5; also
// x * 0.7071 and the 0.5 applied to x first.
// CHECK-LABEL: func.func @gelu
//       CHECK:   %[[A:.+]] = anvil.unary gelu_erf %arg0 : tensor<2x4xf32>
//       CHECK:   %[[B:.+]] = anvil.unary gelu_erf %arg0 : tensor<2x4xf32>
//   CHECK-NOT:   anvil.unary erf
//       CHECK:   return %[[A]], %[[B]]
func.func @gelu(%x: tensor<2x4xf32>) -> (tensor<2x4xf32>, tensor<2x4xf32>) {
  %sqrt2 = anvil.constant dense<1.41421354> : tensor<f32>
  %one = anvil.constant dense<1.0> : tensor<f32>
  %half = anvil.constant dense<0.5> : tensor<f32>
  %inv = anvil.constant dense<0.707106769> : tensor<1xf32>
  %d = anvil.binary div %x, %sqrt2 : (tensor<2x4xf32>, tensor<f32>) -> tensor<2x4xf32>
  %e = anvil.unary erf %d : tensor<2x4xf32>
  %a = anvil.binary add %e, %one : (tensor<2x4xf32>, tensor<f32>) -> tensor<2x4xf32>
  %m = anvil.binary mul %x, %a : (tensor<2x4xf32>, tensor<2x4xf32>) -> tensor<2x4xf32>
  %y = anvil.binary mul %m, %half : (tensor<2x4xf32>, tensor<f32>) -> tensor<2x4xf32>
  %d2 = anvil.binary mul %inv, %x : (tensor<1xf32>, tensor<2x4xf32>) -> tensor<2x4xf32>
  %e2 = anvil.unary erf %d2 : tensor<2x4xf32>
  %a2 = anvil.binary add %one, %e2 : (tensor<f32>, tensor<2x4xf32>) -> tensor<2x4xf32>
  %h = anvil.binary mul %x, %half : (tensor<2x4xf32>, tensor<f32>) -> tensor<2x4xf32>
  %z = anvil.binary mul %h, %a2 : (tensor<2x4xf32>, tensor<2x4xf32>) -> tensor<2x4xf32>
  return %y, %z : tensor<2x4xf32>, tensor<2x4xf32>
}

// -----

// Not GELU: divided by 2 instead of sqrt 2; plus 2 instead of 1.
// CHECK-LABEL: func.func @not_gelu
//   CHECK-NOT:   gelu_erf
func.func @not_gelu(%x: tensor<2x4xf32>) -> (tensor<2x4xf32>, tensor<2x4xf32>) {
  %two = anvil.constant dense<2.0> : tensor<f32>
  %sqrt2 = anvil.constant dense<1.41421354> : tensor<f32>
  %one = anvil.constant dense<1.0> : tensor<f32>
  %half = anvil.constant dense<0.5> : tensor<f32>
  %d = anvil.binary div %x, %two : (tensor<2x4xf32>, tensor<f32>) -> tensor<2x4xf32>
  %e = anvil.unary erf %d : tensor<2x4xf32>
  %a = anvil.binary add %e, %one : (tensor<2x4xf32>, tensor<f32>) -> tensor<2x4xf32>
  %m = anvil.binary mul %x, %a : (tensor<2x4xf32>, tensor<2x4xf32>) -> tensor<2x4xf32>
  %y = anvil.binary mul %m, %half : (tensor<2x4xf32>, tensor<f32>) -> tensor<2x4xf32>
  %d2 = anvil.binary div %x, %sqrt2 : (tensor<2x4xf32>, tensor<f32>) -> tensor<2x4xf32>
  %e2 = anvil.unary erf %d2 : tensor<2x4xf32>
  %a2 = anvil.binary add %e2, %two : (tensor<2x4xf32>, tensor<f32>) -> tensor<2x4xf32>
  %m2 = anvil.binary mul %x, %a2 : (tensor<2x4xf32>, tensor<2x4xf32>) -> tensor<2x4xf32>
  %z = anvil.binary mul %m2, %half : (tensor<2x4xf32>, tensor<f32>) -> tensor<2x4xf32>
  return %y, %z : tensor<2x4xf32>, tensor<2x4xf32>
}

// -----

// conv -> SiLU fuses once recognized (the chain read the conv result twice).
// CHECK-LABEL: func.func @conv_silu
//       CHECK:   anvil.unary silu
func.func @conv_silu(%x: tensor<1x2x4x4xf32>, %w: tensor<3x2x1x1xf32>) -> tensor<1x3x4x4xf32> {
  %c = anvil.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64} : (tensor<1x2x4x4xf32>, tensor<3x2x1x1xf32>) -> tensor<1x3x4x4xf32>
  %s = anvil.unary sigmoid %c : tensor<1x3x4x4xf32>
  %y = anvil.binary mul %c, %s : (tensor<1x3x4x4xf32>, tensor<1x3x4x4xf32>) -> tensor<1x3x4x4xf32>
  return %y : tensor<1x3x4x4xf32>
}
