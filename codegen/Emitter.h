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

#include "codegen/Target.h"
#include "codegen/WeightsBlob.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <string>
#include <vector>

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

struct TensorDesc;

/// The module attribute (unit) that asks for a profiled library: every op
/// is timed (anvil_context_profile). anvilc --profile sets it.
constexpr llvm::StringLiteral kProfileAttrName = "anvil.profile";

/// One timed op of a profiled variant (anvil_profile_entry_t's static part).
struct ProfileOp {
  std::string name, op, kernel;
  int64_t flops = 0; ///< 0 for ops whose work is not counted in flops
};

/// One variant: the model compiled for one target.
struct EmittedVariant {
  Target target;
  /// Suffix of the variant's file (NAME.TAG.cpp) and run symbol.
  std::string tag;
  std::string source; ///< NAME.TAG.cpp, compiled with compileFlags(target)
  uint64_t arenaBytes = 0;
  uint64_t naiveArenaBytes = 0;
  uint64_t scratchFloatsPerThread = 0;
  uint64_t packBytes = 0;
  int64_t numKernelCalls = 0;
  /// The ops it times, in order; empty unless the module is profiled.
  std::vector<ProfileOp> profile;
};

/// Everything emitModel produces.
struct EmittedModel {
  /// NAME.cpp: the C ABI, the weights blob and the dispatch; compiled with
  /// entryCompileFlags (baseline x86-64).
  std::string source;
  std::string header; ///< NAME.h
  WeightsBlob weights; ///< shared by the variants
  std::vector<EmittedVariant> variants; ///< best first
};

/// `x86-64-v4` -> `x86_64_v4`: a target name as a file and symbol suffix.
std::string sanitizedTag(llvm::StringRef targetName);

/// A location for messages: `file: node 'conv1'` for the importer's
/// NameLoc(FileLineColLoc), `file:line:col` for parsed IR, "" when unknown.
std::string describeLocation(mlir::Location loc);

/// Returns true when `name` is a C identifier usable as a model name.
bool isValidModelName(llvm::StringRef name);

/// The C functions a model named NAME exports (the header declares them).
struct PublicSymbols {
  std::string model, create, run, destroy; ///< NAME_model, NAME_create, ...
};
PublicSymbols publicSymbols(llvm::StringRef name);

/// Why `name` cannot name a model, or "" when it can: not a C identifier,
/// or one of its public symbols is already a function or object of a
/// library this process has loaded (the C library and what anvilc links):
/// `timer` would define `timer_create`, `pthread` `pthread_create`, which
/// the generated code (and every program linking it) would get wrong.
std::string modelNameProblem(llvm::StringRef name);

/// Emits the model from `modules`, one per target, best first (each one
/// `func.func @main` with its #anvil.target, after anvil-select-kernels and
/// anvil-plan-memory). Errors name the offending op by its location.
llvm::Expected<EmittedModel> emitModel(llvm::ArrayRef<mlir::ModuleOp> modules,
                                       const EmitOptions &options);

} // namespace anvil::codegen

#endif // ANVIL_CODEGEN_EMITTER_H
