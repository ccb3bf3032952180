//===- CodegenPasses.h - passes of the kernelize phase ----------*- C++ -*-===//
//
// Creators of the codegen passes (generated from CodegenPasses.td) and
// registerCodegenPasses(), which makes their flags known to anvil-opt.
//
//===----------------------------------------------------------------------===//

#ifndef ANVIL_CODEGEN_CODEGENPASSES_H
#define ANVIL_CODEGEN_CODEGENPASSES_H

#include "dialects/anvil/IR/AnvilDialect.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

#include <memory>

namespace mlir::anvil {

#define GEN_PASS_DECL
#include "codegen/CodegenPasses.h.inc"

#define GEN_PASS_REGISTRATION
#include "codegen/CodegenPasses.h.inc"

/// Registers every codegen pass with the global pass registry.
void registerCodegenPasses();

} // namespace mlir::anvil

#endif // ANVIL_CODEGEN_CODEGENPASSES_H
