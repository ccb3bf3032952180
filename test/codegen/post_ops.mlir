// RUN: anvilc %s --emit=cpp --name=fused --target=x86-64-v4 -o - | FileCheck %s
// RUN: anvilc %s --emit=mlir --target=x86-64-v4 -o - | FileCheck %s --check-prefix=IR
// RUN: anvilc %s --emit=mlir --target=x86-64-v4 -o %t.mlir -v 2>&1 | FileCheck %s --check-prefix=VERBOSE
// VERBOSE: fusion: 3 post-ops in 1 conv2d/matmul ops; 0 elementwise ops on their own

// relu(conv(x) + r) * se: the pipeline fuses the add, the relu and the
// per-channel multiply into the conv (anvil-fuse-epilogues), and the call
// carries them as a PostOpList template argument with the two operands.
// IR:       anvil.conv2d %arg0, %{{.+}}, %{{.+}} post(%arg1, %arg2) {{.*}}post_ops = [#anvil.post<add, 0>, #anvil.post<relu>, #anvil.post<mul, 1>]
// IR-NOT:   anvil.unary
// IR-NOT:   anvil.binary
// CHECK: #include "kernels/Kernels.h"
// CHECK:      // anvil.conv2d conv1
// CHECK-NEXT: anvil::kernels::conv2d_f32<anvil::kernels::Avx512, anvil::kernels::Conv2DShape{{.*}}, anvil::kernels::Conv2DPlan{{.*}}, anvil::kernels::PostOpList{.count = 3, .ops = {anvil::kernels::PostOp{.kind = anvil::kernels::PostOpKind::Binary, .binary = anvil::kernels::BinaryKind::Add, .bcast = anvil::kernels::PostBroadcast::Full, .operand = 0, .rowLen = 25, .period = 1}, anvil::kernels::PostOp{.kind = anvil::kernels::PostOpKind::Unary, .unary = anvil::kernels::UnaryKind::Relu, .alpha = 0.0f, .beta = 0.0f}, anvil::kernels::PostOp{.kind = anvil::kernels::PostOpKind::Binary, .binary = anvil::kernels::BinaryKind::Mul, .bcast = anvil::kernels::PostBroadcast::Row, .operand = 1, .rowLen = 25, .period = 3}}}>(in0, weightAt(0), weightAt(576), out0, ec, anvil::kernels::PostOperands<2>{{[{][{]}}in1, in2{{[}][}]}}.ptrs);
// CHECK-NOT: anvil::kernels::unary_f32
// CHECK-NOT: anvil::kernels::binary_f32
func.func @main(%x: tensor<1x2x5x5xf32>, %r: tensor<1x3x5x5xf32>, %se: tensor<1x3x1x1xf32>) -> tensor<1x3x5x5xf32> {
  %w = anvil.constant dense<0.5> : tensor<3x2x3x3xf32>
  %b = anvil.constant dense<[1.0, 2.0, 3.0]> : tensor<3xf32>
  %c = anvil.conv2d %x, %w, %b {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, groups = 1 : i64} : (tensor<1x2x5x5xf32>, tensor<3x2x3x3xf32>, tensor<3xf32>) -> tensor<1x3x5x5xf32> loc("conv1")
  %s = anvil.binary add %c, %r : (tensor<1x3x5x5xf32>, tensor<1x3x5x5xf32>) -> tensor<1x3x5x5xf32> loc("add1")
  %y = anvil.unary relu %s : tensor<1x3x5x5xf32> loc("relu1")
  %z = anvil.binary mul %y, %se : (tensor<1x3x5x5xf32>, tensor<1x3x1x1xf32>) -> tensor<1x3x5x5xf32> loc("se1")
  return %z : tensor<1x3x5x5xf32>
}
