//===- Kernels.h - All kernels for generated code --------------*- C++ -*-===//
//
// The one header generated code includes ("kernels/Kernels.h", compiled with
// -I <src>/runtime/include -I <src>/runtime and at least AVX2 + FMA). Every
// kernel is a template over an ISA trait (Vec.h: Avx2, or Avx512 when the
// translation unit enables AVX-512), a compile-time shape and, for conv2d
// and matmul, a plan (Shapes.h), in namespace anvil::kernels, and takes an
// ExecContext for threads and scratch.
//
//===----------------------------------------------------------------------===//

#ifndef ANVIL_KERNELS_KERNELS_H
#define ANVIL_KERNELS_KERNELS_H

#if !defined(__AVX2__) || !defined(__FMA__)
#error "anvil kernels need at least AVX2 + FMA (compile with -march=x86-64-v3)"
#endif

#include "Common.h"
#include "Conv2D.h"
#include "DataMovement.h"
#include "Elementwise.h"
#include "Matmul.h"
#include "Pool.h"
#include "PostOps.h"
#include "Shapes.h"
#include "Softmax.h"
#include "Vec.h"
#include "VecMath.h"

#endif // ANVIL_KERNELS_KERNELS_H
