// RUN: anvilc %s --from=plan --emit=cpp --name=planned -o - | FileCheck %s
// RUN: sed -e 's/anvil.arena_offset = 128/anvil.arena_offset = 192/' %s > %t.mlir
// RUN: not anvilc %t.mlir --from=plan --emit=cpp -o - 2>&1 | FileCheck %s --check-prefix=OUTSIDE
// RUN: sed -e 's/anvil.arena_bytes = 192 : i64, //' %s > %t.noplan.mlir
// RUN: not anvilc %t.noplan.mlir --from=plan --emit=cpp -o - 2>&1 | FileCheck %s --check-prefix=NOPLAN

// With --from=plan the memory plan written in the input is used as is: each
// result is written at its arena offset (the relu in place over the softmax
// it consumes), the value returned once goes straight into the caller's
// output buffer, and the context's arena has the planned size.

// CHECK:      .layout = {.arenaBytes = 192u, .scratchFloatsPerThread = 0u, .packBytes = 0u}
// CHECK:      192u, // arena_bytes
// CHECK-NEXT: 256u, // naive_arena_bytes
// CHECK:      anvil::kernels::softmax_f32<anvil::kernels::Avx512, 1, 16, 1>(in0, arenaAt(arena, 0), ec);
// CHECK-NEXT: // anvil.unary
// CHECK-NEXT: anvil::kernels::unary_f32<anvil::kernels::Avx512, anvil::kernels::UnaryKind::Relu, 16>(arenaAt(arena, 0), arenaAt(arena, 0), 0.0f, 0.0f, ec);
// CHECK-NEXT: // anvil.softmax
// CHECK-NEXT: anvil::kernels::softmax_f32<anvil::kernels::Avx512, 1, 16, 1>(arenaAt(arena, 0), arenaAt(arena, 128), ec);
// CHECK-NEXT: // anvil.binary
// CHECK-NEXT: anvil::kernels::binary_f32<anvil::kernels::Avx512, anvil::kernels::BinaryKind::Add, anvil::kernels::BroadcastShape{.rank = 2, .dims = {1, 16}, .lhsStrides = {0, 1}, .rhsStrides = {0, 1}}>(arenaAt(arena, 128), arenaAt(arena, 0), out0, ec);
// CHECK-NEXT: return ANVIL_STATUS_OK;


// An offset past the planned arena is refused, naming the op.
// OUTSIDE: anvilc: error: model.onnx: node 'sm2' (anvil.softmax): arena offset 192 (+64 bytes) is outside the planned arena of 192 bytes

// NOPLAN: anvilc: error: {{.*}}@main has no memory plan (anvil.arena_bytes); run anvil-plan-memory before codegen

// The output of the plan phase: target, kernels and offsets all recorded.
module attributes {anvil.target = #anvil.target<name = "x86-64-v4", isa = "avx512", lanes = 16, registers = 32, tune = "", features = []>} {
func.func @main(%x: tensor<1x16xf32> {anvil.name = "x"}) -> (tensor<1x16xf32> {anvil.name = "y"})
    attributes {anvil.arena_bytes = 192 : i64, anvil.naive_bytes = 256 : i64} {
  %a = anvil.softmax %x {anvil.arena_offset = 0 : i64, anvil.kernel = "softmax_f32__avx512", axis = 1 : i64} : tensor<1x16xf32>
  %b = anvil.unary relu %a {anvil.arena_offset = 0 : i64, anvil.kernel = "unary_f32__avx512"} : tensor<1x16xf32>
  %c = anvil.softmax %b {anvil.arena_offset = 128 : i64, anvil.kernel = "softmax_f32__avx512", axis = 1 : i64} : tensor<1x16xf32> loc("sm2"("model.onnx":0:0))
  %d = anvil.binary add %c, %b {anvil.kernel = "binary_f32__avx512"} : (tensor<1x16xf32>, tensor<1x16xf32>) -> tensor<1x16xf32>
  return %d : tensor<1x16xf32>
}
}
