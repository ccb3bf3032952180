// RUN: anvilc %s --from=plan --emit=cpp --name=planned -o - | FileCheck %s
// RUN: sed -e 's/anvil.arena_offset = 128/anvil.arena_offset = 192/' %s > %t.mlir
// RUN: not anvilc %t.mlir --from=plan --emit=cpp -o - 2>&1 | FileCheck %s --check-prefix=OUTSIDE
// RUN: sed -e 's/anvil.arena_bytes = 192 : i64, //' %s > %t.noplan.mlir
// RUN: not anvilc %t.noplan.mlir --from=plan --emit=cpp -o - 2>&1 | FileCheck %s --check-prefix=NOPLAN

// With --from=plan the memory plan written in the input is used as is: each
// result is written at its arena offset (the relu in place over the softmax
// it consumes), the value returned once goes straight into the caller's
// output buffer, and the context's arena has the planned size.

// CHECK:      constexpr anvil::rt::ContextLayout kLayout{192u, 0u, 0u};
// CHECK:      anvil::kernels::softmax_f32<1, 16, 1>(in0, arenaAt(arena, 0), ec);
// CHECK-NEXT: // anvil.unary
// CHECK-NEXT: anvil::kernels::unary_f32<anvil::kernels::UnaryKind::Relu, 16>(arenaAt(arena, 0), arenaAt(arena, 0), 0.0f, 0.0f, ec);
// CHECK-NEXT: // anvil.softmax
// CHECK-NEXT: anvil::kernels::softmax_f32<1, 16, 1>(arenaAt(arena, 0), arenaAt(arena, 128), ec);
// CHECK-NEXT: // anvil.binary
// CHECK-NEXT: anvil::kernels::binary_f32<anvil::kernels::BinaryKind::Add, anvil::kernels::BroadcastShape{2, {1, 16}, {0, 1}, {0, 1}}>(arenaAt(arena, 128), arenaAt(arena, 0), out0, ec);
// CHECK-NEXT: return ANVIL_STATUS_OK;
// CHECK:      192u, // arena_bytes
// CHECK-NEXT: 256u, // naive_arena_bytes


// An offset past the planned arena is refused, naming the op.
// OUTSIDE: anvilc: error: model.onnx: node 'sm2' (anvil.softmax): arena offset 192 (+64 bytes) is outside the planned arena of 192 bytes

// NOPLAN: anvilc: error: {{.*}}@main has no memory plan (anvil.arena_bytes); run anvil-plan-memory before codegen

func.func @main(%x: tensor<1x16xf32> {anvil.name = "x"}) -> (tensor<1x16xf32> {anvil.name = "y"})
    attributes {anvil.arena_bytes = 192 : i64, anvil.naive_bytes = 256 : i64} {
  %a = anvil.softmax %x {anvil.arena_offset = 0 : i64, axis = 1 : i64} : tensor<1x16xf32>
  %b = anvil.unary relu %a {anvil.arena_offset = 0 : i64} : tensor<1x16xf32>
  %c = anvil.softmax %b {anvil.arena_offset = 128 : i64, axis = 1 : i64} : tensor<1x16xf32> loc("sm2"("model.onnx":0:0))
  %d = anvil.binary add %c, %b : (tensor<1x16xf32>, tensor<1x16xf32>) -> tensor<1x16xf32>
  return %d : tensor<1x16xf32>
}
