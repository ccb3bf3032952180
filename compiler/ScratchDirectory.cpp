//===- ScratchDirectory.cpp - anvilc's temporary directory ----------------===//

#include "compiler/ScratchDirectory.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

#include <atomic>
#include <climits>
#include <csignal>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

using namespace anvil;

namespace {

constexpr int kSignals[] = {SIGINT, SIGTERM, SIGHUP};

/// What the handler reads: written before `armed` is set, cleared after.
char gDir[PATH_MAX];
std::atomic<bool> gArmed{false};
struct sigaction gPrevious[NSIG];

/// Async-signal-safe: open, getdents64, unlinkat, close, rmdir only (no
/// allocation). Unlinking while reading can make getdents skip entries, so
/// it reads again until a pass removes nothing.
void removeScratch() {
  for (int pass = 0; pass < 8; ++pass) {
    int fd = open(gDir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
      return;
    bool removed = false;
    alignas(8) char buf[4096];
    for (;;) {
      ssize_t n = getdents64(fd, buf, sizeof(buf));
      if (n <= 0)
        break;
      for (ssize_t off = 0; off < n;) {
        auto *d = reinterpret_cast<struct dirent64 *>(buf + off);
        off += d->d_reclen;
        if (std::strcmp(d->d_name, ".") == 0 ||
            std::strcmp(d->d_name, "..") == 0)
          continue;
        if (unlinkat(fd, d->d_name, 0) == 0)
          removed = true;
      }
    }
    close(fd);
    if (rmdir(gDir) == 0 || !removed)
      return;
  }
}

void onSignal(int sig) {
  if (gArmed.exchange(false))
    removeScratch();
  sigaction(sig, &gPrevious[sig], nullptr);
  raise(sig);
}

void arm(const std::string &dir) {
  if (dir.size() >= sizeof(gDir))
    return; // too long to hand to the handler; removed on exit only
  std::memcpy(gDir, dir.c_str(), dir.size() + 1);
  static bool installed = false;
  if (!installed) {
    installed = true;
    struct sigaction sa;
    std::memset(&sa, 0, sizeof(sa));
    sa.sa_handler = onSignal;
    sigemptyset(&sa.sa_mask);
    for (int sig : kSignals) {
      // A signal ignored when anvilc started (SIGINT of a background job)
      // stays ignored.
      if (sigaction(sig, nullptr, &gPrevious[sig]) == 0 &&
          gPrevious[sig].sa_handler == SIG_IGN)
        continue;
      sigaction(sig, &sa, &gPrevious[sig]);
    }
  }
  gArmed = true;
}

} // namespace

llvm::Expected<std::unique_ptr<ScratchDirectory>> ScratchDirectory::create() {
  llvm::SmallString<256> dir;
  if (std::error_code ec = llvm::sys::fs::createUniqueDirectory("anvilc", dir))
    return llvm::createStringError(
        llvm::inconvertibleErrorCode(),
        "cannot create a temporary directory: " + ec.message());
  std::unique_ptr<ScratchDirectory> s(new ScratchDirectory(dir.str().str()));
  arm(s->dir);
  return s;
}

ScratchDirectory::~ScratchDirectory() {
  gArmed = false;
  llvm::sys::fs::remove_directories(dir);
}

std::string ScratchDirectory::file(llvm::StringRef name) const {
  llvm::SmallString<256> p(dir);
  llvm::sys::path::append(p, name);
  return p.str().str();
}
