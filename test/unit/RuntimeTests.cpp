//===- RuntimeTests.cpp - Thread pool, context and ABI tests ---*- C++ -*-===//
//
// Also checks weight packing (Shapes.h) compiled without AVX-512, exactly as
// the compiler includes it.
//
//===----------------------------------------------------------------------===//

#include "anvil/Context.h"
#include "anvil/ThreadPool.h"
#include "anvil/runtime.h"
#include "runtime/kernels/Shapes.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdio>
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
  EXPECT_EQ(ANVIL_ABI_VERSION, 1);
  EXPECT_EQ(int(ANVIL_STATUS_OK), 0);
  EXPECT_EQ(int(ANVIL_STATUS_ABI_MISMATCH), 4);
  EXPECT_EQ(int(ANVIL_DTYPE_F32), 1);
  EXPECT_EQ(ANVIL_MAX_RANK, 8);
  EXPECT_STREQ(ANVIL_MODEL_GET_SYMBOL, "anvil_model_get");
  std::vector<std::string> names;
  for (int s = 0; s <= 4; ++s) {
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
// Shapes.h: packing, compiled without AVX-512
//===----------------------------------------------------------------------===//

using namespace anvil::kernels;

TEST(Shapes, ConvPackGemmLayout) {
  // Two groups, 11 output channels per group (one full block of 8 + 3).
  constexpr Conv2DShape s{1, 6, 5, 5, 22, 2, 3, 4, 3,
                          1, 1, 0, 0, 0,  0, 1, 1, 2};
  static_assert(!conv2dUsesDepthwisePath(s));
  constexpr int64_t red = 3 * 2 * 3;
  static_assert(conv2dPackedWeightFloats(s) == 2 * 2 * red * 8);
  std::vector<float> w(22 * red), packed(conv2dPackedWeightFloats(s), -1.0f);
  for (size_t i = 0; i < w.size(); ++i)
    w[i] = float(i + 1);
  conv2dPackWeights(s, w.data(), packed.data());
  for (int64_t g = 0; g < 2; ++g)
    for (int64_t b = 0; b < 2; ++b)
      for (int64_t j = 0; j < red; ++j)
        for (int64_t i = 0; i < 8; ++i) {
          int64_t oc = b * 8 + i;
          float want = oc < 11 ? w[(g * 11 + oc) * red + j] : 0.0f;
          ASSERT_EQ(packed[((g * 2 + b) * red + j) * 8 + i], want);
        }
}

TEST(Shapes, ConvPackDepthwiseIsPlain) {
  constexpr Conv2DShape s{1, 4, 6, 6, 8, 3, 3, 6, 6, 1, 1, 1, 1, 1, 1, 1, 1, 4};
  static_assert(conv2dUsesDepthwisePath(s));
  static_assert(conv2dPackedWeightFloats(s) == 8 * 9);
  std::vector<float> w(72), packed(72);
  for (int i = 0; i < 72; ++i)
    w[i] = float(i) * 0.5f;
  conv2dPackWeights(s, w.data(), packed.data());
  EXPECT_EQ(w, packed);
}

TEST(Shapes, ScratchSizes) {
  constexpr Conv2DShape direct{1, 64, 56, 56, 64, 1, 1, 56, 56,
                               1, 1,  0,  0,  0,  0, 1, 1,  1};
  static_assert(conv2dIsDirect1x1(direct));
  static_assert(conv2dScratchFloats(direct) == 0);
  // Stride 2: im2col path, one 128-row reduction slice of a pixel tile.
  constexpr Conv2DShape c3{1, 64, 112, 112, 64, 3, 3, 56, 56,
                           2, 2,  1,   1,   1,  1, 1, 1,  1};
  static_assert(!conv2dUsesImplicitPath(c3) &&
                !conv2dUsesChannelVectorPath(c3));
  static_assert(conv2dScratchFloats(c3) == kConvKC * conv2dPixelTile(c3));
  static_assert(conv2dPixelTile(c3) % 16 == 0);
  static_assert(conv2dPixelTile(c3) * ceilDiv(56 * 56, conv2dPixelTile(c3)) -
                    56 * 56 <
                16 * ceilDiv(56 * 56, conv2dPixelTile(c3)));
  EXPECT_LE(conv2dScratchFloats(c3), kConvTileFloats);
  // Stride 1 on a wide map: implicit path, offsets + padded rows + results.
  constexpr Conv2DShape s1{1, 64, 56, 56, 64, 3, 3, 56, 56,
                           1, 1,  1,  1,  1,  1, 1, 1,  1};
  static_assert(conv2dUsesImplicitPath(s1));
  static_assert(conv2dImplicitWidth(s1) == 58);
  static_assert(conv2dScratchFloats(s1) ==
                576 + 64 * conv2dImplicitChannelFloats(s1) +
                    64 * conv2dImplicitResultFloats(s1));
  EXPECT_GE(conv2dImplicitChannelFloats(s1),
            (conv2dImplicitRows(s1) + 2) * 58 + 2);
  // 7x7 maps: channel-vector path.
  constexpr Conv2DShape c7{1, 512, 7, 7, 512, 3, 3, 7, 7,
                           1, 1,   1, 1, 1,   1, 1, 1, 1};
  static_assert(conv2dUsesChannelVectorPath(c7) && !conv2dUsesImplicitPath(c7));
  EXPECT_EQ(conv2dPackedWeightFloats(c7), 11 * 4608 * 48);
  MatmulShape m{};
  m.m = 3;
  m.n = 5;
  m.k = 7;
  m.alpha = 1.0f;
  EXPECT_EQ(matmulScratchFloats(m), kMatMC * kMatKC);
}

TEST(Shapes, MatmulPackBTransposedAndBroadcast) {
  // batch [2, 3], B broadcast along dim 0: 3 distinct B matrices.
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
  EXPECT_EQ(matmulDistinctB(s), 3);
  EXPECT_EQ(matmulPackedBFloats(s), 3 * 2 * 3 * 64);
  EXPECT_EQ(matmulPackedBIndex(s, 4), 1);
  std::vector<float> b(3 * 70 * 3), packed(matmulPackedBFloats(s), -1.0f);
  for (size_t i = 0; i < b.size(); ++i)
    b[i] = float(i);
  matmulPackB(s, b.data(), packed.data());
  for (int64_t q = 0; q < 3; ++q)
    for (int64_t p = 0; p < 2; ++p)
      for (int64_t kk = 0; kk < 3; ++kk)
        for (int64_t j = 0; j < 64; ++j) {
          int64_t col = p * 64 + j;
          float want = col < 70 ? b[q * 210 + col * 3 + kk] : 0.0f;
          ASSERT_EQ(packed[q * 384 + (p * 3 + kk) * 64 + j], want);
        }
}

} // namespace
