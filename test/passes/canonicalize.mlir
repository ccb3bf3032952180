// RUN: anvil-opt %s --split-input-file --canonicalize | FileCheck %s

// Unary and binary ops of constants fold (the binary broadcasts).
// CHECK-LABEL: func.func @fold_elementwise
//       CHECK:   %[[C:.+]] = anvil.constant dense<{{\[}}[0.000000e+00, 4.000000e+00], [1.000000e+00, 5.000000e+00]]> : tensor<2x2xf32>
//  CHECK-NEXT:   return %[[C]]
func.func @fold_elementwise() -> tensor<2x2xf32> {
  %a = anvil.constant dense<[[-1.0], [1.0]]> : tensor<2x1xf32>
  %r = anvil.unary relu %a : tensor<2x1xf32>
  %b = anvil.constant dense<[0.0, 4.0]> : tensor<2xf32>
  %s = anvil.binary add %r, %b : (tensor<2x1xf32>, tensor<2xf32>) -> tensor<2x2xf32>
  %two = anvil.constant dense<2.0> : tensor<2x2xf32>
  %m = anvil.binary mul %s, %two : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
  %h = anvil.constant dense<0.5> : tensor<f32>
  %d = anvil.binary mul %m, %h : (tensor<2x2xf32>, tensor<f32>) -> tensor<2x2xf32>
  return %d : tensor<2x2xf32>
}

// -----

// Integer elementwise ops fold too: pow, max, sub, abs on i64.
// CHECK-LABEL: func.func @fold_integer
//       CHECK:   %[[C:.+]] = anvil.constant dense<[1, 12, 12]> : tensor<3xi64>
//  CHECK-NEXT:   return %[[C]]
func.func @fold_integer() -> tensor<3xi64> {
  %a = anvil.constant dense<[1, -3, 4]> : tensor<3xi64>
  %b = anvil.constant dense<2> : tensor<3xi64>
  %p = anvil.binary pow %a, %b : (tensor<3xi64>, tensor<3xi64>) -> tensor<3xi64>
  %m = anvil.binary max %p, %b : (tensor<3xi64>, tensor<3xi64>) -> tensor<3xi64>
  %s = anvil.binary sub %a, %m : (tensor<3xi64>, tensor<3xi64>) -> tensor<3xi64>
  %n = anvil.unary abs %s : tensor<3xi64>
  return %n : tensor<3xi64>
}

// -----

// identity unary folds to its input.
// CHECK-LABEL: func.func @identity_unary
//  CHECK-SAME:   (%[[X:.+]]: tensor<4xf32>)
//  CHECK-NEXT:   return %[[X]]
func.func @identity_unary(%x: tensor<4xf32>) -> tensor<4xf32> {
  %y = anvil.unary identity %x : tensor<4xf32>
  return %y : tensor<4xf32>
}

// -----

// Reshape of a constant is a constant; a resource blob is reshaped without
// copying its data (same blob, new type).
// CHECK-LABEL: func.func @reshape_constant
//   CHECK-DAG:   anvil.constant dense<{{\[}}[1.000000e+00, 2.000000e+00], [3.000000e+00, 4.000000e+00]]> : tensor<2x2xf32>
//   CHECK-DAG:   anvil.constant dense_resource<weights> : tensor<4x5xf32>
//   CHECK-NOT:   anvil.reshape
func.func @reshape_constant() -> (tensor<2x2xf32>, tensor<4x5xf32>) {
  %a = anvil.constant dense<[1.0, 2.0, 3.0, 4.0]> : tensor<4xf32>
  %r = anvil.reshape %a : tensor<4xf32> -> tensor<2x2xf32>
  %w = anvil.constant dense_resource<weights> : tensor<20xf32>
  %s = anvil.reshape %w : tensor<20xf32> -> tensor<4x5xf32>
  return %r, %s : tensor<2x2xf32>, tensor<4x5xf32>
}

{-#
  dialect_resources: {
    builtin: {
      weights: "0x040000000000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F"
    }
  }
#-}

// -----

// reshape(reshape(x)) is one reshape; a reshape to the same type is its
// input.
// CHECK-LABEL: func.func @reshape_chains
//  CHECK-SAME:   (%[[X:.+]]: tensor<2x3xf32>)
//       CHECK:   %[[R:.+]] = anvil.reshape %[[X]] : tensor<2x3xf32> -> tensor<6xf32>
//  CHECK-NEXT:   return %[[R]], %[[X]]
func.func @reshape_chains(%x: tensor<2x3xf32>) -> (tensor<6xf32>, tensor<2x3xf32>) {
  %a = anvil.reshape %x : tensor<2x3xf32> -> tensor<3x2xf32>
  %b = anvil.reshape %a : tensor<3x2xf32> -> tensor<6xf32>
  %c = anvil.reshape %x : tensor<2x3xf32> -> tensor<2x3xf32>
  return %b, %c : tensor<6xf32>, tensor<2x3xf32>
}

// -----

// A round trip through reshapes folds away completely.
// CHECK-LABEL: func.func @reshape_round_trip
//  CHECK-SAME:   (%[[X:.+]]: tensor<2x3xf32>)
//  CHECK-NEXT:   return %[[X]]
func.func @reshape_round_trip(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %a = anvil.reshape %x : tensor<2x3xf32> -> tensor<6xf32>
  %b = anvil.reshape %a : tensor<6xf32> -> tensor<2x3xf32>
  return %b : tensor<2x3xf32>
}

// -----

// flatten canonicalizes to reshape, which then merges with a following
// reshape.
// CHECK-LABEL: func.func @flatten_to_reshape
//  CHECK-SAME:   (%[[X:.+]]: tensor<2x3x4xf32>)
//       CHECK:   %[[F:.+]] = anvil.reshape %[[X]] : tensor<2x3x4xf32> -> tensor<2x12xf32>
//       CHECK:   %[[R:.+]] = anvil.reshape %[[X]] : tensor<2x3x4xf32> -> tensor<24xf32>
//   CHECK-NOT:   anvil.flatten
//       CHECK:   return %[[F]], %[[R]]
func.func @flatten_to_reshape(%x: tensor<2x3x4xf32>) -> (tensor<2x12xf32>, tensor<24xf32>) {
  %f = anvil.flatten %x {axis = 1 : i64} : tensor<2x3x4xf32> -> tensor<2x12xf32>
  %g = anvil.flatten %x {axis = 2 : i64} : tensor<2x3x4xf32> -> tensor<6x4xf32>
  %r = anvil.reshape %g : tensor<6x4xf32> -> tensor<24xf32>
  return %f, %r : tensor<2x12xf32>, tensor<24xf32>
}

// -----

// Transpose: identity perm folds to the input, a constant is transposed,
// and two transposes compose into one.
// CHECK-LABEL: func.func @transpose_folds
//  CHECK-SAME:   (%[[X:.+]]: tensor<2x3x4xf32>)
//   CHECK-DAG:   %[[C:.+]] = anvil.constant dense<{{\[}}[1, 3], [2, 4]]> : tensor<2x2xi32>
//   CHECK-DAG:   %[[T:.+]] = anvil.transpose %[[X]] {perm = array<i64: 2, 0, 1>} : tensor<2x3x4xf32> -> tensor<4x2x3xf32>
//       CHECK:   return %[[X]], %[[C]], %[[T]]
func.func @transpose_folds(%x: tensor<2x3x4xf32>) -> (tensor<2x3x4xf32>, tensor<2x2xi32>, tensor<4x2x3xf32>) {
  %id = anvil.transpose %x {perm = array<i64: 0, 1, 2>} : tensor<2x3x4xf32> -> tensor<2x3x4xf32>
  %c = anvil.constant dense<[[1, 2], [3, 4]]> : tensor<2x2xi32>
  %ct = anvil.transpose %c {perm = array<i64: 1, 0>} : tensor<2x2xi32> -> tensor<2x2xi32>
  %a = anvil.transpose %x {perm = array<i64: 1, 2, 0>} : tensor<2x3x4xf32> -> tensor<3x4x2xf32>
  %b = anvil.transpose %a {perm = array<i64: 1, 2, 0>} : tensor<3x4x2xf32> -> tensor<4x2x3xf32>
  return %id, %ct, %b : tensor<2x3x4xf32>, tensor<2x2xi32>, tensor<4x2x3xf32>
}

// -----

// Two transposes that undo each other fold to the input.
// CHECK-LABEL: func.func @transpose_inverse
//  CHECK-SAME:   (%[[X:.+]]: tensor<2x3xf32>)
//  CHECK-NEXT:   return %[[X]]
func.func @transpose_inverse(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %a = anvil.transpose %x {perm = array<i64: 1, 0>} : tensor<2x3xf32> -> tensor<3x2xf32>
  %b = anvil.transpose %a {perm = array<i64: 1, 0>} : tensor<3x2xf32> -> tensor<2x3xf32>
  return %b : tensor<2x3xf32>
}

// -----

// Concat: of constants is a constant; of a single input is the input.
// CHECK-LABEL: func.func @concat_folds
//  CHECK-SAME:   (%[[X:.+]]: tensor<2xf32>)
//       CHECK:   %[[C:.+]] = anvil.constant dense<[1, 2, 3]> : tensor<3xi64>
//       CHECK:   return %[[C]], %[[X]]
func.func @concat_folds(%x: tensor<2xf32>) -> (tensor<3xi64>, tensor<2xf32>) {
  %a = anvil.constant dense<[1, 2]> : tensor<2xi64>
  %b = anvil.constant dense<[3]> : tensor<1xi64>
  %c = anvil.concat %a, %b {axis = 0 : i64} : (tensor<2xi64>, tensor<1xi64>) -> tensor<3xi64>
  %s = anvil.concat %x {axis = 0 : i64} : (tensor<2xf32>) -> tensor<2xf32>
  return %c, %s : tensor<3xi64>, tensor<2xf32>
}

// -----

// A large folded result becomes a resource blob, not a printed dense<>.
// CHECK-LABEL: func.func @large_fold
//       CHECK:   anvil.constant dense_resource<folded> : tensor<4x8xf32>
//       CHECK:   folded: "0x04000000
func.func @large_fold() -> tensor<4x8xf32> {
  %a = anvil.constant dense<1.0> : tensor<4x1xf32>
  %b = anvil.constant dense<2.0> : tensor<8xf32>
  %c = anvil.binary add %a, %b : (tensor<4x1xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  return %c : tensor<4x8xf32>
}

// -----

// Ops with runtime operands stay.
// CHECK-LABEL: func.func @no_fold
//       CHECK:   anvil.binary add
//       CHECK:   anvil.concat
func.func @no_fold(%x: tensor<2xf32>) -> (tensor<2xf32>, tensor<4xf32>) {
  %c = anvil.constant dense<1.0> : tensor<2xf32>
  %a = anvil.binary add %x, %c : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  %k = anvil.concat %x, %c {axis = 0 : i64} : (tensor<2xf32>, tensor<2xf32>) -> tensor<4xf32>
  return %a, %k : tensor<2xf32>, tensor<4xf32>
}

// -----

// pow(x, 2) becomes x * x (a splat 2 of any shape that does not broadcast
// the result); other exponents, and a 2 that broadcasts x, stay pow.
// CHECK-LABEL: func.func @pow_two
//       CHECK:   %[[M:.+]] = anvil.binary mul %arg0, %arg0 : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
//       CHECK:   %[[P:.+]] = anvil.binary pow %arg0, %{{.+}} : (tensor<2x3xf32>, tensor<f32>) -> tensor<2x3xf32>
//       CHECK:   %[[B:.+]] = anvil.binary pow %arg1, %{{.+}} : (tensor<3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
//       CHECK:   return %[[M]], %[[P]], %[[B]]
func.func @pow_two(%x: tensor<2x3xf32>, %y: tensor<3xf32>) -> (tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>) {
  %two = anvil.constant dense<2.0> : tensor<f32>
  %three = anvil.constant dense<3.0> : tensor<f32>
  %two23 = anvil.constant dense<2.0> : tensor<2x3xf32>
  %a = anvil.binary pow %x, %two : (tensor<2x3xf32>, tensor<f32>) -> tensor<2x3xf32>
  %b = anvil.binary pow %x, %three : (tensor<2x3xf32>, tensor<f32>) -> tensor<2x3xf32>
  %c = anvil.binary pow %y, %two23 : (tensor<3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  return %a, %b, %c : tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>
}
