// RUN: anvil-opt %s --split-input-file --verify-diagnostics

// Every verifier in AnvilOps.cpp rejects bad IR with a located diagnostic.

// constant: the value's type must be the result type.
func.func @constant_type_mismatch() -> tensor<3xf32> {
  // expected-error @+1 {{all of {value, result} have same type}}
  %c = "anvil.constant"() {value = dense<1.0> : tensor<2xf32>} : () -> tensor<3xf32>
  return %c : tensor<3xf32>
}

// -----

// Dynamic shapes are rejected.
func.func @dynamic_shape(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
  // expected-error @+1 {{needs statically shaped tensors, got 'tensor<?x4xf32>'}}
  %y = anvil.unary relu %x : tensor<?x4xf32>
  return %y : tensor<?x4xf32>
}

// -----

// Unranked tensors are not anvil tensors.
func.func @unranked(%x: tensor<*xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{must be ranked tensor of any type values}}
  %y = "anvil.softmax"(%x) {axis = 0 : i64} : (tensor<*xf32>) -> tensor<*xf32>
  return %y : tensor<*xf32>
}

// -----

// conv2d: input and weight must be rank 4.
func.func @conv_rank(%x: tensor<1x3x8xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32> {
  // expected-error @+1 {{input and weight must be rank 4 (NCHW, KCRS), got 3 and 4}}
  %y = anvil.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64} : (tensor<1x3x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32>
  return %y : tensor<1x4x6x6xf32>
}

// -----

// conv2d: groups must divide the input and output channels.
func.func @conv_groups(%x: tensor<1x6x8x8xf32>, %w: tensor<4x2x3x3xf32>) -> tensor<1x4x6x6xf32> {
  // expected-error @+1 {{groups = 4 must divide input channels 6 and output channels 4}}
  %y = anvil.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 4 : i64} : (tensor<1x6x8x8xf32>, tensor<4x2x3x3xf32>) -> tensor<1x4x6x6xf32>
  return %y : tensor<1x4x6x6xf32>
}

// -----

// conv2d: groups must be positive.
func.func @conv_zero_groups(%x: tensor<1x4x8x8xf32>, %w: tensor<4x4x3x3xf32>) -> tensor<1x4x6x6xf32> {
  // expected-error @+1 {{groups = 0 must divide}}
  %y = anvil.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 0 : i64} : (tensor<1x4x8x8xf32>, tensor<4x4x3x3xf32>) -> tensor<1x4x6x6xf32>
  return %y : tensor<1x4x6x6xf32>
}

// -----

// conv2d: weight input channels must be C / groups.
func.func @conv_channels(%x: tensor<1x4x8x8xf32>, %w: tensor<8x3x3x3xf32>) -> tensor<1x8x6x6xf32> {
  // expected-error @+1 {{weight has 3 input channels per group, expected 2}}
  %y = anvil.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 2 : i64} : (tensor<1x4x8x8xf32>, tensor<8x3x3x3xf32>) -> tensor<1x8x6x6xf32>
  return %y : tensor<1x8x6x6xf32>
}

// -----

// conv2d: bias must have one value per output channel.
func.func @conv_bias(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>, %b: tensor<3xf32>) -> tensor<1x4x6x6xf32> {
  // expected-error @+1 {{bias must have shape [4]}}
  %y = anvil.conv2d %x, %w, %b {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<3xf32>) -> tensor<1x4x6x6xf32>
  return %y : tensor<1x4x6x6xf32>
}

// -----

// conv2d: the result shape follows from strides, pads and dilations.
func.func @conv_output_shape(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<1x4x8x8xf32> {
  // expected-error @+1 {{result shape 'tensor<1x4x8x8xf32>' does not match the expected shape [1x4x3x3]}}
  %y = anvil.conv2d %x, %w {strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x8x8xf32>
  return %y : tensor<1x4x8x8xf32>
}

// -----

// conv2d: a kernel larger than the padded input does not fit.
func.func @conv_window(%x: tensor<1x3x2x2xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<1x4x1x1xf32> {
  // expected-error @+1 {{window of size 3 (dilation 1) does not fit spatial dim 0 of size 2 with pads 0,0}}
  %y = anvil.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64} : (tensor<1x3x2x2xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x1x1xf32>
  return %y : tensor<1x4x1x1xf32>
}

// -----

// conv2d: strides need two positive values.
func.func @conv_strides(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32> {
  // expected-error @+1 {{'strides' must have 2 values, got 1}}
  %y = anvil.conv2d %x, %w {strides = array<i64: 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32>
  return %y : tensor<1x4x6x6xf32>
}

// -----

// conv2d: pads may not be negative.
func.func @conv_negative_pads(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32> {
  // expected-error @+1 {{'pads' values must be >= 0}}
  %y = anvil.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: -1, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32>
  return %y : tensor<1x4x6x6xf32>
}

// -----

// conv2d: element types must agree.
func.func @conv_element_type(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf16>) -> tensor<1x4x6x6xf32> {
  // expected-error @+1 {{operand element type 'f16' differs from the result element type 'f32'}}
  %y = anvil.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf16>) -> tensor<1x4x6x6xf32>
  return %y : tensor<1x4x6x6xf32>
}

// -----

// matmul: operands need rank >= 2.
func.func @matmul_rank(%a: tensor<4xf32>, %b: tensor<4x2xf32>) -> tensor<1x2xf32> {
  // expected-error @+1 {{operands must have rank >= 2, got 1 and 2}}
  %y = anvil.matmul %a, %b : (tensor<4xf32>, tensor<4x2xf32>) -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}

// -----

// matmul: the contraction dims must agree (after transposition).
func.func @matmul_contraction(%a: tensor<3x4xf32>, %b: tensor<5x2xf32>) -> tensor<3x2xf32> {
  // expected-error @+1 {{contraction dims differ: 4 vs 5}}
  %y = anvil.matmul %a, %b : (tensor<3x4xf32>, tensor<5x2xf32>) -> tensor<3x2xf32>
  return %y : tensor<3x2xf32>
}

// -----

// matmul: transpose_b swaps the dims of b.
func.func @matmul_transpose_b(%a: tensor<3x4xf32>, %b: tensor<4x2xf32>) -> tensor<3x4xf32> {
  // expected-error @+1 {{contraction dims differ: 4 vs 2}}
  %y = anvil.matmul %a, %b {transpose_b = true} : (tensor<3x4xf32>, tensor<4x2xf32>) -> tensor<3x4xf32>
  return %y : tensor<3x4xf32>
}

// -----

// matmul: batch dims must broadcast.
func.func @matmul_batch(%a: tensor<2x3x4xf32>, %b: tensor<3x4x2xf32>) -> tensor<2x3x2xf32> {
  // expected-error @+1 {{batch dims do not broadcast}}
  %y = anvil.matmul %a, %b : (tensor<2x3x4xf32>, tensor<3x4x2xf32>) -> tensor<2x3x2xf32>
  return %y : tensor<2x3x2xf32>
}

// -----

// matmul: bias has shape [N].
func.func @matmul_bias(%a: tensor<3x4xf32>, %b: tensor<4x2xf32>, %bias: tensor<3xf32>) -> tensor<3x2xf32> {
  // expected-error @+1 {{bias must have shape [2]}}
  %y = anvil.matmul %a, %b, %bias : (tensor<3x4xf32>, tensor<4x2xf32>, tensor<3xf32>) -> tensor<3x2xf32>
  return %y : tensor<3x2xf32>
}

// -----

// matmul: the result is [batch..., M, N].
func.func @matmul_result(%a: tensor<2x3x4xf32>, %b: tensor<4x2xf32>) -> tensor<3x2xf32> {
  // expected-error @+1 {{does not match the expected shape [2x3x2]}}
  %y = anvil.matmul %a, %b : (tensor<2x3x4xf32>, tensor<4x2xf32>) -> tensor<3x2xf32>
  return %y : tensor<3x2xf32>
}

// -----

// batch_norm: input needs a channel dim.
func.func @batch_norm_rank(%x: tensor<4xf32>, %p: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{input must have rank >= 2}}
  %y = anvil.batch_norm %x, %p, %p, %p, %p {epsilon = 1.0e-05 : f32} : (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %y : tensor<4xf32>
}

// -----

// batch_norm: parameters have one value per channel.
func.func @batch_norm_params(%x: tensor<1x4x2x2xf32>, %p: tensor<4xf32>, %q: tensor<2xf32>) -> tensor<1x4x2x2xf32> {
  // expected-error @+1 {{scale, bias, mean and var must have shape [4]}}
  %y = anvil.batch_norm %x, %p, %p, %p, %q {epsilon = 1.0e-05 : f32} : (tensor<1x4x2x2xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<2xf32>) -> tensor<1x4x2x2xf32>
  return %y : tensor<1x4x2x2xf32>
}

// -----

// batch_norm: epsilon may not be negative.
func.func @batch_norm_epsilon(%x: tensor<1x4xf32>, %p: tensor<4xf32>) -> tensor<1x4xf32> {
  // expected-error @+1 {{epsilon must be >= 0}}
  %y = anvil.batch_norm %x, %p, %p, %p, %p {epsilon = -1.0 : f32} : (tensor<1x4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<1x4xf32>
  return %y : tensor<1x4xf32>
}

// -----

// batch_norm: the result has the input's shape.
func.func @batch_norm_result(%x: tensor<1x4xf32>, %p: tensor<4xf32>) -> tensor<4x1xf32> {
  // expected-error @+1 {{does not match the expected shape [1x4]}}
  %y = anvil.batch_norm %x, %p, %p, %p, %p {epsilon = 1.0e-05 : f32} : (tensor<1x4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<4x1xf32>
  return %y : tensor<4x1xf32>
}

// -----

// max_pool: the input must be NCHW.
func.func @max_pool_rank(%x: tensor<1x4x8xf32>) -> tensor<1x4x4xf32> {
  // expected-error @+1 {{input must be rank 4 (NCHW), got rank 3}}
  %y = anvil.max_pool %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : tensor<1x4x8xf32> -> tensor<1x4x4xf32>
  return %y : tensor<1x4x4xf32>
}

// -----

// max_pool: kernel_shape needs two positive values.
func.func @max_pool_kernel(%x: tensor<1x4x8x8xf32>) -> tensor<1x4x4x4xf32> {
  // expected-error @+1 {{'kernel_shape' values must be >= 1}}
  %y = anvil.max_pool %x {kernel_shape = array<i64: 0, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : tensor<1x4x8x8xf32> -> tensor<1x4x4x4xf32>
  return %y : tensor<1x4x4x4xf32>
}

// -----

// max_pool: a window larger than the padded input does not fit.
func.func @max_pool_window(%x: tensor<1x4x2x2xf32>) -> tensor<1x4x1x1xf32> {
  // expected-error @+1 {{window of size 3 (dilation 2) does not fit spatial dim 0 of size 2 with pads 1,1}}
  %y = anvil.max_pool %x {kernel_shape = array<i64: 3, 3>, strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 2, 2>} : tensor<1x4x2x2xf32> -> tensor<1x4x1x1xf32>
  return %y : tensor<1x4x1x1xf32>
}

// -----

// max_pool: ceil_mode rounds the output size up.
func.func @max_pool_ceil(%x: tensor<1x4x5x5xf32>) -> tensor<1x4x2x2xf32> {
  // expected-error @+1 {{does not match the expected shape [1x4x3x3]}}
  %y = anvil.max_pool %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, ceil_mode = true} : tensor<1x4x5x5xf32> -> tensor<1x4x2x2xf32>
  return %y : tensor<1x4x2x2xf32>
}

// -----

// avg_pool: the result shape follows from the window.
func.func @avg_pool_result(%x: tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32> {
  // expected-error @+1 {{does not match the expected shape [1x4x4x4]}}
  %y = anvil.avg_pool %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>} : tensor<1x4x8x8xf32> -> tensor<1x4x8x8xf32>
  return %y : tensor<1x4x8x8xf32>
}

// -----

// avg_pool: pads need four values.
func.func @avg_pool_pads(%x: tensor<1x4x8x8xf32>) -> tensor<1x4x4x4xf32> {
  // expected-error @+1 {{'pads' must have 4 values, got 2}}
  %y = anvil.avg_pool %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0>} : tensor<1x4x8x8xf32> -> tensor<1x4x4x4xf32>
  return %y : tensor<1x4x4x4xf32>
}

// -----

// global_avg_pool: needs spatial dims.
func.func @global_avg_pool_rank(%x: tensor<1x4xf32>) -> tensor<1x4xf32> {
  // expected-error @+1 {{input must have rank >= 3 (N, C, spatial...)}}
  %y = anvil.global_avg_pool %x : tensor<1x4xf32> -> tensor<1x4xf32>
  return %y : tensor<1x4xf32>
}

// -----

// global_max_pool: spatial dims become 1.
func.func @global_max_pool_result(%x: tensor<1x4x8x8xf32>) -> tensor<1x4xf32> {
  // expected-error @+1 {{does not match the expected shape [1x4x1x1]}}
  %y = anvil.global_max_pool %x : tensor<1x4x8x8xf32> -> tensor<1x4xf32>
  return %y : tensor<1x4xf32>
}

// -----

// unary: clip needs min <= max.
func.func @clip_bounds(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{clip min 6.000000e+00 exceeds max 0.000000e+00}}
  %y = anvil.unary clip %x {alpha = 6.0 : f32, beta = 0.0 : f32} : tensor<4xf32>
  return %y : tensor<4xf32>
}

// -----

// binary: operand shapes must broadcast.
func.func @binary_broadcast(%a: tensor<2x3xf32>, %b: tensor<4xf32>) -> tensor<2x3xf32> {
  // expected-error @+1 {{operand shapes [2x3] and [4] do not broadcast}}
  %y = anvil.binary add %a, %b : (tensor<2x3xf32>, tensor<4xf32>) -> tensor<2x3xf32>
  return %y : tensor<2x3xf32>
}

// -----

// binary: the result has the broadcast shape.
func.func @binary_result(%a: tensor<2x1xf32>, %b: tensor<3xf32>) -> tensor<2x1xf32> {
  // expected-error @+1 {{does not match the expected shape [2x3]}}
  %y = anvil.binary mul %a, %b : (tensor<2x1xf32>, tensor<3xf32>) -> tensor<2x1xf32>
  return %y : tensor<2x1xf32>
}

// -----

// binary: element types must agree.
func.func @binary_element_type(%a: tensor<3xf32>, %b: tensor<3xi64>) -> tensor<3xf32> {
  // expected-error @+1 {{operand element type 'i64' differs from the result element type 'f32'}}
  %y = anvil.binary add %a, %b : (tensor<3xf32>, tensor<3xi64>) -> tensor<3xf32>
  return %y : tensor<3xf32>
}

// -----

// softmax: the axis must be in [0, rank).
func.func @softmax_axis(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  // expected-error @+1 {{axis 2 is out of range for rank 2}}
  %y = anvil.softmax %x {axis = 2 : i64} : tensor<2x3xf32>
  return %y : tensor<2x3xf32>
}

// -----

// softmax: negative axes are normalized by the importer, not accepted here.
func.func @softmax_negative_axis(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  // expected-error @+1 {{axis -1 is out of range for rank 2}}
  %y = anvil.softmax %x {axis = -1 : i64} : tensor<2x3xf32>
  return %y : tensor<2x3xf32>
}

// -----

// reshape: the element count is preserved.
func.func @reshape_count(%x: tensor<2x3xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{changes the element count from 6 to 4}}
  %y = anvil.reshape %x : tensor<2x3xf32> -> tensor<4xf32>
  return %y : tensor<4xf32>
}

// -----

// flatten: axis in [0, rank].
func.func @flatten_axis(%x: tensor<2x3xf32>) -> tensor<6x1xf32> {
  // expected-error @+1 {{axis 3 is out of range for rank 2}}
  %y = anvil.flatten %x {axis = 3 : i64} : tensor<2x3xf32> -> tensor<6x1xf32>
  return %y : tensor<6x1xf32>
}

// -----

// flatten: the result is [outer, inner].
func.func @flatten_result(%x: tensor<2x3x4xf32>) -> tensor<2x12xf32> {
  // expected-error @+1 {{does not match the expected shape [6x4]}}
  %y = anvil.flatten %x {axis = 2 : i64} : tensor<2x3x4xf32> -> tensor<2x12xf32>
  return %y : tensor<2x12xf32>
}

// -----

// transpose: one perm entry per dim.
func.func @transpose_perm_size(%x: tensor<2x3xf32>) -> tensor<3x2xf32> {
  // expected-error @+1 {{perm has 3 entries for rank 2}}
  %y = anvil.transpose %x {perm = array<i64: 1, 0, 2>} : tensor<2x3xf32> -> tensor<3x2xf32>
  return %y : tensor<3x2xf32>
}

// -----

// transpose: perm must be a permutation.
func.func @transpose_perm_dup(%x: tensor<2x3xf32>) -> tensor<3x3xf32> {
  // expected-error @+1 {{perm is not a permutation of [0, 2)}}
  %y = anvil.transpose %x {perm = array<i64: 1, 1>} : tensor<2x3xf32> -> tensor<3x3xf32>
  return %y : tensor<3x3xf32>
}

// -----

// transpose: the result shape is the permuted input shape.
func.func @transpose_result(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  // expected-error @+1 {{does not match the expected shape [3x2]}}
  %y = anvil.transpose %x {perm = array<i64: 1, 0>} : tensor<2x3xf32> -> tensor<2x3xf32>
  return %y : tensor<2x3xf32>
}

// -----

// concat: at least one input.
func.func @concat_empty() -> tensor<0xf32> {
  // expected-error @+1 {{needs at least one input}}
  %y = anvil.concat {axis = 0 : i64} : () -> tensor<0xf32>
  return %y : tensor<0xf32>
}

// -----

// concat: axis in [0, rank).
func.func @concat_axis(%a: tensor<2x3xf32>) -> tensor<4x3xf32> {
  // expected-error @+1 {{axis 2 is out of range for rank 2}}
  %y = anvil.concat %a, %a {axis = 2 : i64} : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<4x3xf32>
  return %y : tensor<4x3xf32>
}

// -----

// concat: inputs have the same rank.
func.func @concat_rank(%a: tensor<2x3xf32>, %b: tensor<3xf32>) -> tensor<3x3xf32> {
  // expected-error @+1 {{inputs must all have rank 2}}
  %y = anvil.concat %a, %b {axis = 0 : i64} : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<3x3xf32>
  return %y : tensor<3x3xf32>
}

// -----

// concat: inputs agree on every dim but the axis.
func.func @concat_mismatch(%a: tensor<2x3xf32>, %b: tensor<2x4xf32>) -> tensor<4x3xf32> {
  // expected-error @+1 {{inputs differ in dim 1 (4 vs 3)}}
  %y = anvil.concat %a, %b {axis = 0 : i64} : (tensor<2x3xf32>, tensor<2x4xf32>) -> tensor<4x3xf32>
  return %y : tensor<4x3xf32>
}

// -----

// concat: the axis dim is the sum of the inputs'.
func.func @concat_result(%a: tensor<2x3xf32>, %b: tensor<1x3xf32>) -> tensor<4x3xf32> {
  // expected-error @+1 {{does not match the expected shape [3x3]}}
  %y = anvil.concat %a, %b {axis = 0 : i64} : (tensor<2x3xf32>, tensor<1x3xf32>) -> tensor<4x3xf32>
  return %y : tensor<4x3xf32>
}

// -----

// pad: two pads per dim.
func.func @pad_count(%x: tensor<2x3xf32>) -> tensor<4x5xf32> {
  // expected-error @+1 {{pads has 2 entries, expected 4}}
  %y = anvil.pad %x {pads = array<i64: 1, 1>} : tensor<2x3xf32> -> tensor<4x5xf32>
  return %y : tensor<4x5xf32>
}

// -----

// pad: negative pads may crop, but not to nothing.
func.func @pad_empty(%x: tensor<2x3xf32>) -> tensor<1x3xf32> {
  // expected-error @+1 {{pads leave dim 0 empty}}
  %y = anvil.pad %x {pads = array<i64: -1, 0, -1, 0>} : tensor<2x3xf32> -> tensor<1x3xf32>
  return %y : tensor<1x3xf32>
}

// -----

// pad: reflect pads must be smaller than the dim.
func.func @pad_reflect(%x: tensor<2x3xf32>) -> tensor<4x3xf32> {
  // expected-error @+1 {{reflect pads must be smaller than dim 0}}
  %y = anvil.pad %x {pads = array<i64: 2, 0, 0, 0>, mode = #anvil<pad_mode reflect>} : tensor<2x3xf32> -> tensor<4x3xf32>
  return %y : tensor<4x3xf32>
}

// -----

// pad: the result shape adds the pads.
func.func @pad_result(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  // expected-error @+1 {{does not match the expected shape [4x5]}}
  %y = anvil.pad %x {pads = array<i64: 1, 1, 1, 1>} : tensor<2x3xf32> -> tensor<2x3xf32>
  return %y : tensor<2x3xf32>
}

// -----

// Tensors past Anvil's size limit (AnvilLimits.h: 2^36 elements) are
// rejected, so that passes and the emitter can multiply dims safely.
func.func @tensor_too_large(%x: tensor<524288x262144xf32>) -> tensor<524288x262144xf32> {
  // expected-error @+1 {{tensor type 'tensor<524288x262144xf32>' has more than 2^36 elements, Anvil's limit}}
  %y = anvil.unary relu %x : tensor<524288x262144xf32>
  return %y : tensor<524288x262144xf32>
}

// -----

// A window whose dilated size overflows int64 is reported as an overflow.
func.func @window_overflow(%x: tensor<1x1x4x4xf32>) -> tensor<1x1x1x1xf32> {
  // expected-error @+1 {{overflows int64}}
  %y = anvil.max_pool %x {kernel_shape = array<i64: 4611686018427387904, 1>, strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 4, 1>, ceil_mode = false} : tensor<1x1x4x4xf32> -> tensor<1x1x1x1xf32>
  return %y : tensor<1x1x1x1xf32>
}

// -----

// A post operand that no post-op reads.
func.func @post_operand_unread(%x: tensor<1x2x4x4xf32>, %w: tensor<3x2x1x1xf32>, %r: tensor<1x3x4x4xf32>) -> tensor<1x3x4x4xf32> {
  // expected-error @+1 {{post operand 0 is read by 0 post-ops; each is read by exactly one}}
  %c = anvil.conv2d %x, %w post(%r) {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64, post_ops = [#anvil.post<relu>]} : (tensor<1x2x4x4xf32>, tensor<3x2x1x1xf32>, tensor<1x3x4x4xf32>) -> tensor<1x3x4x4xf32>
  return %c : tensor<1x3x4x4xf32>
}

// -----

func.func @post_operand_out_of_range(%x: tensor<1x2x4x4xf32>, %w: tensor<3x2x1x1xf32>) -> tensor<1x3x4x4xf32> {
  // expected-error @+1 {{post-op #anvil.post<add, 0> reads post operand 0 of 0}}
  %c = anvil.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64, post_ops = [#anvil.post<add, 0>]} : (tensor<1x2x4x4xf32>, tensor<3x2x1x1xf32>) -> tensor<1x3x4x4xf32>
  return %c : tensor<1x3x4x4xf32>
}

// -----

// A [2, 5] operand of a [4, 5] result broadcasts no way the kernels read.
func.func @post_operand_layout(%a: tensor<4x8xf32>, %b: tensor<8x5xf32>, %r: tensor<2x5xf32>) -> tensor<4x5xf32> {
  // expected-error @+1 {{post operand 0 of type 'tensor<2x5xf32>' does not broadcast to the result the ways the kernels read}}
  %m = anvil.matmul %a, %b post(%r) {post_ops = [#anvil.post<add, 0>]} : (tensor<4x8xf32>, tensor<8x5xf32>, tensor<2x5xf32>) -> tensor<4x5xf32>
  return %m : tensor<4x5xf32>
}

// -----

func.func @post_unknown_kind(%a: tensor<4x8xf32>, %b: tensor<8x5xf32>) -> tensor<4x5xf32> {
  // expected-error @+1 {{'frobnicate' is not a unary or binary kind}}
  %m = anvil.matmul %a, %b {post_ops = [#anvil.post<frobnicate>]} : (tensor<4x8xf32>, tensor<8x5xf32>) -> tensor<4x5xf32>
  return %m : tensor<4x5xf32>
}
