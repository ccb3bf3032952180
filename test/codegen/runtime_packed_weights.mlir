// RUN: anvilc %s --emit=cpp --name=rtpack -o - | FileCheck %s

// Weights that are graph inputs are packed at run time, by the same routine
// anvilc uses for constant weights, into the context's pack area; the
// kernels read the packed copy. The layout reserves the pack area
// (conv: 1 block x 36 x 8 floats = 1152 bytes; matmul: 1 panel x 16 x 64
// floats = 4096 bytes) and the largest per-thread scratch (the matmul's
// 96 x 128 floats).

//       CHECK: constexpr anvil::rt::ContextLayout kLayout{0u, 12288u, 5248u};
// CHECK-LABEL: ANVIL_MODEL_API anvil_status_t rtpack_run(
//       CHECK:   // anvil.conv2d
//  CHECK-NEXT:   anvil::kernels::conv2dPackWeights(anvil::kernels::Conv2DShape{1, 4, 6, 6, 8, 3, 3, 4, 4, 1, 1, 0, 0, 0, 0, 1, 1, 1}, in1, packAt(pack, 0));
//  CHECK-NEXT:   anvil::kernels::conv2d_f32<anvil::kernels::Conv2DShape{1, 4, 6, 6, 8, 3, 3, 4, 4, 1, 1, 0, 0, 0, 0, 1, 1, 1}>(in0, packAt(pack, 0), nullptr, out0, ec);
//       CHECK:   // anvil.matmul
//  CHECK-NEXT:   anvil::kernels::matmulPackB(anvil::kernels::MatmulShape{0, {}, {}, {}, 3, 5, 16, false, false, 1.0f}, in3, packAt(pack, 1152));
//  CHECK-NEXT:   anvil::kernels::matmul_f32<anvil::kernels::MatmulShape{0, {}, {}, {}, 3, 5, 16, false, false, 1.0f}>(in2, packAt(pack, 1152), in4, out1, ec);
func.func @main(%x: tensor<1x4x6x6xf32> {anvil.name = "x"}, %w: tensor<8x4x3x3xf32> {anvil.name = "w"},
                %a: tensor<3x16xf32> {anvil.name = "a"}, %b: tensor<16x5xf32> {anvil.name = "b"},
                %bias: tensor<5xf32> {anvil.name = "bias"})
    -> (tensor<1x8x4x4xf32> {anvil.name = "y"}, tensor<3x5xf32> {anvil.name = "z"}) {
  %y = anvil.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64} : (tensor<1x4x6x6xf32>, tensor<8x4x3x3xf32>) -> tensor<1x8x4x4xf32>
  %z = anvil.matmul %a, %b, %bias : (tensor<3x16xf32>, tensor<16x5xf32>, tensor<5xf32>) -> tensor<3x5xf32>
  return %y, %z : tensor<1x8x4x4xf32>, tensor<3x5xf32>
}
