// RUN: anvilc %s --emit=cpp --name=outs --target=x86-64-v4 -o - | FileCheck %s

// A compute result returned once is written straight into the caller's
// output buffer. Every other returned value is copied into its output after
// all ops ran: an argument, an alias (even of an output), a constant, and a
// value returned twice (which lives in the arena).

// CHECK-LABEL: anvil_status_t anvil_outs_run__x86_64_v4({{.*}}) {
//       CHECK:   anvil::kernels::softmax_f32<anvil::kernels::Avx512, 1, 4, 1>(in0, out0, ec);
//       CHECK:   anvil::kernels::softmax_f32<anvil::kernels::Avx512, 1, 4, 1>(out0, arenaAt(arena, [[T:[0-9]+]]), ec);
//       CHECK:   // output 1 ('arg') is an input: copy
//  CHECK-NEXT:   anvil::kernels::copy_f32<4>(in0, out1, ec);
//       CHECK:   // output 2 ('alias') is an alias: copy
//  CHECK-NEXT:   anvil::kernels::copy_f32<4>(out0, out2, ec);
//       CHECK:   // output 3 ('const') is a constant: copy
//  CHECK-NEXT:   anvil::kernels::copy_f32<4>(weightAt(0), out3, ec);
//       CHECK:   // output 4 ('twice_a') is returned more than once: copy
//  CHECK-NEXT:   anvil::kernels::copy_f32<4>(arenaAt(arena, [[T]]), out4, ec);
//       CHECK:   // output 5 ('twice_b') is returned more than once: copy
//  CHECK-NEXT:   anvil::kernels::copy_f32<4>(arenaAt(arena, [[T]]), out5, ec);
//  CHECK-NEXT:   return ANVIL_STATUS_OK;
func.func @main(%x: tensor<4xf32> {anvil.name = "x"})
    -> (tensor<4xf32> {anvil.name = "s"}, tensor<4xf32> {anvil.name = "arg"},
        tensor<2x2xf32> {anvil.name = "alias"}, tensor<4xf32> {anvil.name = "const"},
        tensor<4xf32> {anvil.name = "twice_a"}, tensor<4xf32> {anvil.name = "twice_b"}) {
  %c = anvil.constant dense<[1.0, 2.0, 3.0, 4.0]> : tensor<4xf32>
  %s = anvil.softmax %x {axis = 0 : i64} : tensor<4xf32>
  %t = anvil.softmax %s {axis = 0 : i64} : tensor<4xf32>
  %r = anvil.reshape %s : tensor<4xf32> -> tensor<2x2xf32>
  return %s, %x, %r, %c, %t, %t : tensor<4xf32>, tensor<4xf32>, tensor<2x2xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>
}
