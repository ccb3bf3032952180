//===- Toolchain.h - Drives clang++ over generated code ---------*- C++ -*-===//
//
// Compiles a generated translation unit into an object file or a
// self-contained shared library (the runtime archive linked in) with the
// clang++ found when Anvil was configured.
//
//===----------------------------------------------------------------------===//

#ifndef ANVIL_CODEGEN_TOOLCHAIN_H
#define ANVIL_CODEGEN_TOOLCHAIN_H

#include "codegen/Target.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <optional>
#include <string>
#include <vector>

namespace anvil::codegen {

/// Where the compiler, the runtime headers and the runtime archive live.
struct Toolchain {
  std::string clangxx;        ///< clang++ that compiles generated code
  std::string sourceDir;      ///< Anvil source root (runtime/ headers)
  std::string runtimeArchive; ///< libanvil_runtime.a

  /// The toolchain recorded at configure time. The environment variable
  /// ANVIL_CLANGXX overrides the compiler (tests use it to force a failure).
  static Toolchain fromBuild();
};

enum class OutputKind { Object, SharedLibrary };

/// The flags every generated translation unit for `target` is compiled with
/// (language, optimization, target, visibility, include paths): the one
/// definition, which the kernel unit tests also build with (through
/// `anvilc --print-compile-flags`).
std::vector<std::string> compileFlags(const Toolchain &tc,
                                      const Target &target);

/// The flags of a model's entry translation unit (C ABI, CPU check,
/// dispatch): baseline x86-64, so it runs on any CPU the check rejects.
std::vector<std::string> entryCompileFlags(const Toolchain &tc);

/// One generated source file to compile.
struct TranslationUnit {
  std::string path;
  enum Kind { Entry, Variant } kind;
  std::optional<Target> target; ///< for Variant
};

/// Compiles every unit (concurrently) into `workDir` and links them into
/// `output`: a shared library with the runtime archive, or one relocatable
/// object. On failure the error carries the first failing command's
/// diagnostics. With `echo`, each command line is printed to stderr.
llvm::Error buildLibrary(const Toolchain &tc,
                         llvm::ArrayRef<TranslationUnit> units,
                         llvm::StringRef output, OutputKind kind,
                         llvm::StringRef workDir, bool echo);

} // namespace anvil::codegen

#endif // ANVIL_CODEGEN_TOOLCHAIN_H
