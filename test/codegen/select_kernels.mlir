// RUN: sed -e 's/TARGET/#anvil.target<name = "x86-64-v4", isa = "avx512", lanes = 16, registers = 32, tune = "", features = []>/' %s | anvil-opt --anvil-select-kernels | FileCheck %s --check-prefix=V4
// RUN: sed -e 's/TARGET/#anvil.target<name = "x86-64-v3", isa = "avx2", lanes = 8, registers = 16, tune = "", features = []>/' %s | anvil-opt --anvil-select-kernels | FileCheck %s --check-prefix=V3
// RUN: sed -e 's/attributes {anvil.target = TARGET}//' %s | not anvil-opt --anvil-select-kernels 2>&1 | FileCheck %s --check-prefix=NOTARGET
// RUN: sed -e 's/TARGET/#anvil.target<name = "x86-64-v4", isa = "avx512", lanes = 16, registers = 32, tune = "", features = []>/' %s | anvil-opt --anvil-select-kernels=winograd=false | FileCheck %s --check-prefix=NOWINO

// The same ops under both targets: each conv2d gets the path its shape
// calls for, with the register tile and packed layout of the target's ISA
// (AVX-512: 8 channels x 3 vectors of 16 pixels, 32 registers; AVX2: 4 x 3
// vectors of 8, 16 registers); a matmul its 6-row tile; every other
// compute op its family's kernel for the ISA.

// V4-LABEL: func.func @main
// 3x3 on a wide map, stride 1: implicit GEMM (no im2col).
// V4: anvil.conv2d {{.*}}anvil.kernel = "conv2d_f32_nchw_implicit_8x48__avx512", anvil.weight_layout = "gOihw8o"
// Stride 2: im2col + GEMM.
// V4: anvil.conv2d {{.*}}anvil.kernel = "conv2d_f32_nchw_gemm_8x48__avx512", anvil.weight_layout = "gOihw8o"
// 7x7 map: output channels in the vector lanes.
// V4: anvil.conv2d {{.*}}anvil.kernel = "conv2d_f32_nchw_cv_8x48__avx512", anvil.weight_layout = "gOihw48o"
// One input channel per group: depthwise, plain weights.
// V4: anvil.conv2d {{.*}}anvil.kernel = "conv2d_f32_nchw_dw_1x64__avx512", anvil.weight_layout = "goihw"
// V4: anvil.matmul {{.*}}anvil.kernel = "matmul_f32_6x64__avx512", anvil.weight_layout = "Ba64b"
// V4: anvil.unary relu {{.*}}anvil.kernel = "unary_f32__avx512"
// V4: anvil.global_avg_pool {{.*}}anvil.kernel = "global_avg_pool_f32__avx512"
// V4: anvil.transpose {{.*}}anvil.kernel = "transpose_f32"
// 3x3 stride 1 with 64 channels on a 56x56 map (196 tiles of 4x4):
// Winograd F(4x4, 3x3), weights as 36 transformed Oi8o matrices.
// V4: anvil.conv2d {{.*}}anvil.kernel = "conv2d_f32_nchw_wino_8x48__avx512", anvil.weight_layout = "w36Oi8o"

// V3-LABEL: func.func @main
// V3: anvil.conv2d {{.*}}anvil.kernel = "conv2d_f32_nchw_implicit_4x24__avx2", anvil.weight_layout = "gOihw4o"
// V3: anvil.conv2d {{.*}}anvil.kernel = "conv2d_f32_nchw_gemm_4x24__avx2", anvil.weight_layout = "gOihw4o"
// 49 pixels fill 7 vectors of 8 with one lane wasted: AVX2 keeps pixels in
// the lanes.
// V3: anvil.conv2d {{.*}}anvil.kernel = "conv2d_f32_nchw_gemm_4x24__avx2", anvil.weight_layout = "gOihw4o"
// V3: anvil.conv2d {{.*}}anvil.kernel = "conv2d_f32_nchw_dw_1x32__avx2", anvil.weight_layout = "goihw"
// V3: anvil.matmul {{.*}}anvil.kernel = "matmul_f32_6x16__avx2", anvil.weight_layout = "Ba16b"
// V3: anvil.unary relu {{.*}}anvil.kernel = "unary_f32__avx2"
// V3: anvil.global_avg_pool {{.*}}anvil.kernel = "global_avg_pool_f32__avx2"
// V3: anvil.transpose {{.*}}anvil.kernel = "transpose_f32"
// V3: anvil.conv2d {{.*}}anvil.kernel = "conv2d_f32_nchw_wino_4x24__avx2", anvil.weight_layout = "w36Oi4o"

// winograd=false (anvilc --no-winograd): the 56x56 conv is implicit GEMM.
// NOWINO-NOT: _wino_
// NOWINO: anvil.transpose
// NOWINO-NEXT: anvil.conv2d {{.*}}anvil.kernel = "conv2d_f32_nchw_implicit_8x48__avx512"
// NOWINO-NOT: _wino_

// NOTARGET: error: the module has no anvil.target attribute

module attributes {anvil.target = TARGET} {
func.func @main(%x: tensor<1x16x56x56xf32>, %w: tensor<32x16x3x3xf32>,
                %x7: tensor<1x64x7x7xf32>, %w7: tensor<64x64x3x3xf32>,
                %wd: tensor<16x1x3x3xf32>, %a: tensor<4x32xf32>, %b: tensor<32x10xf32>,
                %x64: tensor<1x64x56x56xf32>)
    -> (tensor<1x32x56x56xf32>, tensor<1x32x28x28xf32>, tensor<1x64x7x7xf32>,
        tensor<1x16x56x56xf32>, tensor<4x10xf32>, tensor<1x16x1x1xf32>, tensor<10x4xf32>,
        tensor<1x64x56x56xf32>) {
  %c1 = anvil.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, groups = 1 : i64} : (tensor<1x16x56x56xf32>, tensor<32x16x3x3xf32>) -> tensor<1x32x56x56xf32>
  %c2 = anvil.conv2d %x, %w {strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, groups = 1 : i64} : (tensor<1x16x56x56xf32>, tensor<32x16x3x3xf32>) -> tensor<1x32x28x28xf32>
  %c3 = anvil.conv2d %x7, %w7 {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, groups = 1 : i64} : (tensor<1x64x7x7xf32>, tensor<64x64x3x3xf32>) -> tensor<1x64x7x7xf32>
  %c4 = anvil.conv2d %x, %wd {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, groups = 16 : i64} : (tensor<1x16x56x56xf32>, tensor<16x1x3x3xf32>) -> tensor<1x16x56x56xf32>
  %m = anvil.matmul %a, %b : (tensor<4x32xf32>, tensor<32x10xf32>) -> tensor<4x10xf32>
  %r = anvil.unary relu %x : tensor<1x16x56x56xf32>
  %g = anvil.global_avg_pool %r : tensor<1x16x56x56xf32> -> tensor<1x16x1x1xf32>
  %t = anvil.transpose %m {perm = array<i64: 1, 0>} : tensor<4x10xf32> -> tensor<10x4xf32>
  %c5 = anvil.conv2d %x64, %w7 {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, groups = 1 : i64} : (tensor<1x64x56x56xf32>, tensor<64x64x3x3xf32>) -> tensor<1x64x56x56xf32>
  return %c1, %c2, %c3, %c4, %m, %g, %t, %c5 : tensor<1x32x56x56xf32>, tensor<1x32x28x28xf32>, tensor<1x64x7x7xf32>, tensor<1x16x56x56xf32>, tensor<4x10xf32>, tensor<1x16x1x1xf32>, tensor<10x4xf32>, tensor<1x64x56x56xf32>
}
}
