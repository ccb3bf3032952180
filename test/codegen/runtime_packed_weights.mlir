// RUN: anvilc %s --emit=cpp --name=rtpack --target=x86-64-v4 -o - | FileCheck %s

// Weights that are graph inputs are packed at run time, by the same routine
// anvilc uses for constant weights, into the context's pack area; the
// kernels read the packed copy. The layout reserves the pack area
// (conv: 1 block x 36 x 8 floats = 1152 bytes; matmul: 1 panel x 16 x 64
// floats = 4096 bytes) and the largest per-thread scratch (the matmul's
// 96 x 128 floats).

//       CHECK: .layout = {.arenaBytes = 0u, .scratchFloatsPerThread = 12288u, .packBytes = 5248u}
// CHECK-LABEL: anvil_status_t anvil_rtpack_run__x86_64_v4({{.*}}) {
//       CHECK:   // anvil.conv2d
//  CHECK-NEXT:   anvil::kernels::conv2dPackWeights(anvil::kernels::Conv2DShape{.n = 1, .c = 4, .h = 6, .w = 6, .k = 8, .r = 3, .s = 3, .oh = 4, .ow = 4, .strideH = 1, .strideW = 1, .padT = 0, .padL = 0, .padB = 0, .padR = 0, .dilH = 1, .dilW = 1, .groups = 1}, anvil::kernels::Conv2DPlan{.path = anvil::kernels::Conv2DPath::Gemm, .lanes = 16, .mr = 8, .nr = 3}, in1, packAt(pack, 0));
//  CHECK-NEXT:   anvil::kernels::conv2d_f32<anvil::kernels::Avx512, anvil::kernels::Conv2DShape{.n = 1, .c = 4, .h = 6, .w = 6, .k = 8, .r = 3, .s = 3, .oh = 4, .ow = 4, .strideH = 1, .strideW = 1, .padT = 0, .padL = 0, .padB = 0, .padR = 0, .dilH = 1, .dilW = 1, .groups = 1}, anvil::kernels::Conv2DPlan{.path = anvil::kernels::Conv2DPath::Gemm, .lanes = 16, .mr = 8, .nr = 3}>(in0, packAt(pack, 0), nullptr, out0, ec);
//       CHECK:   // anvil.matmul
//  CHECK-NEXT:   anvil::kernels::matmulPackB(anvil::kernels::MatmulShape{.batchRank = 0, .batch = {}, .aBatchStride = {}, .bBatchStride = {}, .m = 3, .n = 5, .k = 16, .transA = false, .transB = false, .alpha = 1.0f}, anvil::kernels::MatmulPlan{.lanes = 16, .mr = 6, .nr = 4}, in3, packAt(pack, 1152));
//  CHECK-NEXT:   anvil::kernels::matmul_f32<anvil::kernels::Avx512, anvil::kernels::MatmulShape{.batchRank = 0, .batch = {}, .aBatchStride = {}, .bBatchStride = {}, .m = 3, .n = 5, .k = 16, .transA = false, .transB = false, .alpha = 1.0f}, anvil::kernels::MatmulPlan{.lanes = 16, .mr = 6, .nr = 4}>(in2, packAt(pack, 1152), in4, out1, ec);
func.func @main(%x: tensor<1x4x6x6xf32> {anvil.name = "x"}, %w: tensor<8x4x3x3xf32> {anvil.name = "w"},
                %a: tensor<3x16xf32> {anvil.name = "a"}, %b: tensor<16x5xf32> {anvil.name = "b"},
                %bias: tensor<5xf32> {anvil.name = "bias"})
    -> (tensor<1x8x4x4xf32> {anvil.name = "y"}, tensor<3x5xf32> {anvil.name = "z"}) {
  %y = anvil.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64} : (tensor<1x4x6x6xf32>, tensor<8x4x3x3xf32>) -> tensor<1x8x4x4xf32>
  %z = anvil.matmul %a, %b, %bias : (tensor<3x16xf32>, tensor<16x5xf32>, tensor<5xf32>) -> tensor<3x5xf32>
  return %y, %z : tensor<1x8x4x4xf32>, tensor<3x5xf32>
}
