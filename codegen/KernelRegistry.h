//===- KernelRegistry.h - Which kernel each op calls, per ISA ---*- C++ -*-===//
//
// The kernels of runtime/kernels as the compiler knows them: every variant of
// a family (conv2d path and register tile, matmul tile) per ISA, under a
// name that carries op, dtype, layout, tile and ISA
// (`conv2d_f32_nchw_implicit_8x48__avx512`), with the layout of the packed
// weights it reads. anvil-select-kernels chooses one per op from the shape
// and the module's target and records it on the op (kKernelAttr,
// kWeightLayoutAttr); the emitter looks the name up here and prints the call.
// The shape heuristics live here, not in the runtime headers.
//
// Adding a variant: an entry in the family's table in KernelRegistry.cpp
// (and, if a new rule picks it, that rule) plus the kernel it names.
//
//===----------------------------------------------------------------------===//

#ifndef ANVIL_CODEGEN_KERNELREGISTRY_H
#define ANVIL_CODEGEN_KERNELREGISTRY_H

#include "codegen/Target.h"
#include "dialects/anvil/IR/AnvilOps.h"
#include "runtime/kernels/Shapes.h"

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <string>

namespace anvil::codegen {

/// The op attributes anvil-select-kernels sets.
constexpr llvm::StringLiteral kKernelAttr = "anvil.kernel";
constexpr llvm::StringLiteral kWeightLayoutAttr = "anvil.weight_layout";

struct Conv2DKernel {
  std::string name;
  Isa isa;
  anvil::kernels::Conv2DPlan plan;
  /// oneDNN-style tag of the packed weights (`gOihw8o`, `goihw`).
  std::string weightLayout;
};

struct MatmulKernel {
  std::string name;
  Isa isa;
  anvil::kernels::MatmulPlan plan;
  /// Tag of the packed B operand: column panels outermost (`Ba64b`).
  std::string weightLayout;
};

/// The conv2d shape of an op (its operand and result types and attributes),
/// or an error naming what is not 2-D NCHW.
llvm::Expected<anvil::kernels::Conv2DShape>
conv2dShapeOf(mlir::anvil::Conv2DOp op);
/// The matmul shape of an op, batch broadcasting resolved into strides.
llvm::Expected<anvil::kernels::MatmulShape>
matmulShapeOf(mlir::anvil::MatmulOp op);

/// What the caller lets the shape rules pick (anvilc flags).
struct KernelChoices {
  /// false for --no-winograd: no 3x3 conv takes the Winograd path.
  bool winograd = true;
};

/// The registered variant for `isa` that the shape rules pick.
const Conv2DKernel &selectConv2DKernel(const anvil::kernels::Conv2DShape &s,
                                       Isa isa,
                                       const KernelChoices &choices = {});
const MatmulKernel &selectMatmulKernel(const anvil::kernels::MatmulShape &s,
                                       Isa isa);

/// A registered variant by name, or null.
const Conv2DKernel *findConv2DKernel(llvm::StringRef name);
const MatmulKernel *findMatmulKernel(llvm::StringRef name);

/// The Conv2DPath enumerator's name in runtime/kernels/Shapes.h (`Gemm`,
/// `Implicit`, `ChannelVector`, `Depthwise`), as generated code spells it.
llvm::StringRef conv2dPathEnumerator(anvil::kernels::Conv2DPath path);

/// `<family>_f32__<isa>`: the name recorded on ops whose family has one
/// variant per ISA (pooling, elementwise, softmax, data movement).
std::string simpleKernelName(llvm::StringRef family, Isa isa);

} // namespace anvil::codegen

#endif // ANVIL_CODEGEN_KERNELREGISTRY_H
