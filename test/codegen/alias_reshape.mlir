// RUN: anvilc %s --emit=cpp --name=alias --target=x86-64-v4 -o - | FileCheck %s

// Reshape and flatten emit no code: they alias the storage of their input,
// whether that is an arena buffer, a caller input or a weights blob entry.

// CHECK-LABEL: anvil_status_t anvil_alias_run__x86_64_v4({{.*}}) {
//   CHECK-NOT:   reshape
//       CHECK:   anvil::kernels::softmax_f32<anvil::kernels::Avx512, 2, 8, 1>(in0, arenaAt(arena, [[A:[0-9]+]]), ec);
//   CHECK-NOT:   reshape
//       CHECK:   anvil::kernels::softmax_f32<anvil::kernels::Avx512, 1, 16, 1>(arenaAt(arena, [[A]]), out0, ec);
//       CHECK:   anvil::kernels::unary_f32<anvil::kernels::Avx512, anvil::kernels::UnaryKind::Neg, 16>(in0, out1, 0.0f, 0.0f, ec);
//       CHECK:   anvil::kernels::binary_f32<anvil::kernels::Avx512, anvil::kernels::BinaryKind::Mul, anvil::kernels::BroadcastShape{.rank = 2, .dims = {2, 8}, .lhsStrides = {8, 1}, .rhsStrides = {8, 1}}>(in0, weightAt(0), out2, ec);
//       CHECK:   return ANVIL_STATUS_OK;
func.func @main(%x: tensor<2x8xf32> {anvil.name = "x"})
    -> (tensor<16xf32> {anvil.name = "y"}, tensor<16xf32> {anvil.name = "n"},
        tensor<2x8xf32> {anvil.name = "m"}) {
  %a = anvil.softmax %x {axis = 1 : i64} : tensor<2x8xf32>
  %r = anvil.reshape %a : tensor<2x8xf32> -> tensor<16xf32>
  %b = anvil.softmax %r {axis = 0 : i64} : tensor<16xf32>
  // An argument seen through flatten and reshape.
  %f = anvil.flatten %x {axis = 2 : i64} : tensor<2x8xf32> -> tensor<16x1xf32>
  %g = anvil.reshape %f : tensor<16x1xf32> -> tensor<16xf32>
  %n = anvil.unary neg %g : tensor<16xf32>
  // A constant seen through reshape.
  %c = anvil.constant dense<[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 11.0, 12.0, 13.0, 14.0, 15.0, 16.0]> : tensor<16xf32>
  %cr = anvil.reshape %c : tensor<16xf32> -> tensor<2x8xf32>
  %m = anvil.binary mul %x, %cr : (tensor<2x8xf32>, tensor<2x8xf32>) -> tensor<2x8xf32>
  return %b, %n, %m : tensor<16xf32>, tensor<16xf32>, tensor<2x8xf32>
}
