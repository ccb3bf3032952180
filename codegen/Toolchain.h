//===- Toolchain.h - Drives clang++ over generated code ---------*- C++ -*-===//
//
// Compiles a generated translation unit into an object file or a
// self-contained shared library (the runtime archive linked in) with the
// clang++ found when Anvil was configured.
//
//===----------------------------------------------------------------------===//

#ifndef ANVIL_CODEGEN_TOOLCHAIN_H
#define ANVIL_CODEGEN_TOOLCHAIN_H

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

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

/// The clang++ command line (argv[0] included) that builds `output` from
/// `source`.
std::vector<std::string> compileCommand(const Toolchain &tc,
                                        llvm::StringRef source,
                                        llvm::StringRef output,
                                        OutputKind kind);

/// Runs clang++; on failure the error carries the command's diagnostics.
/// `logPath` receives clang's stdout and stderr. With `echo`, the command
/// line is printed to stderr first.
llvm::Error compileGenerated(const Toolchain &tc, llvm::StringRef source,
                             llvm::StringRef output, OutputKind kind,
                             llvm::StringRef logPath, bool echo);

} // namespace anvil::codegen

#endif // ANVIL_CODEGEN_TOOLCHAIN_H
