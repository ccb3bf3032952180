//===- Toolchain.cpp - Drives clang++ over generated code -----------------===//

#include "codegen/Toolchain.h"

#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdlib>
#include <optional>

using namespace anvil::codegen;

Toolchain Toolchain::fromBuild() {
  Toolchain tc{ANVIL_CLANGXX_PATH, ANVIL_SOURCE_DIR, ANVIL_RUNTIME_ARCHIVE};
  if (const char *env = std::getenv("ANVIL_CLANGXX"); env && *env) {
    tc.clangxx = env;
    // A bare name is looked up in PATH.
    if (!llvm::StringRef(tc.clangxx).contains('/'))
      if (auto found = llvm::sys::findProgramByName(tc.clangxx))
        tc.clangxx = *found;
  }
  return tc;
}

std::vector<std::string> anvil::codegen::compileCommand(const Toolchain &tc,
                                                        llvm::StringRef source,
                                                        llvm::StringRef output,
                                                        OutputKind kind) {
  std::vector<std::string> cmd = {
      tc.clangxx,
      "-std=c++20",
      "-O3",
      "-march=x86-64-v4",
      "-mavx512vnni",
      "-mavx512bf16",
      "-fPIC",
      // Kernel template instances stay private to the model.
      "-fvisibility=hidden",
      "-fvisibility-inlines-hidden",
      "-I" + tc.sourceDir + "/runtime/include",
      "-I" + tc.sourceDir + "/runtime",
  };
  if (kind == OutputKind::SharedLibrary) {
    cmd.push_back("-shared");
    cmd.push_back("-DANVIL_EXPORT_GENERIC_ENTRY");
    cmd.push_back(source.str());
    cmd.push_back(tc.runtimeArchive);
    // The runtime is built with hidden visibility: of it, only the ANVIL_API
    // C entry points are exported, next to the model's own.
    cmd.push_back("-lpthread");
  } else {
    cmd.push_back("-c");
    cmd.push_back(source.str());
  }
  cmd.push_back("-o");
  cmd.push_back(output.str());
  return cmd;
}

llvm::Error
anvil::codegen::compileGenerated(const Toolchain &tc, llvm::StringRef source,
                                 llvm::StringRef output, OutputKind kind,
                                 llvm::StringRef logPath, bool echo) {
  std::vector<std::string> cmd = compileCommand(tc, source, output, kind);
  if (echo) {
    llvm::errs() << "anvilc:";
    for (const std::string &a : cmd)
      llvm::errs() << ' ' << a;
    llvm::errs() << '\n';
  }
  llvm::SmallVector<llvm::StringRef> argv(cmd.begin(), cmd.end());
  std::optional<llvm::StringRef> redirects[] = {std::nullopt, logPath, logPath};
  std::string execError;
  bool execFailed = false;
  int rc = llvm::sys::ExecuteAndWait(
      cmd.front(), argv, std::nullopt, redirects, /*SecondsToWait=*/0,
      /*MemoryLimit=*/0, &execError, &execFailed);
  if (execFailed)
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   "cannot run '" + tc.clangxx +
                                       "': " + execError);
  if (rc == 0)
    return llvm::Error::success();

  std::string message = "compiling the generated code with '" + tc.clangxx +
                        "' failed (exit code " + std::to_string(rc) + ")";
  if (!execError.empty())
    message += ": " + execError;
  // Show the first lines of clang's diagnostics.
  if (auto log = llvm::MemoryBuffer::getFile(logPath)) {
    llvm::SmallVector<llvm::StringRef> lines;
    (*log)->getBuffer().split(lines, '\n', /*MaxSplit=*/-1,
                              /*KeepEmpty=*/false);
    constexpr size_t kMaxLines = 20;
    for (size_t i = 0; i < lines.size() && i < kMaxLines; ++i)
      message += "\n  " + lines[i].str();
    if (lines.size() > kMaxLines)
      message += "\n  ... (" + std::to_string(lines.size() - kMaxLines) +
                 " more lines)";
  }
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}
