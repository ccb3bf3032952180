//===- RuntimeRaceTsanTests.cpp - the pool under TSan ----------*- C++ -*-===//
//
// Built by the project's C++ compiler with -fsanitize=thread together with a
// sanitized copy of the runtime (anvil_runtime_tsan), linked with the
// promises model's object file. The pool's chunks read what the caller wrote
// before parallelFor and write plain (non-atomic) memory that the caller and
// the next job read: ThreadSanitizer reports (and, with halt_on_error, ends
// the test) any of those accesses the pool's synchronization does not order,
// any race inside the pool and contexts, and any thread not joined.
//
//===----------------------------------------------------------------------===//

#include "RuntimePromisesSupport.h"

#include "anvil/ThreadPool.h"

#include <gtest/gtest.h>

#include <sched.h>
#include <thread>

extern "C" const char *__tsan_default_options() {
  return "halt_on_error=1:report_thread_leaks=1";
}

namespace {

using namespace promises;

/// Many jobs of changing sizes and grains on one pool; every chunk reads the
/// job's input (written by the caller just before) and writes its part of
/// the output; the caller checks every element after each job and rewrites
/// the input for the next one.
void manyJobs(anvil::ThreadPool &pool, int jobs) {
  constexpr int64_t kMax = 4096;
  std::vector<int64_t> input(kMax), output(kMax);
  std::vector<int> ranBy(kMax);
  int64_t wrong = 0;
  for (int j = 0; j < jobs; ++j) {
    const int64_t n = 1 + (j * 7919) % kMax;
    const int64_t grain = 1 + j % 17;
    for (int64_t i = 0; i < n; ++i)
      input[i] = j * 1000003 + i;
    pool.parallelFor(n, grain, [&](int64_t b, int64_t e, int t) {
      for (int64_t i = b; i < e; ++i) {
        output[i] = input[i] * 3 + 1;
        ranBy[i] = t;
      }
    });
    for (int64_t i = 0; i < n; ++i)
      wrong += output[i] != (j * 1000003 + i) * 3 + 1 || ranBy[i] < 0 ||
               ranBy[i] >= pool.numThreads();
  }
  EXPECT_EQ(wrong, 0);
}

TEST(Races, PoolManyJobsSpinning) {
  anvil::ThreadPool pool(4, 200);
  manyJobs(pool, 3000);
}

TEST(Races, PoolManyJobsSleeping) {
  // spin 0: every job wakes sleeping workers (the condition variable path).
  anvil::ThreadPool pool(3, 0);
  manyJobs(pool, 1500);
}

TEST(Races, PoolTwoThreadsPinnedToOneCore) {
  std::thread pinned([] {
    cpu_set_t mine, one;
    ASSERT_EQ(sched_getaffinity(0, sizeof(mine), &mine), 0);
    int cpu = 0;
    while (!CPU_ISSET(cpu, &mine))
      ++cpu;
    CPU_ZERO(&one);
    CPU_SET(cpu, &one);
    ASSERT_EQ(sched_setaffinity(0, sizeof(one), &one), 0);
    for (int spin : {0, 200}) {
      anvil::ThreadPool pool(2, spin);
      manyJobs(pool, 500);
    }
  });
  pinned.join();
}

TEST(Races, PoolCreateUseDestroy) {
  // Destroy right after a job, with workers still spinning or asleep.
  for (int i = 0; i < 100; ++i) {
    anvil::ThreadPool pool(2 + i % 3, i % 2 ? 0 : 50);
    manyJobs(pool, 1 + i % 5);
  }
}

TEST(Races, PoolsOnManyThreads) {
  // Throughput mode: independent pools driven from independent threads.
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([t] {
      anvil::ThreadPool pool(2, t % 2 ? 0 : 200);
      manyJobs(pool, 500);
    });
  for (std::thread &t : threads)
    t.join();
}

TEST(Races, ModelContextsConcurrently) {
  // The model's own code is not instrumented; the pool, contexts and the
  // ABI entry points are. 4 contexts x 2 threads, each compared with a
  // serial run.
  Inputs in;
  Outputs ref;
  anvil_context_t *serial = create(2);
  ASSERT_NE(serial, nullptr);
  ASSERT_EQ(run(serial, in, ref), ANVIL_STATUS_OK);
  promises_destroy(serial);
  std::vector<std::thread> threads;
  std::atomic<int> mismatches{0};
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] {
      anvil_context_t *ctx = create(2, 0);
      ASSERT_NE(ctx, nullptr);
      Outputs out;
      for (int r = 0; r < 10; ++r) {
        ASSERT_EQ(run(ctx, in, out), ANVIL_STATUS_OK);
        mismatches += !out.same(ref);
      }
      promises_destroy(ctx);
    });
  for (std::thread &t : threads)
    t.join();
  EXPECT_EQ(mismatches.load(), 0);
}

TEST(Races, TwoThreadsOnOneContext) {
  // Misuse the runtime must survive: two threads running one context. Each
  // run is refused or goes through alone; the flag that decides orders one
  // thread's run before the other's.
  Inputs in;
  anvil_context_t *ctx = create(2, 0);
  ASSERT_NE(ctx, nullptr);
  std::atomic<int> other{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 2; ++t)
    threads.emplace_back([&] {
      Outputs out;
      for (int r = 0; r < 50; ++r) {
        anvil_status_t st = run(ctx, in, out);
        other += st != ANVIL_STATUS_OK && st != ANVIL_STATUS_INVALID_ARGUMENT;
      }
    });
  for (std::thread &t : threads)
    t.join();
  EXPECT_EQ(other.load(), 0);
  promises_destroy(ctx);
}

} // namespace
