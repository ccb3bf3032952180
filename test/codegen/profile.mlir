// RUN: rm -rf %t && mkdir -p %t/plain
// RUN: anvilc %s --emit=cpp --name=prof --target=x86-64-v4 --profile -o %t/prof.cpp
// RUN: FileCheck %s < %t/prof.x86_64_v4.cpp
// RUN: FileCheck %s --check-prefix=ENTRY < %t/prof.cpp
// RUN: anvilc %s --emit=cpp --name=prof --target=x86-64-v4 -o %t/plain/prof.cpp
// RUN: FileCheck %s --check-prefix=PLAIN < %t/plain/prof.x86_64_v4.cpp
// RUN: FileCheck %s --check-prefix=PLAIN-ENTRY < %t/plain/prof.cpp

// anvilc --profile: the run function stamps the clock before the first op
// and after each op (anvil::rt::profileStart/profileEnd), and the entry TU
// describes the timed ops, in order, for anvil_context_profile: the nodes,
// the op with its fused post-ops, the kernel and the flops (2 * 1 * 3 * 5 *
// 5 output values * 2 * 3 * 3 products for the conv; pooling counts none).
// Without --profile nothing of it is generated.
// CHECK:      anvil::rt::ContextView view = anvil::rt::view(context);
// CHECK-NEXT: anvil::rt::profileStart(view);
// CHECK:      // anvil.conv2d conv1 + relu1
// CHECK-NEXT: anvil::kernels::conv2d_f32<
// CHECK-NEXT: anvil::rt::profileEnd(view, 0);
// CHECK:      // anvil.max_pool pool1
// CHECK-NEXT: anvil::kernels::max_pool_f32<
// CHECK-NEXT: anvil::rt::profileEnd(view, 1);
// CHECK-NOT:  profileEnd
// ENTRY:      const anvil_profile_entry_t kProfile0[] = {
// ENTRY-NEXT:   {.name = "conv1 + relu1", .op = "anvil.conv2d + relu", .kernel = "conv2d_f32_nchw_{{[a-z0-9_]+}}", .flops = 2700.0, .begin_ns = 0, .end_ns = 0},
// ENTRY-NEXT:   {.name = "pool1", .op = "anvil.max_pool", .kernel = "max_pool_f32__avx512", .flops = 0.0, .begin_ns = 0, .end_ns = 0},
// ENTRY-NEXT: };
// ENTRY:      .run = anvil_prof_run__x86_64_v4, .profile = kProfile0, .numProfileEntries = 2}
// PLAIN-NOT:  profile{{Start|End}}
// PLAIN-ENTRY-NOT: kProfile
// PLAIN-ENTRY: .run = anvil_prof_run__x86_64_v4, .profile = nullptr, .numProfileEntries = 0}
func.func @main(%x: tensor<1x2x5x5xf32>) -> tensor<1x3x4x4xf32> {
  %w = anvil.constant dense<0.5> : tensor<3x2x3x3xf32>
  %b = anvil.constant dense<[1.0, 2.0, 3.0]> : tensor<3xf32>
  %c = anvil.conv2d %x, %w, %b {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, groups = 1 : i64} : (tensor<1x2x5x5xf32>, tensor<3x2x3x3xf32>, tensor<3xf32>) -> tensor<1x3x5x5xf32> loc("conv1")
  %y = anvil.unary relu %c : tensor<1x3x5x5xf32> loc("relu1")
  %p = anvil.max_pool %y {kernel_shape = array<i64: 2, 2>, strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : tensor<1x3x5x5xf32> -> tensor<1x3x4x4xf32> loc("pool1")
  return %p : tensor<1x3x4x4xf32>
}
