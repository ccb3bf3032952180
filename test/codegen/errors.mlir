// RUN: not anvilc %s --from=plan --emit=cpp -o - 2>&1 | FileCheck %s
// RUN: not anvilc %S/Inputs/i64_input.mlir -o %t.so 2>&1 | FileCheck %s --check-prefix=SIGNATURE
// RUN: not ls %t.so

// Generated code computes in f32 only: a tensor of another element type at
// run time is refused with one error naming the op by its location (file
// and ONNX node); a non-f32 graph input is refused naming the input.

// CHECK: anvilc: error: model.onnx: node 'cast_ids' (anvil.unary): operand 0 has element type i32; generated code supports only f32 at run time
// CHECK-NOT: error

// SIGNATURE: anvilc: error: {{.*}}i64_input.mlir:{{[0-9]+}}:{{[0-9]+}}: input 'ids' has type tensor<4xi64>; generated code supports only statically shaped f32 tensors

func.func @main(%x: tensor<4xf32> {anvil.name = "x"}) -> (tensor<4xf32> {anvil.name = "y"})
    attributes {anvil.arena_bytes = 64 : i64, anvil.naive_bytes = 64 : i64} {
  %c = anvil.constant dense<[1, 2, 3, 4]> : tensor<4xi32>
  %n = anvil.unary neg %c {anvil.arena_offset = 0 : i64} : tensor<4xi32> loc("cast_ids"("model.onnx":0:0))
  %y = anvil.unary relu %x : tensor<4xf32>
  return %y : tensor<4xf32>
}
