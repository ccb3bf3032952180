// RUN: anvil-opt %s --split-input-file --anvil-eliminate-dead-code | FileCheck %s

// A dead chain goes away entirely (the relu is only dead once the sigmoid
// is gone); live ops and the unused argument stay.
// CHECK-LABEL: func.func @dead_chain
//  CHECK-SAME:   (%[[X:.+]]: tensor<4xf32>, %[[UNUSED:.+]]: tensor<4xf32>)
//   CHECK-NOT:   anvil.unary relu
//   CHECK-NOT:   anvil.unary sigmoid
//       CHECK:   %[[T:.+]] = anvil.unary tanh %[[X]]
//  CHECK-NEXT:   return %[[T]]
func.func @dead_chain(%x: tensor<4xf32>, %unused: tensor<4xf32>) -> tensor<4xf32> {
  %a = anvil.unary relu %x : tensor<4xf32>
  %b = anvil.unary sigmoid %a : tensor<4xf32>
  %t = anvil.unary tanh %x : tensor<4xf32>
  return %t : tensor<4xf32>
}

// -----

// Unused constants are removed; constants that are used stay.
// CHECK-LABEL: func.func @dead_constants
//   CHECK-NOT:   dense<2.000000e+00>
//       CHECK:   %[[C:.+]] = anvil.constant dense<1.000000e+00>
//       CHECK:   anvil.binary add %{{.+}}, %[[C]]
func.func @dead_constants(%x: tensor<4xf32>) -> tensor<4xf32> {
  %unused = anvil.constant dense<2.0> : tensor<4xf32>
  %c = anvil.constant dense<1.0> : tensor<4xf32>
  %y = anvil.binary add %x, %c : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %y : tensor<4xf32>
}

// -----

// An op feeding a dead op and a live one stays; only the dead user goes.
// CHECK-LABEL: func.func @shared_producer
//       CHECK:   %[[A:.+]] = anvil.softmax
//   CHECK-NOT:   anvil.unary
//       CHECK:   return %[[A]]
func.func @shared_producer(%x: tensor<4xf32>) -> tensor<4xf32> {
  %a = anvil.softmax %x {axis = 0 : i64} : tensor<4xf32>
  %dead = anvil.unary exp %a : tensor<4xf32>
  return %a : tensor<4xf32>
}

// -----

// Nothing to remove: the function is unchanged.
// CHECK-LABEL: func.func @all_live
//       CHECK:   %[[R:.+]] = anvil.reshape
//       CHECK:   %[[T:.+]] = anvil.transpose %[[R]]
//       CHECK:   return %[[T]]
func.func @all_live(%x: tensor<6xf32>) -> tensor<3x2xf32> {
  %r = anvil.reshape %x : tensor<6xf32> -> tensor<2x3xf32>
  %t = anvil.transpose %r {perm = array<i64: 1, 0>} : tensor<2x3xf32> -> tensor<3x2xf32>
  return %t : tensor<3x2xf32>
}
