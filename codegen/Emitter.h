//===- Emitter.h - Planned anvil module to C++ ------------------*- C++ -*-===//
//
// Turns the planned `func.func @main` (docs/INTERFACES.md §2) into one C++
// translation unit in which every op is one call of a kernel template from
// runtime/kernels with a compile-time shape, plus the model's public C header
// and its weights blob (§5).
//
//===----------------------------------------------------------------------===//

#ifndef ANVIL_CODEGEN_EMITTER_H
#define ANVIL_CODEGEN_EMITTER_H

#include "codegen/WeightsBlob.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <string>

namespace anvil::codegen {

struct EmitOptions {
  /// The model's C identifier: prefixes NAME_create, NAME_run, ...
  std::string name;
  /// Path the generated source's `.incbin` reads the weights blob from;
  /// absolute, so the source compiles from any directory.
  std::string weightsPath;
  /// Threads a context gets when the caller's options ask for 0 (0: leave
  /// the runtime's default, one per online CPU).
  int defaultThreads = 0;
};

/// Everything emitModel produces.
struct EmittedModel {
  std::string source; ///< NAME.cpp
  std::string header; ///< NAME.h
  WeightsBlob weights;
  uint64_t arenaBytes = 0;
  uint64_t naiveArenaBytes = 0;
  uint64_t scratchFloatsPerThread = 0;
  uint64_t packBytes = 0;
  int64_t numKernelCalls = 0;
};

/// A location for messages: `file: node 'conv1'` for the importer's
/// NameLoc(FileLineColLoc), `file:line:col` for parsed IR, "" when unknown.
std::string describeLocation(mlir::Location loc);

/// Returns true when `name` is a C identifier usable as a model name.
bool isValidModelName(llvm::StringRef name);

/// Emits the model in `module` (one `func.func @main` after anvil-plan-memory).
/// Errors name the offending op by its location.
llvm::Expected<EmittedModel> emitModel(mlir::ModuleOp module,
                                       const EmitOptions &options);

} // namespace anvil::codegen

#endif // ANVIL_CODEGEN_EMITTER_H
