//===- RuntimeLeakAsanTests.cpp - create/destroy under LSan ----*- C++ -*-===//
//
// Built by the project's C++ compiler with -fsanitize=address (LeakSanitizer
// included) together with a sanitized copy of the runtime
// (anvil_runtime_asan), linked with the promises model's object file:
// creating and destroying contexts, successfully or not, leaks no memory and
// no thread, and nothing in the runtime reads or writes outside its
// allocations.
//
//===----------------------------------------------------------------------===//

#include "RuntimePromisesSupport.h"

#include "anvil/Context.h"

#include <gtest/gtest.h>
#include <sanitizer/lsan_interface.h>

#include <dirent.h>
#include <thread>

/// Huge requests return null (and create OUT_OF_MEMORY) instead of ending
/// the process, as a plain malloc does.
extern "C" const char *__asan_default_options() {
  return "allocator_may_return_null=1";
}

namespace {

using namespace promises;

int threadCount() {
  int n = 0;
  if (DIR *d = opendir("/proc/self/task")) {
    while (dirent *e = readdir(d))
      n += e->d_name[0] != '.';
    closedir(d);
  }
  return n;
}

constexpr uintptr_t kScramble = uintptr_t(0x5555555555555555);

/// A fresh block whose address survives only scrambled (in a register or a
/// frame below the stack pointer nothing points to it).
__attribute__((noinline)) uintptr_t leakScrambled() {
  return reinterpret_cast<uintptr_t>(std::malloc(4096)) ^ kScramble;
}

TEST(Leaks, LeakCheckerSeesALeak) {
  // The checker is live in this build: a block nobody points to is found.
  // Its address is kept only scrambled, so it can be freed afterwards and the
  // later checks (and the one at exit) see no leak. (LeakSanitizer prints its
  // report of this block: that output is expected.)
  volatile uintptr_t hidden = leakScrambled();
  EXPECT_NE(__lsan_do_recoverable_leak_check(), 0);
  std::free(reinterpret_cast<void *>(hidden ^ kScramble));
  EXPECT_EQ(__lsan_do_recoverable_leak_check(), 0);
}

TEST(Leaks, CreateRunDestroyLoop) {
  Inputs in;
  Outputs out, first;
  const int threadsBefore = threadCount();
  for (int i = 0; i < 1000; ++i) {
    anvil_context_t *ctx = create(2, i % 3 == 0 ? 0 : 200);
    ASSERT_NE(ctx, nullptr) << "iteration " << i;
    // Every 10th context also runs (the result must not change).
    if (i % 10 == 0) {
      ASSERT_EQ(run(ctx, in, i ? out : first), ANVIL_STATUS_OK);
      if (i) {
        ASSERT_TRUE(out.same(first)) << "iteration " << i;
      }
    }
    promises_destroy(ctx);
  }
  EXPECT_EQ(threadCount(), threadsBefore) << "threads outlived destroy";
  EXPECT_EQ(__lsan_do_recoverable_leak_check(), 0);
}

TEST(Leaks, FailedCreatesLeakNothing) {
  const int threadsBefore = threadCount();
  // (Each failed huge allocation makes ASan print a warning.)
  for (int i = 0; i < 5; ++i) {
    anvil_context_options_t o;
    anvil_context_options_init(&o);
    anvil_context_t *ctx = reinterpret_cast<anvil_context_t *>(&o);
    o.num_threads = -1;
    EXPECT_EQ(promises_create(&o, &ctx), ANVIL_STATUS_INVALID_ARGUMENT);
    EXPECT_EQ(ctx, nullptr);
    EXPECT_EQ(promises_create(nullptr, nullptr), ANVIL_STATUS_INVALID_ARGUMENT);
    // Each allocation of a context failing in turn: whatever was allocated
    // before it is freed.
    anvil_context_options_init(&o);
    o.num_threads = 2;
    const uint64_t huge = uint64_t(1) << 46;
    const anvil::rt::ContextLayout layouts[] = {
        {huge, 16, 64}, {64, huge / 4 / 2, 64}, {64, 16, huge}};
    for (const anvil::rt::ContextLayout &l : layouts) {
      ctx = nullptr;
      EXPECT_EQ(anvil::rt::createContext(&o, l, &ctx),
                ANVIL_STATUS_OUT_OF_MEMORY);
      EXPECT_EQ(ctx, nullptr);
    }
  }
  EXPECT_EQ(threadCount(), threadsBefore);
  EXPECT_EQ(__lsan_do_recoverable_leak_check(), 0);
}

TEST(Leaks, ConcurrentCreateDestroy) {
  // Throughput mode's life cycle: contexts made and dropped on many threads
  // at once.
  const int threadsBefore = threadCount();
  Inputs in;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] {
      Outputs out;
      for (int i = 0; i < 50; ++i) {
        anvil_context_t *ctx = create(2);
        ASSERT_NE(ctx, nullptr);
        ASSERT_EQ(run(ctx, in, out), ANVIL_STATUS_OK);
        promises_destroy(ctx);
      }
    });
  for (std::thread &t : threads)
    t.join();
  EXPECT_EQ(threadCount(), threadsBefore);
  EXPECT_EQ(__lsan_do_recoverable_leak_check(), 0);
}

} // namespace
