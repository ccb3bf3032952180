//===- RuntimeTests.cpp - Thread pool, context and ABI tests ---*- C++ -*-===//
//
// Also checks kernel plans and weight packing (Shapes.h) compiled without
// SIMD flags, exactly as the compiler includes it.
//
//===----------------------------------------------------------------------===//

#include "anvil/Context.h"
#include "anvil/Cpu.h"
#include "anvil/ThreadPool.h"
#include "anvil/runtime.h"
#include "runtime/kernels/Shapes.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <unistd.h>
#include <vector>

extern "C" void anvilAbiCheckC(size_t *descSize, size_t *modelSize,
                               size_t *createOffset, size_t *optionsSize);

using anvil::ThreadPool;

namespace {

//===----------------------------------------------------------------------===//
// ThreadPool
//===----------------------------------------------------------------------===//

/// What one parallelFor call looked like, checked by checkJob.
struct JobRecord {
  explicit JobRecord(ThreadPool &pool, int64_t n)
      : nt(pool.numThreads()), hits(n > 0 ? n : 1), chunkOf(n > 0 ? n : 1),
        running(nt), threadOf(nt) {
    for (auto &h : hits)
      h.store(0);
    for (auto &r : running)
      r.store(0);
    for (auto &t : threadOf)
      t.store(std::thread::id());
  }
  int nt;
  std::vector<std::atomic<int>> hits;
  std::vector<std::atomic<int64_t>> chunkOf; // index -> begin of its chunk
  std::vector<std::atomic<int>> running;     // thread index -> chunks in fn
  std::vector<std::atomic<std::thread::id>> threadOf; // index -> OS thread
  std::atomic<int> calls{0}, badIndex{0}, overlap{0}, wrongThread{0};
  std::atomic<int64_t> emptyChunks{0};

  /// The body of the job: records coverage, index uniqueness among running
  /// chunks, and that a thread index always belongs to one OS thread (index
  /// 0 to the caller).
  void visit(int64_t b, int64_t e, int t, std::thread::id caller) {
    calls.fetch_add(1);
    if (t < 0 || t >= nt) {
      badIndex.fetch_add(1);
      return;
    }
    if (running[t].fetch_add(1) != 0)
      overlap.fetch_add(1);
    std::thread::id self = std::this_thread::get_id(), none;
    if (!threadOf[t].compare_exchange_strong(none, self) && none != self)
      wrongThread.fetch_add(1);
    if ((t == 0) != (self == caller))
      wrongThread.fetch_add(1);
    if (b >= e)
      emptyChunks.fetch_add(1);
    for (int64_t i = b; i < e; ++i) {
      hits[i].fetch_add(1);
      chunkOf[i].store(b);
    }
    running[t].fetch_sub(1);
  }
};

/// Runs parallelFor(n, grain) and checks: each index visited exactly once;
/// chunks are non-empty and exactly the documented ones (home ranges, each
/// cut into homeChunks pieces); thread indices are in range, unique among
/// chunks running at the same time, and 0 is the caller.
void checkCoverage(ThreadPool &pool, int64_t n, int64_t grain = 1) {
  JobRecord rec(pool, n);
  std::thread::id caller = std::this_thread::get_id();
  pool.parallelFor(n, grain, [&](int64_t b, int64_t e, int t) {
    rec.visit(b, e, t, caller);
  });
  const int64_t chunks = pool.chunkCount(n, grain);
  EXPECT_EQ(rec.calls.load(), chunks) << "n=" << n << " grain=" << grain;
  EXPECT_EQ(rec.badIndex.load(), 0);
  EXPECT_EQ(rec.overlap.load(), 0) << "thread index shared by running chunks";
  EXPECT_EQ(rec.wrongThread.load(), 0);
  EXPECT_EQ(rec.emptyChunks.load(), 0);
  for (int64_t i = 0; i < n; ++i)
    ASSERT_EQ(rec.hits[i].load(), 1)
        << "index " << i << " of n=" << n << " grain=" << grain;
  const int parts = pool.homeRanges(n, grain);
  if (parts == 1) {
    // One home range: a single inline chunk.
    EXPECT_EQ(chunks, 1);
    for (int64_t i = 0; i < n; ++i)
      ASSERT_EQ(rec.chunkOf[i].load(), 0);
    return;
  }
  int64_t expectChunks = 0;
  for (int t = 0; t < parts; ++t) {
    int64_t hb, he;
    const int64_t k = ThreadPool::homeChunks(n, grain, parts, t, hb, he);
    EXPECT_GE(k, 1);
    EXPECT_LE(k, ThreadPool::kChunksPerThread);
    expectChunks += k;
    for (int64_t c = 0; c < k; ++c) {
      int64_t b, e;
      ThreadPool::splitRange(he - hb, int(k), int(c), b, e);
      for (int64_t i = hb + b; i < hb + e; ++i)
        ASSERT_EQ(rec.chunkOf[i].load(), hb + b)
            << "home " << t << " chunk " << c << " n=" << n;
    }
  }
  EXPECT_EQ(expectChunks, chunks);
}

TEST(ThreadPool, VisitsEveryIndexOnce) {
  for (int threads : {1, 2, 3, 4, 7}) {
    ThreadPool pool(threads, 50);
    EXPECT_EQ(pool.numThreads(), threads);
    for (int64_t n :
         {0, 1, 2, 3, 5, 6, 7, 8, 13, 28, 29, 64, 100, 1001, 100000})
      for (int64_t grain : {-3, 0, 1, 2, 3, 7, 16, 1000, 1 << 20})
        checkCoverage(pool, n, grain);
  }
}

TEST(ThreadPool, ChunkCount) {
  ThreadPool one(1, 0), two(2, 0), three(3, 0);
  EXPECT_EQ(one.chunkCount(0), 0);
  EXPECT_EQ(one.chunkCount(-4), 0);
  EXPECT_EQ(one.chunkCount(1000), 1); // one thread: always inline
  EXPECT_EQ(two.chunkCount(1), 1);
  EXPECT_EQ(two.chunkCount(2), 2);
  EXPECT_EQ(two.chunkCount(5), 5);
  EXPECT_EQ(two.chunkCount(1000), 2 * ThreadPool::kChunksPerThread);
  EXPECT_EQ(three.chunkCount(1000), 3 * ThreadPool::kChunksPerThread);
  EXPECT_EQ(two.chunkCount(1000, 400), 2);  // chunks of at least the grain
  EXPECT_EQ(two.chunkCount(1000, 300), 2); // 500 per thread: one chunk
  EXPECT_EQ(three.chunkCount(1000, 50), 12);  // 334/333/333 items: 4 each
  EXPECT_EQ(three.chunkCount(1000, 100), 9);  // 3 each
  EXPECT_EQ(three.chunkCount(1000, 200), 3);  // 1 each
  EXPECT_EQ(three.chunkCount(1000, 400), 2);         // two home ranges
  EXPECT_EQ(three.homeRanges(1000, 400), 2);
  EXPECT_EQ(three.homeRanges(1000, 1), 3);
  EXPECT_EQ(three.homeRanges(0, 1), 0);
  {
    // Home ranges are the static split; chunks cut them evenly.
    int64_t b, e;
    EXPECT_EQ(ThreadPool::homeChunks(10, 1, 3, 0, b, e), 4);
    EXPECT_EQ(b, 0);
    EXPECT_EQ(e, 4);
    EXPECT_EQ(ThreadPool::homeChunks(10, 1, 3, 2, b, e), 3);
    EXPECT_EQ(b, 7);
    EXPECT_EQ(e, 10);
    EXPECT_EQ(ThreadPool::homeChunks(10, 2, 3, 1, b, e), 1);
  }
  EXPECT_EQ(two.chunkCount(1000, 1001), 1); // below one grain: inline
  EXPECT_EQ(two.chunkCount(7, 0), 7);       // grain < 1 means 1
}

TEST(ThreadPool, SingleChunkRunsInlineOnCaller) {
  ThreadPool pool(3, 0);
  std::thread::id caller = std::this_thread::get_id();
  int calls = 0; // plain int: must not be touched by another thread
  bool onCaller = true;
  pool.parallelFor(1, [&](int64_t b, int64_t e, int t) {
    calls++;
    onCaller = onCaller && t == 0 && b == 0 && e == 1 &&
               std::this_thread::get_id() == caller;
  });
  pool.parallelFor(100, 100, [&](int64_t b, int64_t e, int t) {
    calls++;
    onCaller = onCaller && t == 0 && b == 0 && e == 100 &&
               std::this_thread::get_id() == caller;
  });
  EXPECT_EQ(calls, 2);
  EXPECT_TRUE(onCaller);
}

TEST(ThreadPool, ZeroIsNoCall) {
  ThreadPool pool(3, 0);
  std::atomic<int> calls{0};
  pool.parallelFor(0, [&](int64_t, int64_t, int) { calls++; });
  pool.parallelFor(-5, [&](int64_t, int64_t, int) { calls++; });
  pool.parallelFor(-5, 4, [&](int64_t, int64_t, int) { calls++; });
  EXPECT_EQ(calls.load(), 0);
}

TEST(ThreadPool, NonPositiveThreadCountMeansOne) {
  ThreadPool a(0, 0), b(-3, -1);
  EXPECT_EQ(a.numThreads(), 1);
  EXPECT_EQ(b.numThreads(), 1);
  checkCoverage(a, 10);
}

TEST(ThreadPool, RepeatedCallsSumCorrectly) {
  ThreadPool pool(4, 200);
  std::vector<int64_t> data(777);
  for (size_t i = 0; i < data.size(); ++i)
    data[i] = int64_t(i);
  for (int iter = 0; iter < 3000; ++iter) {
    std::atomic<int64_t> sum{0};
    int64_t n = 1 + iter % 777;
    pool.parallelFor(n, [&](int64_t b, int64_t e, int) {
      int64_t s = 0;
      for (int64_t i = b; i < e; ++i)
        s += data[i];
      sum += s;
    });
    ASSERT_EQ(sum.load(), n * (n - 1) / 2) << "iteration " << iter;
  }
}

/// 100k tiny jobs back to back: workers constantly wake up after the job
/// they woke for is over (the caller often finishes alone). Each job checks
/// its own sum, per-chunk thread-index exclusivity (a non-atomic owner
/// slot per thread index) and that no chunk of an earlier job runs late.
void stressBackToBack(int threads, int spinUs, int jobs) {
  ThreadPool pool(threads, spinUs);
  struct alignas(64) Slot {
    int64_t owner = -1; // plain: only the thread holding the index touches it
  };
  std::vector<Slot> slots(threads);
  std::atomic<int64_t> current{-1};
  std::atomic<int> stale{0}, badSum{0}, shared{0};
  std::atomic<int64_t> workerChunks{0};
  for (int job = 0; job < jobs; ++job) {
    current.store(job);
    const int64_t n = 1 + job % 37;
    std::atomic<int64_t> sum{0};
    pool.parallelFor(n, 1 + job % 3, [&](int64_t b, int64_t e, int t) {
      if (current.load() != job)
        stale.fetch_add(1);
      Slot &s = slots[t];
      const int64_t me = int64_t(job) * 64 + b; // unique per chunk
      s.owner = me;
      if (t != 0)
        workerChunks.fetch_add(1, std::memory_order_relaxed);
      int64_t local = 0;
      for (int64_t i = b; i < e; ++i) {
        // ~100 ns per item, so workers get a chance to join in.
        volatile int64_t x = i + 1;
        for (int k = 0; k < 50; ++k)
          x = x + 0;
        local += x;
      }
      if (s.owner != me)
        shared.fetch_add(1);
      sum.fetch_add(local);
    });
    if (sum.load() != n * (n + 1) / 2)
      badSum.fetch_add(1);
  }
  EXPECT_EQ(badSum.load(), 0) << threads << " threads, spin " << spinUs;
  EXPECT_EQ(stale.load(), 0);
  EXPECT_EQ(shared.load(), 0);
  // How often workers took part is up to the scheduler (the delayed-worker
  // tests below force it); report it.
  std::printf("  %d threads, spin %d us: %d jobs, %lld chunks run by workers\n",
              threads, spinUs, jobs, (long long)workerChunks.load());
}

TEST(ThreadPool, StressManySmallJobs) {
  stressBackToBack(2, 200, 100000);
  stressBackToBack(3, 50, 30000); // more threads than cores
  stressBackToBack(2, 0, 20000);  // workers sleep between jobs
}

TEST(ThreadPool, StressCoverageManyShapes) {
  // Full checks (exact chunks, exclusivity, caller = 0) on many back-to-back
  // jobs of different sizes and grains.
  for (int threads : {2, 3}) {
    ThreadPool pool(threads, threads == 2 ? 100 : 0);
    for (int iter = 0; iter < 3000; ++iter)
      checkCoverage(pool, 1 + (iter * 7) % 61, 1 + iter % 5);
  }
}

TEST(ThreadPool, DelayedWorkerDoesNotBlockOthers) {
  // A worker is stuck in its first chunk until every other chunk is done:
  // only possible if the remaining chunks are not statically tied to it.
  for (int threads : {2, 3}) {
    ThreadPool pool(threads, 100);
    for (int rep = 0; rep < 5; ++rep) {
      const int64_t n = 1000;
      const int64_t chunks = pool.chunkCount(n);
      std::vector<std::atomic<int>> hits(n);
      for (auto &h : hits)
        h.store(0);
      std::atomic<int64_t> finished{0};
      std::atomic<bool> blocked{false}, timedOut{false};
      pool.parallelFor(n, [&](int64_t b, int64_t e, int t) {
        if (t == 0) {
          // Make sure a worker holds a chunk before the caller goes on.
          auto deadline =
              std::chrono::steady_clock::now() + std::chrono::seconds(10);
          while (!blocked.load() && std::chrono::steady_clock::now() < deadline)
            std::this_thread::yield();
        }
        if (t != 0 && !blocked.exchange(true)) {
          auto deadline =
              std::chrono::steady_clock::now() + std::chrono::seconds(10);
          while (finished.load() < chunks - 1)
            if (std::chrono::steady_clock::now() > deadline) {
              timedOut = true;
              break;
            } else {
              std::this_thread::yield();
            }
        }
        for (int64_t i = b; i < e; ++i)
          hits[i].fetch_add(1);
        finished.fetch_add(1);
      });
      EXPECT_TRUE(blocked.load()) << "no worker took a chunk";
      EXPECT_FALSE(timedOut.load()) << threads << " threads";
      EXPECT_EQ(finished.load(), chunks);
      for (int64_t i = 0; i < n; ++i)
        ASSERT_EQ(hits[i].load(), 1) << "index " << i;
      // The next job runs normally right after.
      checkCoverage(pool, 100);
    }
  }
}

TEST(ThreadPool, SleepingWorkerInFirstChunk) {
  // A worker descheduled for 100 ms in its first chunk: the caller takes
  // every other chunk, the job still completes exactly, and the following
  // jobs are unaffected.
  ThreadPool pool(2, 200);
  const int64_t n = 64;
  const int64_t chunks = pool.chunkCount(n);
  for (int rep = 0; rep < 3; ++rep) {
    JobRecord rec(pool, n);
    std::thread::id caller = std::this_thread::get_id();
    std::atomic<bool> slept{false};
    std::atomic<int> callerChunks{0}, workerChunks{0};
    auto t0 = std::chrono::steady_clock::now();
    pool.parallelFor(n, [&](int64_t b, int64_t e, int t) {
      if (t == 0) {
        // Make sure the worker holds a chunk before the caller goes on.
        auto deadline =
            std::chrono::steady_clock::now() + std::chrono::seconds(10);
        while (!slept.load() && std::chrono::steady_clock::now() < deadline)
          std::this_thread::yield();
      }
      if (t != 0 && !slept.exchange(true))
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
      (t == 0 ? callerChunks : workerChunks).fetch_add(1);
      rec.visit(b, e, t, caller);
    });
    double ms = std::chrono::duration<double, std::milli>(
                    std::chrono::steady_clock::now() - t0)
                    .count();
    EXPECT_EQ(rec.calls.load(), chunks);
    EXPECT_EQ(rec.overlap.load(), 0);
    EXPECT_EQ(rec.wrongThread.load(), 0);
    for (int64_t i = 0; i < n; ++i)
      ASSERT_EQ(rec.hits[i].load(), 1) << "index " << i;
    // The job waited for the sleeping chunk, and the caller did the rest.
    ASSERT_TRUE(slept.load()) << "the worker never took a chunk";
    EXPECT_GE(ms, 99.0);
    EXPECT_EQ(workerChunks.load(), 1);
    EXPECT_EQ(callerChunks.load(), chunks - 1);
    for (int k = 0; k < 100; ++k)
      checkCoverage(pool, 1 + k);
  }
}

TEST(ThreadPool, WakesSleepingWorkers) {
  // spin 0: workers go straight to the condition variable between calls.
  ThreadPool pool(3, 0);
  for (int iter = 0; iter < 20; ++iter) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
    checkCoverage(pool, 3 + iter);
  }
}

TEST(ThreadPool, WorkersRunConcurrently) {
  // Each chunk waits until all three have started: only passes if the
  // workers really run in parallel with the caller.
  ThreadPool pool(3, 100);
  std::atomic<int> arrived{0};
  std::atomic<bool> ok{true};
  pool.parallelFor(3, [&](int64_t, int64_t, int) {
    arrived++;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (arrived.load() < 3)
      if (std::chrono::steady_clock::now() > deadline) {
        ok = false;
        return;
      }
  });
  EXPECT_TRUE(ok.load());
  EXPECT_EQ(arrived.load(), 3);
}

TEST(ThreadPool, DestroyIdleAndAfterUse) {
  for (int i = 0; i < 50; ++i) {
    ThreadPool idle(4, i % 2 ? 0 : 1000);
  }
  for (int i = 0; i < 50; ++i) {
    // Destroyed while workers still spin (1000 us) or already sleep (0 us).
    ThreadPool used(3, i % 2 ? 0 : 1000);
    checkCoverage(used, 10);
  }
  for (int i = 0; i < 10; ++i) {
    // Destroyed after the workers have certainly gone to sleep.
    ThreadPool used(2, 0);
    checkCoverage(used, 10);
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  SUCCEED();
}

TEST(ThreadPool, SplitRangeIsBalance211) {
  int64_t b, e;
  ThreadPool::splitRange(10, 3, 0, b, e);
  EXPECT_EQ(b, 0);
  EXPECT_EQ(e, 4);
  ThreadPool::splitRange(10, 3, 1, b, e);
  EXPECT_EQ(b, 4);
  EXPECT_EQ(e, 7);
  ThreadPool::splitRange(10, 3, 2, b, e);
  EXPECT_EQ(b, 7);
  EXPECT_EQ(e, 10);
  ThreadPool::splitRange(2, 4, 3, b, e);
  EXPECT_EQ(b, e);
}

TEST(ThreadPool, CallableIsNotCopied) {
  // Type erasure passes the callable by address; a copy would lose state.
  struct Counter {
    std::atomic<int> *count;
    int copies = 0;
    Counter(std::atomic<int> *c) : count(c) {}
    Counter(const Counter &o) : count(o.count), copies(o.copies + 1) {
      ADD_FAILURE() << "callable copied";
    }
    void operator()(int64_t b, int64_t e, int) const { *count += int(e - b); }
  };
  ThreadPool pool(3, 0);
  std::atomic<int> count{0};
  Counter c(&count);
  pool.parallelFor(100, c);
  pool.parallelFor(100, 7, c);
  EXPECT_EQ(count.load(), 200);
}

//===----------------------------------------------------------------------===//
// Context and C ABI
//===----------------------------------------------------------------------===//

bool aligned64(const void *p) {
  return (reinterpret_cast<uintptr_t>(p) & 63) == 0;
}

TEST(Context, OptionsInitDefaults) {
  anvil_context_options_t o;
  o.num_threads = 123;
  o.spin_us = -7;
  anvil_context_options_init(&o);
  EXPECT_EQ(o.num_threads, 0);
  EXPECT_GT(o.spin_us, 0);
  anvil_context_options_init(nullptr); // must not crash
}

TEST(Context, CreateAlignsAndSizesBuffers) {
  anvil_context_options_t o;
  anvil_context_options_init(&o);
  o.num_threads = 3;
  anvil::rt::ContextLayout layout{1000, 37, 4097};
  anvil_context_t *ctx = nullptr;
  ASSERT_EQ(anvil::rt::createContext(&o, layout, &ctx), ANVIL_STATUS_OK);
  ASSERT_NE(ctx, nullptr);
  anvil::rt::ContextView v = anvil::rt::view(ctx);
  ASSERT_NE(v.pool, nullptr);
  EXPECT_EQ(v.pool->numThreads(), 3);
  ASSERT_NE(v.arena, nullptr);
  ASSERT_NE(v.scratch, nullptr);
  ASSERT_NE(v.pack, nullptr);
  EXPECT_TRUE(aligned64(v.arena));
  EXPECT_TRUE(aligned64(v.scratch));
  EXPECT_TRUE(aligned64(v.pack));
  EXPECT_GE(v.scratchFloatsPerThread, 37);
  EXPECT_EQ(v.scratchFloatsPerThread % 16, 0);
  for (int t = 0; t < 3; ++t)
    EXPECT_TRUE(aligned64(v.scratch + t * v.scratchFloatsPerThread));
  // The memory is really there (ASan/valgrind would flag overruns).
  std::memset(v.arena, 1, 1000);
  std::memset(v.pack, 2, 4097);
  std::memset(v.scratch, 3, 3 * v.scratchFloatsPerThread * sizeof(float));
  EXPECT_STREQ(anvil_context_last_error(ctx), "");
  anvil::rt::destroyContext(ctx);
}

TEST(Context, ZeroSizesAndDefaultThreads) {
  anvil_context_t *ctx = nullptr;
  ASSERT_EQ(anvil::rt::createContext(nullptr, {0, 0, 0}, &ctx),
            ANVIL_STATUS_OK);
  anvil::rt::ContextView v = anvil::rt::view(ctx);
  EXPECT_EQ(v.pool->numThreads(), int(sysconf(_SC_NPROCESSORS_ONLN)));
  EXPECT_NE(v.arena, nullptr);
  EXPECT_EQ(v.pack, nullptr);
  anvil::rt::destroyContext(ctx);
}

TEST(Context, BadArguments) {
  anvil_context_options_t o;
  anvil_context_options_init(&o);
  anvil_context_t *ctx = reinterpret_cast<anvil_context_t *>(0x1);
  o.num_threads = -1;
  EXPECT_EQ(anvil::rt::createContext(&o, {64, 0, 0}, &ctx),
            ANVIL_STATUS_INVALID_ARGUMENT);
  EXPECT_EQ(ctx, nullptr);
  anvil_context_options_init(&o);
  o.spin_us = -1;
  EXPECT_EQ(anvil::rt::createContext(&o, {64, 0, 0}, &ctx),
            ANVIL_STATUS_INVALID_ARGUMENT);
  o.spin_us = 0;
  o.num_threads = 1 << 30;
  EXPECT_EQ(anvil::rt::createContext(&o, {64, 0, 0}, &ctx),
            ANVIL_STATUS_INVALID_ARGUMENT);
  EXPECT_EQ(anvil::rt::createContext(nullptr, {64, 0, 0}, nullptr),
            ANVIL_STATUS_INVALID_ARGUMENT);
}

TEST(Context, HugeAllocationsAreOutOfMemory) {
  anvil_context_options_t o;
  anvil_context_options_init(&o);
  o.num_threads = 2;
  anvil_context_t *ctx = reinterpret_cast<anvil_context_t *>(0x1);
  EXPECT_EQ(anvil::rt::createContext(&o, {uint64_t(1) << 62, 0, 0}, &ctx),
            ANVIL_STATUS_OUT_OF_MEMORY);
  EXPECT_EQ(ctx, nullptr);
  EXPECT_EQ(anvil::rt::createContext(&o, {64, uint64_t(1) << 61, 0}, &ctx),
            ANVIL_STATUS_OUT_OF_MEMORY);
  EXPECT_EQ(anvil::rt::createContext(&o, {64, 0, UINT64_MAX}, &ctx),
            ANVIL_STATUS_OUT_OF_MEMORY);
  EXPECT_EQ(ctx, nullptr);
}

TEST(Context, FailRecordsLastError) {
  anvil_context_t *ctx = nullptr;
  anvil_context_options_t o;
  anvil_context_options_init(&o);
  o.num_threads = 1;
  ASSERT_EQ(anvil::rt::createContext(&o, {64, 0, 0}, &ctx), ANVIL_STATUS_OK);
  EXPECT_EQ(
      anvil::rt::fail(ctx, ANVIL_STATUS_INVALID_ARGUMENT, "input 0 is null"),
      ANVIL_STATUS_INVALID_ARGUMENT);
  EXPECT_STREQ(anvil_context_last_error(ctx), "input 0 is null");
  std::string longMsg(5000, 'x');
  EXPECT_EQ(anvil::rt::fail(ctx, ANVIL_STATUS_INTERNAL, longMsg.c_str()),
            ANVIL_STATUS_INTERNAL);
  std::string got = anvil_context_last_error(ctx);
  EXPECT_GT(got.size(), 100u);
  EXPECT_LT(got.size(), longMsg.size());
  EXPECT_EQ(got, longMsg.substr(0, got.size()));
  EXPECT_EQ(anvil::rt::fail(ctx, ANVIL_STATUS_INTERNAL, nullptr),
            ANVIL_STATUS_INTERNAL);
  EXPECT_STREQ(anvil_context_last_error(ctx), "internal error");
  // A null context still reports the status.
  EXPECT_EQ(anvil::rt::fail(nullptr, ANVIL_STATUS_OUT_OF_MEMORY, "x"),
            ANVIL_STATUS_OUT_OF_MEMORY);
  anvil::rt::destroyContext(ctx);
  anvil::rt::destroyContext(nullptr);
  EXPECT_NE(anvil_context_last_error(nullptr), nullptr);
}

TEST(Context, ManyContextsRunIndependently) {
  // Throughput mode: several contexts, each driven from its own thread.
  std::vector<std::thread> drivers;
  std::atomic<int> failures{0};
  for (int d = 0; d < 3; ++d)
    drivers.emplace_back([&] {
      anvil_context_options_t o;
      anvil_context_options_init(&o);
      o.num_threads = 2;
      o.spin_us = 10;
      anvil_context_t *ctx = nullptr;
      if (anvil::rt::createContext(&o, {4096, 16, 0}, &ctx) !=
          ANVIL_STATUS_OK) {
        failures++;
        return;
      }
      ThreadPool *pool = anvil::rt::view(ctx).pool;
      for (int iter = 0; iter < 200; ++iter) {
        std::atomic<int64_t> sum{0};
        pool->parallelFor(100, [&](int64_t b, int64_t e, int) {
          for (int64_t i = b; i < e; ++i)
            sum += i;
        });
        if (sum.load() != 4950)
          failures++;
      }
      anvil::rt::destroyContext(ctx);
    });
  for (auto &t : drivers)
    t.join();
  EXPECT_EQ(failures.load(), 0);
}

TEST(Abi, StatusStringsAndConstants) {
  EXPECT_EQ(ANVIL_ABI_VERSION, 2);
  EXPECT_EQ(int(ANVIL_STATUS_OK), 0);
  EXPECT_EQ(int(ANVIL_STATUS_ABI_MISMATCH), 4);
  EXPECT_EQ(int(ANVIL_STATUS_UNSUPPORTED_CPU), 5);
  EXPECT_EQ(int(ANVIL_DTYPE_F32), 1);
  EXPECT_EQ(ANVIL_MAX_RANK, 8);
  EXPECT_STREQ(ANVIL_MODEL_GET_SYMBOL, "anvil_model_get");
  std::vector<std::string> names;
  for (int s = 0; s <= 5; ++s) {
    const char *n = anvil_status_string(anvil_status_t(s));
    ASSERT_NE(n, nullptr);
    for (const auto &prev : names)
      EXPECT_NE(prev, n);
    names.push_back(n);
  }
  EXPECT_STREQ(anvil_status_string(ANVIL_STATUS_OK), "ok");
  EXPECT_NE(anvil_status_string(anvil_status_t(99)), nullptr);
}

TEST(Abi, CAndCppAgreeOnLayout) {
  size_t desc, model, createOff, options;
  anvilAbiCheckC(&desc, &model, &createOff, &options);
  EXPECT_EQ(desc, sizeof(anvil_tensor_desc_t));
  EXPECT_EQ(model, sizeof(anvil_model_t));
  EXPECT_EQ(createOff, offsetof(anvil_model_t, create));
  EXPECT_EQ(options, sizeof(anvil_context_options_t));
}

//===----------------------------------------------------------------------===//
// Shapes.h: plans and packing, compiled without SIMD flags
//===----------------------------------------------------------------------===//

using namespace anvil::kernels;

/// Gemm-path layout gOIhw{mr}o: blocks of mr output channels, one group's
/// reduction rows inside each block (red <= kConvKC: a single slice).
void checkConvPackGemm(const Conv2DPlan &p) {
  // Two groups, 11 output channels per group.
  constexpr Conv2DShape s{1, 6, 5, 5, 22, 2, 3, 4, 3,
                          1, 1, 0, 0, 0,  0, 1, 1, 2};
  ASSERT_TRUE(conv2dPlanIsValid(s, p));
  const int64_t red = 3 * 2 * 3, mr = p.mr, blocks = ceilDiv(11, mr);
  ASSERT_EQ(conv2dPackedWeightFloats(s, p), 2 * blocks * red * mr);
  std::vector<float> w(22 * red), packed(conv2dPackedWeightFloats(s, p), -1.0f);
  for (size_t i = 0; i < w.size(); ++i)
    w[i] = float(i + 1);
  conv2dPackWeights(s, p, w.data(), packed.data());
  for (int64_t g = 0; g < 2; ++g)
    for (int64_t b = 0; b < blocks; ++b)
      for (int64_t j = 0; j < red; ++j)
        for (int64_t i = 0; i < mr; ++i) {
          int64_t oc = b * mr + i;
          float want = oc < 11 ? w[(g * 11 + oc) * red + j] : 0.0f;
          ASSERT_EQ(packed[((g * blocks + b) * red + j) * mr + i], want);
        }
}

TEST(Shapes, ConvPackGemmLayout) {
  // AVX-512 (8 channels per block) and AVX2 (6) tuned tiles, and an odd one.
  checkConvPackGemm(conv2dTunedPlan(Conv2DPath::Gemm, 16));
  checkConvPackGemm(conv2dTunedPlan(Conv2DPath::Implicit, 8));
  checkConvPackGemm({Conv2DPath::Gemm, 8, 5, 2});
}

TEST(Shapes, ConvPackChannelVectorSlicedPanels) {
  // 300 reduction rows: slices of 128, 128, 44 stored outermost; panels of
  // nr * lanes channels (48 on AVX-512, 16 on AVX2), 50 channels.
  constexpr Conv2DShape s{1, 300, 3, 3, 50, 1, 1, 3, 3,
                          1, 1,   0, 0, 0,  0, 1, 1, 1};
  for (int64_t lanes : {16, 8}) {
    const Conv2DPlan p = conv2dTunedPlan(Conv2DPath::ChannelVector, lanes);
    ASSERT_TRUE(conv2dPlanIsValid(s, p));
    const int64_t width = p.nr * lanes, panels = ceilDiv(50, width);
    EXPECT_EQ(width, lanes == 16 ? 48 : 16);
    ASSERT_EQ(conv2dPackedWeightFloats(s, p), panels * 300 * width);
    std::vector<float> w(50 * 300), packed(conv2dPackedWeightFloats(s, p));
    for (size_t i = 0; i < w.size(); ++i)
      w[i] = float(i + 1);
    conv2dPackWeights(s, p, w.data(), packed.data());
    for (int64_t b = 0; b < panels; ++b)
      for (int64_t j = 0; j < 300; ++j) {
        const int64_t k0 = j / 128 * 128, kc = std::min<int64_t>(300 - k0, 128);
        for (int64_t i = 0; i < width; ++i) {
          const int64_t oc = b * width + i;
          const float want = oc < 50 ? w[oc * 300 + j] : 0.0f;
          ASSERT_EQ(packed[(k0 * panels + b * kc + (j - k0)) * width + i], want)
              << "lanes " << lanes << " panel " << b << " row " << j;
        }
      }
  }
}

TEST(Shapes, ConvPackDepthwiseIsPlain) {
  constexpr Conv2DShape s{1, 4, 6, 6, 8, 3, 3, 6, 6, 1, 1, 1, 1, 1, 1, 1, 1, 4};
  constexpr Conv2DPlan p = conv2dTunedPlan(Conv2DPath::Depthwise, 8);
  static_assert(conv2dPlanIsValid(s, p));
  static_assert(conv2dPackedWeightFloats(s, p) == 8 * 9);
  std::vector<float> w(72), packed(72);
  for (int i = 0; i < 72; ++i)
    w[i] = float(i) * 0.5f;
  conv2dPackWeights(s, p, w.data(), packed.data());
  EXPECT_EQ(w, packed);
}

TEST(Shapes, PlanValidity) {
  constexpr Conv2DShape dense{1, 8, 9, 9, 16, 3, 3, 9, 9,
                              1, 1, 1, 1, 1,  1, 1, 1, 1};
  constexpr Conv2DShape strided{1, 8, 9, 9, 16, 3, 3, 5, 5,
                                2, 2, 1, 1, 1,  1, 1, 1, 1};
  constexpr Conv2DShape depthwise{1, 8, 9, 9, 16, 3, 3, 9, 9,
                                  1, 1, 1, 1, 1,  1, 1, 1, 8};
  using P = Conv2DPath;
  for (int64_t lanes : {8, 16}) {
    for (P path : {P::Gemm, P::Implicit, P::ChannelVector})
      EXPECT_TRUE(conv2dPlanIsValid(dense, conv2dTunedPlan(path, lanes)));
    EXPECT_FALSE(conv2dPlanIsValid(dense, conv2dTunedPlan(P::Depthwise, lanes)));
    // Implicit needs stride 1; Depthwise one input channel per group.
    EXPECT_FALSE(conv2dPlanIsValid(strided, conv2dTunedPlan(P::Implicit, lanes)));
    EXPECT_TRUE(conv2dPlanIsValid(strided, conv2dTunedPlan(P::Gemm, lanes)));
    EXPECT_TRUE(
        conv2dPlanIsValid(depthwise, conv2dTunedPlan(P::Depthwise, lanes)));
    EXPECT_TRUE(conv2dPlanIsValid(depthwise, conv2dTunedPlan(P::Gemm, lanes)));
    EXPECT_TRUE(matmulPlanIsValid(MatmulShape{}, matmulTunedPlan(lanes)));
  }
  // The tuned tiles: AVX-512's as before the AVX2 port, AVX2's within 16 ymm.
  static_assert(conv2dTunedPlan(P::Gemm, 16).mr == 8 &&
                conv2dTunedPlan(P::Gemm, 16).nr == 3);
  static_assert(matmulTunedPlan(16).mr == 6 && matmulTunedPlan(16).nr == 4);
  // Accumulators + B vectors + 1 broadcast must fit the registers.
  EXPECT_TRUE(conv2dPlanIsValid(dense, {P::Gemm, 8, 4, 3}));    // 16 of 16
  EXPECT_FALSE(conv2dPlanIsValid(dense, {P::Gemm, 8, 8, 3}));   // 28 of 16
  EXPECT_TRUE(conv2dPlanIsValid(dense, {P::Gemm, 16, 8, 3}));   // 28 of 32
  EXPECT_FALSE(conv2dPlanIsValid(dense, {P::Gemm, 16, 8, 4}));  // 37 of 32
  EXPECT_FALSE(conv2dPlanIsValid(dense, {P::Gemm, 4, 2, 2}));   // no such ISA
  EXPECT_FALSE(conv2dPlanIsValid(depthwise, {P::Depthwise, 8, 2, 4}));
  EXPECT_FALSE(matmulPlanIsValid(MatmulShape{}, {8, 6, 3}));     // 25 of 16
  EXPECT_TRUE(matmulPlanIsValid(MatmulShape{}, {16, 6, 4}));
}

TEST(Shapes, ScratchSizes) {
  constexpr Conv2DPlan gemm16 = conv2dTunedPlan(Conv2DPath::Gemm, 16);
  constexpr Conv2DPlan gemm8 = conv2dTunedPlan(Conv2DPath::Gemm, 8);
  constexpr Conv2DShape direct{1, 64, 56, 56, 64, 1, 1, 56, 56,
                               1, 1,  0,  0,  0,  0, 1, 1,  1};
  static_assert(conv2dIsDirect1x1(direct));
  static_assert(conv2dScratchFloats(direct, gemm16) == 0);
  // Stride 2, Gemm path: one 128-row reduction slice of a pixel tile, the
  // tile a whole number of vectors of the plan's width.
  constexpr Conv2DShape c3{1, 64, 112, 112, 64, 3, 3, 56, 56,
                           2, 2,  1,   1,   1,  1, 1, 1,  1};
  for (const Conv2DPlan &p : {gemm16, gemm8}) {
    const int64_t tile = conv2dPixelTile(c3, p);
    EXPECT_EQ(conv2dScratchFloats(c3, p), kConvKC * tile);
    EXPECT_EQ(tile % p.lanes, 0);
    const int64_t tiles = ceilDiv(56 * 56, tile);
    EXPECT_LT(tile * tiles - 56 * 56, p.lanes * tiles);
    EXPECT_LE(conv2dScratchFloats(c3, p), kConvTileFloats);
  }
  // Implicit: offsets + padded rows + wide results of ceil(64 / mr) blocks.
  constexpr Conv2DShape s1{1, 64, 56, 56, 64, 3, 3, 56, 56,
                           1, 1,  1,  1,  1,  1, 1, 1,  1};
  static_assert(conv2dImplicitWidth(s1) == 58);
  constexpr Conv2DPlan imp8 = conv2dTunedPlan(Conv2DPath::Implicit, 8);
  static_assert(conv2dScratchFloats(s1, imp8) ==
                576 + 64 * conv2dImplicitChannelFloats(s1) +
                    roundUpTo(64, imp8.mr) * conv2dImplicitResultFloats(s1));
  EXPECT_GE(conv2dImplicitChannelFloats(s1),
            (conv2dImplicitRows(s1) + 2) * 58 + 2);
  // Channel-vector: 48-channel panels on AVX-512, 16 on AVX2.
  constexpr Conv2DShape c7{1, 512, 7, 7, 512, 3, 3, 7, 7,
                           1, 1,   1, 1, 1,   1, 1, 1, 1};
  EXPECT_EQ(conv2dPackedWeightFloats(
                c7, conv2dTunedPlan(Conv2DPath::ChannelVector, 16)),
            11 * 4608 * 48);
  EXPECT_EQ(conv2dPackedWeightFloats(
                c7, conv2dTunedPlan(Conv2DPath::ChannelVector, 8)),
            32 * 4608 * 16);
  MatmulShape m{};
  m.m = 3;
  m.n = 5;
  m.k = 7;
  m.alpha = 1.0f;
  EXPECT_EQ(matmulScratchFloats(m, matmulTunedPlan(16)), kMatMC * kMatKC);
  // A blocks hold whole tiles: 96 rows rounded up to 5-row tiles.
  EXPECT_EQ(matmulScratchFloats(m, MatmulPlan{8, 5, 2}), 100 * kMatKC);
}

/// batch [2, 3], B broadcast along dim 0: 3 distinct B matrices, packed in
/// panels of nr * lanes columns.
void checkMatmulPackB(const MatmulPlan &p) {
  MatmulShape s{};
  s.batchRank = 2;
  s.batch[0] = 2;
  s.batch[1] = 3;
  s.m = 2;
  s.n = 70;
  s.k = 3;
  s.bBatchStride[0] = 0;
  s.bBatchStride[1] = s.n * s.k;
  s.transB = true;
  s.alpha = 1.0f;
  const int64_t w = p.nr * p.lanes, panels = ceilDiv(70, w);
  EXPECT_EQ(matmulDistinctB(s), 3);
  EXPECT_EQ(matmulPackedBStride(s, p), panels * 3 * w);
  EXPECT_EQ(matmulPackedBFloats(s, p), 3 * panels * 3 * w);
  EXPECT_EQ(matmulPackedBIndex(s, 4), 1);
  std::vector<float> b(3 * 70 * 3), packed(matmulPackedBFloats(s, p), -1.0f);
  for (size_t i = 0; i < b.size(); ++i)
    b[i] = float(i);
  matmulPackB(s, p, b.data(), packed.data());
  for (int64_t q = 0; q < 3; ++q)
    for (int64_t pa = 0; pa < panels; ++pa)
      for (int64_t kk = 0; kk < 3; ++kk)
        for (int64_t j = 0; j < w; ++j) {
          int64_t col = pa * w + j;
          float want = col < 70 ? b[q * 210 + col * 3 + kk] : 0.0f;
          ASSERT_EQ(packed[q * panels * 3 * w + (pa * 3 + kk) * w + j], want);
        }
}

TEST(Shapes, MatmulPackBTransposedAndBroadcast) {
  checkMatmulPackB(matmulTunedPlan(16)); // panels of 64
  checkMatmulPackB(matmulTunedPlan(8));  // panels of 16
}

} // namespace

//===----------------------------------------------------------------------===//
// CPU checks and variant selection
//===----------------------------------------------------------------------===//

/// Sets ANVIL_MAX_CPU_ISA for one test and restores it.
struct ScopedCap {
  explicit ScopedCap(const char *value) {
    if (const char *old = std::getenv("ANVIL_MAX_CPU_ISA"))
      saved = old, hadOld = true;
    if (value)
      setenv("ANVIL_MAX_CPU_ISA", value, 1);
    else
      unsetenv("ANVIL_MAX_CPU_ISA");
  }
  ~ScopedCap() {
    if (hadOld)
      setenv("ANVIL_MAX_CPU_ISA", saved.c_str(), 1);
    else
      unsetenv("ANVIL_MAX_CPU_ISA");
  }
  std::string saved;
  bool hadOld = false;
};

TEST(Cpu, AgreesWithTheCompilersDetection) {
  using anvil::rt::cpuHasFeature;
  using anvil::rt::IsaCap;
  __builtin_cpu_init();
  // GCC's __builtin_cpu_supports also checks the OS-saved state.
#define ANVIL_EXPECT_FEATURE(name)                                             \
  EXPECT_EQ(cpuHasFeature(name, IsaCap::None),                                 \
            bool(__builtin_cpu_supports(name)))                                \
      << name
  ANVIL_EXPECT_FEATURE("avx");
  ANVIL_EXPECT_FEATURE("avx2");
  ANVIL_EXPECT_FEATURE("fma");
  ANVIL_EXPECT_FEATURE("bmi");
  ANVIL_EXPECT_FEATURE("bmi2");
  ANVIL_EXPECT_FEATURE("avx512f");
  ANVIL_EXPECT_FEATURE("avx512bw");
  ANVIL_EXPECT_FEATURE("avx512dq");
  ANVIL_EXPECT_FEATURE("avx512vl");
  ANVIL_EXPECT_FEATURE("avx512cd");
  ANVIL_EXPECT_FEATURE("avx512vnni");
  ANVIL_EXPECT_FEATURE("avx512bf16");
  ANVIL_EXPECT_FEATURE("avx512vbmi");
  ANVIL_EXPECT_FEATURE("avx512ifma");
  ANVIL_EXPECT_FEATURE("avx512vpopcntdq");
  ANVIL_EXPECT_FEATURE("avx512bitalg");
  ANVIL_EXPECT_FEATURE("avx512vbmi2");
#undef ANVIL_EXPECT_FEATURE
  EXPECT_FALSE(anvil::rt::isKnownCpuFeature("sse9"));
  EXPECT_FALSE(cpuHasFeature("sse9", IsaCap::None));
  EXPECT_FALSE(cpuHasFeature(nullptr, IsaCap::None));
}

TEST(Cpu, CapAtAvx2RemovesEveryAvx512Feature) {
  using anvil::rt::IsaCap;
  EXPECT_FALSE(anvil::rt::cpuHasFeature("avx512f", IsaCap::Avx2));
  EXPECT_FALSE(anvil::rt::cpuHasFeature("avx512vnni", IsaCap::Avx2));
  EXPECT_EQ(anvil::rt::cpuHasFeature("avx2", IsaCap::Avx2),
            anvil::rt::cpuHasFeature("avx2", IsaCap::None));
  {
    ScopedCap cap("AVX2");
    EXPECT_EQ(anvil::rt::isaCapFromEnvironment(), IsaCap::Avx2);
  }
  {
    ScopedCap cap("x86-64-v4");
    EXPECT_EQ(anvil::rt::isaCapFromEnvironment(), IsaCap::Avx512);
  }
  {
    ScopedCap cap("sse2");
    EXPECT_EQ(anvil::rt::isaCapFromEnvironment(), IsaCap::Invalid);
  }
  {
    ScopedCap cap(nullptr);
    EXPECT_EQ(anvil::rt::isaCapFromEnvironment(), IsaCap::None);
  }
}

namespace {
int variantRuns[2];
anvil_status_t runFirst(anvil_context_t *, const void *const *,
                        void *const *) {
  ++variantRuns[0];
  return ANVIL_STATUS_OK;
}
anvil_status_t runSecond(anvil_context_t *, const void *const *,
                         void *const *) {
  ++variantRuns[1];
  return ANVIL_STATUS_OK;
}
} // namespace

TEST(Context, ModelPicksTheFirstSupportedVariant) {
  ScopedCap cap(nullptr);
  // A feature no CPU has (unknown to the runtime) makes the first variant
  // unusable; the second needs nothing.
  const char *const impossible[] = {"avx2", "sse9"};
  const anvil::rt::ModelVariant variants[] = {
      {"future", "avx512", impossible, 2, {64, 16, 0}, runFirst, nullptr, 0},
      {"baseline", "avx2", nullptr, 0, {128, 0, 0}, runSecond, nullptr, 0}};
  EXPECT_EQ(anvil::rt::pickVariant(variants, 2), &variants[1]);
  anvil_context_t *ctx = nullptr;
  anvil_context_options_t o;
  anvil_context_options_init(&o);
  o.num_threads = 1;
  ASSERT_EQ(anvil::rt::createModelContext("m", variants, 2, &o, &ctx),
            ANVIL_STATUS_OK);
  EXPECT_STREQ(anvil_last_create_error(), "");
  variantRuns[0] = variantRuns[1] = 0;
  EXPECT_EQ(anvil::rt::runModel(ctx, nullptr, nullptr), ANVIL_STATUS_OK);
  EXPECT_EQ(variantRuns[0], 0);
  EXPECT_EQ(variantRuns[1], 1);
  anvil::rt::destroyContext(ctx);
}

TEST(Context, NoSupportedVariantIsAStatusNamingWhatIsMissing) {
  ScopedCap cap(nullptr);
  const char *const impossible[] = {"avx2", "sse9"};
  const anvil::rt::ModelVariant variants[] = {
      {"future", "avx512", impossible, 2, {64, 16, 0}, runFirst, nullptr, 0}};
  anvil_context_t *ctx = reinterpret_cast<anvil_context_t *>(1);
  EXPECT_EQ(anvil::rt::createModelContext("m", variants, 1, nullptr, &ctx),
            ANVIL_STATUS_UNSUPPORTED_CPU);
  EXPECT_EQ(ctx, nullptr);
  EXPECT_NE(std::string(anvil_last_create_error())
                .find("model 'm' cannot run on this CPU: its future variant "
                      "needs sse9"),
            std::string::npos)
      << anvil_last_create_error();
  EXPECT_EQ(anvil::rt::pickVariant(variants, 1), nullptr);

  // The message is per thread.
  std::string other;
  std::thread([&] { other = anvil_last_create_error(); }).join();
  EXPECT_EQ(other, "");

  ScopedCap bad("avx1024");
  EXPECT_EQ(anvil::rt::createModelContext("m", variants, 1, nullptr, &ctx),
            ANVIL_STATUS_INVALID_ARGUMENT);
  EXPECT_NE(std::string(anvil_last_create_error()).find("avx1024"),
            std::string::npos);
  EXPECT_EQ(anvil::rt::createModelContext("m", variants, 1, nullptr, nullptr),
            ANVIL_STATUS_INVALID_ARGUMENT);
}

TEST(Context, RunWithoutAVariantIsRefused) {
  anvil_context_t *ctx = nullptr;
  ASSERT_EQ(anvil::rt::createContext(nullptr, {64, 16, 0}, &ctx),
            ANVIL_STATUS_OK);
  EXPECT_EQ(anvil::rt::runModel(ctx, nullptr, nullptr),
            ANVIL_STATUS_INVALID_ARGUMENT);
  EXPECT_EQ(anvil::rt::runModel(nullptr, nullptr, nullptr),
            ANVIL_STATUS_INVALID_ARGUMENT);
  anvil::rt::destroyContext(ctx);
}

namespace {

/// What a --profile library's run does: stamps the start, then the end of
/// each of its three "ops" (sleeping in the second so it takes measurable
/// time).
anvil_status_t profiledRun(anvil_context_t *context, const void *const *,
                           void *const *) {
  const anvil::rt::ContextView view = anvil::rt::view(context);
  anvil::rt::profileStart(view);
  anvil::rt::profileEnd(view, 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(2));
  anvil::rt::profileEnd(view, 1);
  anvil::rt::profileEnd(view, 2);
  // Out of range: ignored, never a write past the entries.
  anvil::rt::profileEnd(view, 3);
  anvil::rt::profileEnd(view, -1);
  return ANVIL_STATUS_OK;
}

} // namespace

TEST(Context, ProfileEntriesTileTheRunAndBelongToTheContext) {
  const anvil_profile_entry_t table[] = {
      {"a", "anvil.conv2d + relu", "k0", 10.0, 0, 0},
      {"b", "anvil.max_pool", "k1", 0.0, 0, 0},
      {"graph outputs", "copy", "copy", 0.0, 0, 0}};
  const anvil::rt::ModelVariant variant = {.target = "profiled",
                                           .isa = "avx2",
                                           .features = nullptr,
                                           .numFeatures = 0,
                                           .layout = {64, 16, 0},
                                           .run = profiledRun,
                                           .profile = table,
                                           .numProfileEntries = 3};
  anvil_context_options_t o;
  anvil_context_options_init(&o);
  o.num_threads = 1;
  anvil_context_t *ctx = nullptr;
  ASSERT_EQ(anvil::rt::createModelContext("m", &variant, 1, &o, &ctx),
            ANVIL_STATUS_OK);
  const anvil_profile_entry_t *e = nullptr;
  int32_t n = -1;
  ASSERT_EQ(anvil_context_profile(ctx, &e, &n), ANVIL_STATUS_OK);
  ASSERT_EQ(n, 3);
  ASSERT_NE(e, nullptr);
  EXPECT_NE(e, table); // the context's own copy
  EXPECT_STREQ(e[0].op, "anvil.conv2d + relu");
  EXPECT_EQ(e[0].flops, 10.0);
  EXPECT_EQ(e[0].begin_ns, 0u);
  ASSERT_EQ(anvil::rt::runModel(ctx, nullptr, nullptr), ANVIL_STATUS_OK);
  EXPECT_GT(e[0].begin_ns, 0u);
  for (int i = 0; i < 3; ++i) {
    EXPECT_LE(e[i].begin_ns, e[i].end_ns) << i;
    if (i > 0)
      EXPECT_EQ(e[i].begin_ns, e[i - 1].end_ns) << i;
  }
  EXPECT_GE(e[1].end_ns - e[1].begin_ns, 2000000u);
  EXPECT_EQ(table[0].begin_ns, 0u); // the variant's table stays untouched
  const uint64_t firstEnd = e[2].end_ns;
  ASSERT_EQ(anvil::rt::runModel(ctx, nullptr, nullptr), ANVIL_STATUS_OK);
  EXPECT_GT(e[0].begin_ns, firstEnd - 1); // overwritten by the next run
  EXPECT_EQ(anvil_context_profile(nullptr, &e, &n),
            ANVIL_STATUS_INVALID_ARGUMENT);
  EXPECT_EQ(anvil_context_profile(ctx, nullptr, &n),
            ANVIL_STATUS_INVALID_ARGUMENT);
  EXPECT_EQ(anvil_context_profile(ctx, &e, nullptr),
            ANVIL_STATUS_INVALID_ARGUMENT);
  anvil::rt::destroyContext(ctx);
}

TEST(Context, NoProfileWithoutProfileEntries) {
  const anvil::rt::ModelVariant variant = {.target = "plain",
                                           .isa = "avx2",
                                           .features = nullptr,
                                           .numFeatures = 0,
                                           .layout = {64, 16, 0},
                                           .run = profiledRun,
                                           .profile = nullptr,
                                           .numProfileEntries = 0};
  anvil_context_t *ctx = nullptr;
  ASSERT_EQ(anvil::rt::createModelContext("m", &variant, 1, nullptr, &ctx),
            ANVIL_STATUS_OK);
  // The stamps of a run without entries are no-ops.
  ASSERT_EQ(anvil::rt::runModel(ctx, nullptr, nullptr), ANVIL_STATUS_OK);
  const anvil_profile_entry_t *e = reinterpret_cast<anvil_profile_entry_t *>(1);
  int32_t n = -1;
  ASSERT_EQ(anvil_context_profile(ctx, &e, &n), ANVIL_STATUS_OK);
  EXPECT_EQ(n, 0);
  EXPECT_EQ(e, nullptr);
  anvil::rt::destroyContext(ctx);
}
