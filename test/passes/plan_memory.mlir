// RUN: anvil-opt %s --split-input-file --anvil-plan-memory | FileCheck %s

// A chain of non-elementwise ops: each result overlaps only its producer and
// consumer, so two buffers alternate. The last result is written into the
// caller's output buffer and gets no offset.
// CHECK-LABEL: func.func @chain
//  CHECK-SAME:   anvil.arena_bytes = 128 : i64, anvil.naive_bytes = 192 : i64
//       CHECK:   %[[A:.+]] = anvil.softmax %{{.+}} {anvil.arena_offset = 0 : i64, axis = 1 : i64}
//       CHECK:   %[[B:.+]] = anvil.softmax %[[A]] {anvil.arena_offset = 64 : i64, axis = 1 : i64}
//       CHECK:   %[[C:.+]] = anvil.softmax %[[B]] {anvil.arena_offset = 0 : i64, axis = 1 : i64}
//       CHECK:   %[[D:.+]] = anvil.softmax %[[C]] {axis = 1 : i64}
//       CHECK:   return %[[D]]
func.func @chain(%x: tensor<1x16xf32>) -> tensor<1x16xf32> {
  %a = anvil.softmax %x {axis = 1 : i64} : tensor<1x16xf32>
  %b = anvil.softmax %a {axis = 1 : i64} : tensor<1x16xf32>
  %c = anvil.softmax %b {axis = 1 : i64} : tensor<1x16xf32>
  %d = anvil.softmax %c {axis = 1 : i64} : tensor<1x16xf32>
  return %d : tensor<1x16xf32>
}

// -----

// Elementwise ops write in place over an operand that dies at them: the
// whole relu/sigmoid/batch_norm chain shares one buffer.
// CHECK-LABEL: func.func @in_place
//  CHECK-SAME:   anvil.arena_bytes = 256 : i64, anvil.naive_bytes = 1024 : i64
//       CHECK:   anvil.softmax {{.+}}anvil.arena_offset = 0 : i64
//       CHECK:   anvil.unary relu {{.+}}anvil.arena_offset = 0 : i64
//       CHECK:   anvil.unary sigmoid {{.+}}anvil.arena_offset = 0 : i64
//       CHECK:   anvil.batch_norm {{.+}}anvil.arena_offset = 0 : i64
//       CHECK:   anvil.global_avg_pool
//   CHECK-NOT:   anvil.arena_offset
func.func @in_place(%x: tensor<1x4x4x4xf32>, %p: tensor<4xf32>) -> tensor<1x4x1x1xf32> {
  %a = anvil.softmax %x {axis = 1 : i64} : tensor<1x4x4x4xf32>
  %b = anvil.unary relu %a : tensor<1x4x4x4xf32>
  %c = anvil.unary sigmoid %b : tensor<1x4x4x4xf32>
  %d = anvil.batch_norm %c, %p, %p, %p, %p {epsilon = 1.0e-05 : f32} : (tensor<1x4x4x4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<1x4x4x4xf32>
  %e = anvil.global_avg_pool %d : tensor<1x4x4x4xf32> -> tensor<1x4x1x1xf32>
  return %e : tensor<1x4x1x1xf32>
}

// -----

// An operand still read later is not overwritten in place: relu gets a
// buffer of its own because %a is read again by the add.
// CHECK-LABEL: func.func @operand_still_live
//       CHECK:   %[[A:.+]] = anvil.softmax {{.+}}anvil.arena_offset = 0 : i64
//       CHECK:   %[[B:.+]] = anvil.unary relu %[[A]] {anvil.arena_offset = 64 : i64}
//       CHECK:   %[[C:.+]] = anvil.binary add %[[B]], %[[A]] {anvil.arena_offset = 64 : i64}
func.func @operand_still_live(%x: tensor<16xf32>) -> tensor<16xf32> {
  %a = anvil.softmax %x {axis = 0 : i64} : tensor<16xf32>
  %b = anvil.unary relu %a : tensor<16xf32>
  %c = anvil.binary add %b, %a : (tensor<16xf32>, tensor<16xf32>) -> tensor<16xf32>
  %d = anvil.softmax %c {axis = 0 : i64} : tensor<16xf32>
  return %d : tensor<16xf32>
}

// -----

// A broadcast operand is never overwritten in place, even when it dies: the
// add cannot reuse the [16] buffer, only the full-size lhs buffer.
// CHECK-LABEL: func.func @broadcast_operand
//       CHECK:   %[[SMALL:.+]] = anvil.softmax %{{.+}} {anvil.arena_offset = [[SMALL_OFF:[0-9]+]] : i64
//       CHECK:   %[[BIG:.+]] = anvil.softmax %{{.+}} {anvil.arena_offset = [[BIG_OFF:[0-9]+]] : i64
//       CHECK:   anvil.binary add %[[SMALL]], %[[BIG]] {anvil.arena_offset = [[BIG_OFF]] : i64}
func.func @broadcast_operand(%x: tensor<16xf32>, %y: tensor<4x16xf32>) -> tensor<4x16xf32> {
  %s = anvil.softmax %x {axis = 0 : i64} : tensor<16xf32>
  %b = anvil.softmax %y {axis = 1 : i64} : tensor<4x16xf32>
  %c = anvil.binary add %s, %b : (tensor<16xf32>, tensor<4x16xf32>) -> tensor<4x16xf32>
  %d = anvil.softmax %c {axis = 1 : i64} : tensor<4x16xf32>
  return %d : tensor<4x16xf32>
}

// -----

// Reshape and flatten alias their input: they get no offset, and a use of
// the alias keeps the underlying buffer live, so %b may not take %a's place.
// CHECK-LABEL: func.func @alias_extends_liveness
//  CHECK-SAME:   anvil.arena_bytes = 128 : i64
//       CHECK:   %[[A:.+]] = anvil.softmax {{.+}}anvil.arena_offset = 0 : i64
//       CHECK:   %[[R:.+]] = anvil.reshape %[[A]] : tensor<1x16xf32> -> tensor<16xf32>
//       CHECK:   %[[F:.+]] = anvil.flatten %[[R]] {axis = 0 : i64} : tensor<16xf32> -> tensor<1x16xf32>
//       CHECK:   %[[B:.+]] = anvil.softmax %[[F]] {anvil.arena_offset = 64 : i64
//       CHECK:   anvil.binary add %[[B]], %[[F]]
func.func @alias_extends_liveness(%x: tensor<1x16xf32>) -> tensor<1x16xf32> {
  %a = anvil.softmax %x {axis = 1 : i64} : tensor<1x16xf32>
  %r = anvil.reshape %a : tensor<1x16xf32> -> tensor<16xf32>
  %f = anvil.flatten %r {axis = 0 : i64} : tensor<16xf32> -> tensor<1x16xf32>
  %b = anvil.softmax %f {axis = 1 : i64} : tensor<1x16xf32>
  %c = anvil.binary add %b, %f : (tensor<1x16xf32>, tensor<1x16xf32>) -> tensor<1x16xf32>
  return %c : tensor<1x16xf32>
}

// -----

// Outputs: a value returned once goes straight to the output buffer (no
// offset); a value returned twice, or returned through an alias, is copied at
// the end, so it lives in the arena until the end and nothing reuses it.
// CHECK-LABEL: func.func @outputs
//  CHECK-SAME:   anvil.arena_bytes = 192 : i64, anvil.naive_bytes = 192 : i64
//       CHECK:   %[[TWICE:.+]] = anvil.softmax %{{.+}} {anvil.arena_offset = [[O1:[0-9]+]] : i64
//       CHECK:   %[[ALIASED:.+]] = anvil.softmax %{{.+}} {anvil.arena_offset = [[O2:[0-9]+]] : i64
//       CHECK:   %[[R:.+]] = anvil.reshape %[[ALIASED]]
//       CHECK:   %[[T:.+]] = anvil.softmax %{{.+}} {anvil.arena_offset = [[O3:[0-9]+]] : i64
//       CHECK:   %[[ONCE:.+]] = anvil.softmax %[[T]] {axis = 0 : i64}
//       CHECK:   return %[[TWICE]], %[[TWICE]], %[[R]], %[[ONCE]], %{{.+}}, %[[CST:.+]] :
func.func @outputs(%x: tensor<16xf32>) -> (tensor<16xf32>, tensor<16xf32>, tensor<4x4xf32>, tensor<16xf32>, tensor<16xf32>, tensor<16xf32>) {
  %cst = anvil.constant dense<1.0> : tensor<16xf32>
  %twice = anvil.softmax %x {axis = 0 : i64} : tensor<16xf32>
  %aliased = anvil.softmax %x {axis = 0 : i64} : tensor<16xf32>
  %r = anvil.reshape %aliased : tensor<16xf32> -> tensor<4x4xf32>
  %t = anvil.softmax %x {axis = 0 : i64} : tensor<16xf32>
  %once = anvil.softmax %t {axis = 0 : i64} : tensor<16xf32>
  return %twice, %twice, %r, %once, %x, %cst : tensor<16xf32>, tensor<16xf32>, tensor<4x4xf32>, tensor<16xf32>, tensor<16xf32>, tensor<16xf32>
}

// -----

// Sizes round up to 64 bytes: a 3-float tensor still takes a 64-byte slot,
// and constants and arguments never get an offset.
// CHECK-LABEL: func.func @alignment
//  CHECK-SAME:   anvil.arena_bytes = 128 : i64, anvil.naive_bytes = 192 : i64
//       CHECK:   anvil.constant
//   CHECK-NOT:   anvil.arena_offset
//       CHECK:   anvil.softmax {{.+}}anvil.arena_offset = 0 : i64
//       CHECK:   anvil.softmax {{.+}}anvil.arena_offset = 64 : i64
//       CHECK:   anvil.binary add {{.+}}anvil.arena_offset = 0 : i64
func.func @alignment(%x: tensor<3xf32>) -> tensor<3xf32> {
  %c = anvil.constant dense<[1.0, 2.0, 3.0]> : tensor<3xf32>
  %a = anvil.softmax %x {axis = 0 : i64} : tensor<3xf32>
  %b = anvil.softmax %c {axis = 0 : i64} : tensor<3xf32>
  %s = anvil.binary add %a, %b : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  %d = anvil.softmax %s {axis = 0 : i64} : tensor<3xf32>
  return %d : tensor<3xf32>
}

// -----

// Tight packing: %s1 and %s2 never live together, so they share a 64-byte
// slot beside the long-lived 256-byte %big; %s1b, live with both, takes a
// second slot: 256 + 2 * 64 bytes instead of the naive 448.
// CHECK-LABEL: func.func @packing
//  CHECK-SAME:   anvil.arena_bytes = 384 : i64, anvil.naive_bytes = 448 : i64
//       CHECK:   anvil.softmax %{{.+}} {anvil.arena_offset = [[S:[0-9]+]] : i64
//       CHECK:   anvil.softmax %{{.+}} {anvil.arena_offset = 0 : i64
//       CHECK:   anvil.softmax %{{.+}} {anvil.arena_offset = {{[0-9]+}} : i64
//       CHECK:   anvil.softmax %{{.+}} {anvil.arena_offset = [[S]] : i64
func.func @packing(%x: tensor<16xf32>, %y: tensor<4x16xf32>) -> tensor<4x16xf32> {
  %s1 = anvil.softmax %x {axis = 0 : i64} : tensor<16xf32>
  %big = anvil.softmax %y {axis = 1 : i64} : tensor<4x16xf32>
  %s1b = anvil.softmax %s1 {axis = 0 : i64} : tensor<16xf32>
  %s2 = anvil.softmax %s1b {axis = 0 : i64} : tensor<16xf32>
  %e = anvil.binary add %big, %s2 : (tensor<4x16xf32>, tensor<16xf32>) -> tensor<4x16xf32>
  return %e : tensor<4x16xf32>
}

// -----

// A post operand (the residual %r, dying at the fused conv) never shares
// the conv's buffer: the conv accumulates partial sums in its result while
// it still reads the operand.
// CHECK-LABEL: func.func @post_operand_not_aliased
//       CHECK:   %[[R:.+]] = anvil.softmax %{{.+}} {anvil.arena_offset = 0 : i64, axis = 1 : i64}
//       CHECK:   anvil.conv2d %{{.+}}, %{{.+}} post(%[[R]]) {anvil.arena_offset = 64 : i64,
func.func @post_operand_not_aliased(%x: tensor<1x4x2x2xf32>, %w: tensor<4x4x1x1xf32>) -> tensor<1x4x1x1xf32> {
  %r = anvil.softmax %x {axis = 1 : i64} : tensor<1x4x2x2xf32>
  %c = anvil.conv2d %x, %w post(%r) {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64, post_ops = [#anvil.post<add, 0>]} : (tensor<1x4x2x2xf32>, tensor<4x4x1x1xf32>, tensor<1x4x2x2xf32>) -> tensor<1x4x2x2xf32>
  %e = anvil.global_avg_pool %c : tensor<1x4x2x2xf32> -> tensor<1x4x1x1xf32>
  return %e : tensor<1x4x1x1xf32>
}
