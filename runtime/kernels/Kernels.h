//===- Kernels.h - All AVX-512 kernels for generated code ------*- C++ -*-===//
//
// The one header generated code includes ("kernels/Kernels.h", compiled with
// -I <src>/runtime/include -I <src>/runtime and AVX-512 enabled). Every
// kernel is a template over a compile-time shape (Shapes.h), in namespace
// anvil::kernels, and takes an ExecContext for threads and scratch.
//
//===----------------------------------------------------------------------===//

#ifndef ANVIL_KERNELS_KERNELS_H
#define ANVIL_KERNELS_KERNELS_H

#if !defined(__AVX512F__)
#error "anvil kernels need AVX-512 (compile with -march=x86-64-v4)"
#endif

#include "Common.h"
#include "Conv2D.h"
#include "DataMovement.h"
#include "Elementwise.h"
#include "Matmul.h"
#include "Pool.h"
#include "Shapes.h"
#include "Softmax.h"

#endif // ANVIL_KERNELS_KERNELS_H
