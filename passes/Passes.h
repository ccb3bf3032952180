//===- Passes.h - anvil graph passes ----------------------------*- C++ -*-===//
//
// Declares the creators of the anvil passes (generated from Passes.td) and
// registerAnvilPasses(), which makes their flags known to anvil-opt.
//
//===----------------------------------------------------------------------===//

#ifndef ANVIL_PASSES_PASSES_H
#define ANVIL_PASSES_PASSES_H

#include "dialects/anvil/IR/AnvilDialect.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Pass/Pass.h"

#include <memory>

namespace mlir::anvil {

#define GEN_PASS_DECL
#include "passes/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "passes/Passes.h.inc"

/// Registers every anvil pass with the global pass registry.
void registerAnvilPasses();

} // namespace mlir::anvil

#endif // ANVIL_PASSES_PASSES_H
