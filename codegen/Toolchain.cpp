//===- Toolchain.cpp - Drives clang++ over generated code -----------------===//

#include "codegen/Toolchain.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
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

namespace {

/// Language, optimization, `isaFlags`, visibility and include flags: every
/// generated translation unit's command line.
std::vector<std::string> unitFlags(const Toolchain &tc,
                                   std::vector<std::string> isaFlags) {
  std::vector<std::string> flags = {"-std=c++20", "-O3"};
  flags.insert(flags.end(), isaFlags.begin(), isaFlags.end());
  const std::initializer_list<std::string> rest = {
      "-fPIC",
      // Kernel template instances stay private to the model.
      "-fvisibility=hidden", "-fvisibility-inlines-hidden",
      "-I" + tc.sourceDir + "/runtime/include",
      "-I" + tc.sourceDir + "/runtime"};
  flags.insert(flags.end(), rest.begin(), rest.end());
  return flags;
}

llvm::Error makeError(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

/// "compiling ... failed (exit code N)" plus the first lines of the log.
llvm::Error commandFailed(const Toolchain &tc, int rc,
                          const std::string &execError,
                          llvm::StringRef logPath) {
  std::string message = "compiling the generated code with '" + tc.clangxx +
                        "' failed (exit code " + std::to_string(rc) + ")";
  if (!execError.empty())
    message += ": " + execError;
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
  return makeError(message);
}

struct Command {
  std::vector<std::string> argv;
  std::string log;
};

/// Runs the commands concurrently; the first failure (in order) wins.
llvm::Error runAll(const Toolchain &tc, const std::vector<Command> &cmds,
                   bool echo) {
  std::vector<llvm::sys::ProcessInfo> running;
  std::vector<std::string> execErrors(cmds.size());
  for (auto [i, c] : llvm::enumerate(cmds)) {
    if (echo) {
      llvm::errs() << "anvilc:";
      for (const std::string &a : c.argv)
        llvm::errs() << ' ' << a;
      llvm::errs() << '\n';
    }
    llvm::SmallVector<llvm::StringRef> argv(c.argv.begin(), c.argv.end());
    std::optional<llvm::StringRef> redirects[] = {std::nullopt,
                                                  llvm::StringRef(c.log),
                                                  llvm::StringRef(c.log)};
    bool execFailed = false;
    running.push_back(llvm::sys::ExecuteNoWait(
        c.argv.front(), argv, std::nullopt, redirects, /*MemoryLimit=*/0,
        &execErrors[i], &execFailed));
    if (execFailed) {
      for (llvm::sys::ProcessInfo &p : running)
        if (p.Pid != llvm::sys::ProcessInfo::InvalidPid)
          llvm::sys::Wait(p, std::nullopt);
      return makeError("cannot run '" + tc.clangxx + "': " + execErrors[i]);
    }
  }
  std::optional<llvm::Error> first;
  for (auto [i, p] : llvm::enumerate(running)) {
    std::string waitError;
    llvm::sys::ProcessInfo done = llvm::sys::Wait(p, std::nullopt, &waitError);
    if (done.ReturnCode != 0 && !first)
      first = commandFailed(tc, done.ReturnCode, waitError, cmds[i].log);
  }
  if (first)
    return std::move(*first);
  return llvm::Error::success();
}

} // namespace

std::vector<std::string> anvil::codegen::compileFlags(const Toolchain &tc,
                                                      const Target &target) {
  return unitFlags(tc, target.clangFlags());
}

std::vector<std::string>
anvil::codegen::entryCompileFlags(const Toolchain &tc) {
  return unitFlags(tc, {"-march=x86-64", "-mtune=generic"});
}

llvm::Error anvil::codegen::buildLibrary(const Toolchain &tc,
                                         llvm::ArrayRef<TranslationUnit> units,
                                         llvm::StringRef output,
                                         OutputKind kind,
                                         llvm::StringRef workDir, bool echo) {
  std::vector<Command> compiles;
  std::vector<std::string> objects;
  for (auto [i, u] : llvm::enumerate(units)) {
    llvm::SmallString<256> obj(workDir), log(workDir);
    llvm::sys::path::append(obj, "unit" + std::to_string(i) + ".o");
    llvm::sys::path::append(log, "unit" + std::to_string(i) + ".log");
    Command c{{tc.clangxx}, log.str().str()};
    std::vector<std::string> flags = u.kind == TranslationUnit::Entry
                                         ? entryCompileFlags(tc)
                                         : compileFlags(tc, *u.target);
    c.argv.insert(c.argv.end(), flags.begin(), flags.end());
    if (u.kind == TranslationUnit::Entry && kind == OutputKind::SharedLibrary)
      c.argv.push_back("-DANVIL_EXPORT_GENERIC_ENTRY");
    c.argv.insert(c.argv.end(), {"-c", u.path, "-o", obj.str().str()});
    objects.push_back(obj.str().str());
    compiles.push_back(std::move(c));
  }
  if (auto err = runAll(tc, compiles, echo))
    return err;

  llvm::SmallString<256> log(workDir);
  llvm::sys::path::append(log, "link.log");
  Command link{{tc.clangxx}, log.str().str()};
  if (kind == OutputKind::SharedLibrary) {
    link.argv.push_back("-shared");
    link.argv.insert(link.argv.end(), objects.begin(), objects.end());
    // The runtime is built with hidden visibility: of it, only the ANVIL_API
    // C entry points are exported, next to the model's own.
    link.argv.push_back(tc.runtimeArchive);
    link.argv.push_back("-lpthread");
  } else {
    // One relocatable object (ld -r), linked with the runtime by the user.
    link.argv.push_back("-r");
    link.argv.push_back("-nostdlib");
    link.argv.insert(link.argv.end(), objects.begin(), objects.end());
  }
  link.argv.push_back("-o");
  link.argv.push_back(output.str());
  return runAll(tc, {link}, echo);
}
