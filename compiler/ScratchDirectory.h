//===- ScratchDirectory.h - anvilc's temporary directory ---------*- C++ -*-===//
//
// The generated sources, the weights blob, clang's objects and logs live in
// one fresh directory under $TMPDIR while anvilc builds a library. It goes
// away with everything in it when the ScratchDirectory is destroyed (success
// or error) and, as far as a signal handler can, on SIGINT, SIGTERM and
// SIGHUP: the handler unlinks the files directly inside it (it has no
// subdirectories) and removes it, then lets the signal take its course (the
// previous handler, e.g. LLVM's, which removes the output's temporary file,
// or the default action).
//
//===----------------------------------------------------------------------===//

#ifndef ANVIL_COMPILER_SCRATCHDIRECTORY_H
#define ANVIL_COMPILER_SCRATCHDIRECTORY_H

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <memory>
#include <string>

namespace anvil {

class ScratchDirectory {
public:
  /// Creates `$TMPDIR/anvilc-XXXXXX`. One exists at a time (the signal
  /// handler knows one path).
  static llvm::Expected<std::unique_ptr<ScratchDirectory>> create();
  ~ScratchDirectory();
  ScratchDirectory(const ScratchDirectory &) = delete;
  ScratchDirectory &operator=(const ScratchDirectory &) = delete;

  const std::string &path() const { return dir; }
  /// `path()/name`.
  std::string file(llvm::StringRef name) const;

private:
  explicit ScratchDirectory(std::string dir) : dir(std::move(dir)) {}
  std::string dir;
};

} // namespace anvil

#endif // ANVIL_COMPILER_SCRATCHDIRECTORY_H
