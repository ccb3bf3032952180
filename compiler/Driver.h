//===- Driver.h - The anvilc compilation driver -----------------*- C++ -*-===//
//
// Everything anvilc does behind its command line: load (import ONNX, or parse
// .mlir), run the pipeline, emit C++, compile with clang++, and write the
// outputs atomically (a failure leaves no output file behind).
//
//===----------------------------------------------------------------------===//

#ifndef ANVIL_COMPILER_DRIVER_H
#define ANVIL_COMPILER_DRIVER_H

#include "compiler/Pipeline.h"

#include "llvm/Support/Error.h"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace anvil {

/// What anvilc writes.
enum class EmitKind {
  Default, ///< from the output's extension: .so (shared library) or .o
  Cpp,     ///< --emit=cpp: OUT.cpp, OUT.h, OUT.weights.bin
  Mlir,    ///< --emit=mlir: the IR after the passes
};

struct CompileOptions {
  std::string input;  ///< .onnx, .onnxtxt, or .mlir (parsed, not imported)
  std::string output; ///< "-" writes text output to stdout
  /// Model name (C identifier); empty: the output stem (`lib` dropped).
  std::string name;
  /// --shape NAME=DIMS pins, as given.
  std::vector<std::string> shapePins;
  EmitKind emit = EmitKind::Default;
  /// --compile-to: stop after this phase.
  std::optional<Phase> compileTo;
  /// --from: the phase the (.mlir) input already went through; the passes of
  /// that phase and earlier ones are skipped (Plan: the input carries its
  /// own memory plan, used as written).
  Phase from = Phase::Import;
  PipelineOptions pipeline;
  /// --target: comma-separated target names (codegen/Target.h). Empty: the
  /// module's own #anvil.target (.mlir input), otherwise `native`.
  std::string targets;
  /// --threads-default: threads a context gets when the caller asks for 0
  /// (0: one per online CPU, the runtime's default).
  int defaultThreads = 0;
  /// --profile: time every op in the generated code (codegen's
  /// kProfileAttrName on each variant's module).
  bool profile = false;
  bool verbose = false;
};

/// The model name anvilc derives from an output path: the file stem with a
/// leading `lib` dropped and non-identifier characters replaced by `_`.
std::string modelNameFromOutput(llvm::StringRef output);

/// The clang++ flags generated code for `targets` (one target) is built
/// with: what `anvilc --print-compile-flags` prints for the kernel tests.
llvm::Expected<std::vector<std::string>>
compileFlagsFor(llvm::StringRef targets);

/// Runs one compilation. Progress (-v) goes to stderr; the returned error's
/// message is what follows `anvilc: error: `.
llvm::Error compile(const CompileOptions &options);

} // namespace anvil

#endif // ANVIL_COMPILER_DRIVER_H
