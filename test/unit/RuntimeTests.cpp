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

/// Runs parallelFor(n) and checks each index is visited exactly once, ranges
/// are contiguous, balanced, non-empty, in thread order, and thread 0 is the
/// caller.
void checkCoverage(ThreadPool &pool, int64_t n) {
  std::vector<std::atomic<int>> hits(n > 0 ? n : 1);
  for (auto &h : hits)
    h.store(0);
  int nt = pool.numThreads();
  std::vector<int64_t> begins(nt, -1), ends(nt, -1);
  std::vector<std::atomic<int>> calls(nt);
  for (auto &c : calls)
    c.store(0);
  std::thread::id caller = std::this_thread::get_id();
  std::atomic<bool> thread0OnCaller{true};
  pool.parallelFor(n, [&](int64_t b, int64_t e, int t) {
    ASSERT_GE(t, 0);
    ASSERT_LT(t, nt);
    calls[t].fetch_add(1);
    begins[t] = b;
    ends[t] = e;
    if (t == 0 && std::this_thread::get_id() != caller)
      thread0OnCaller = false;
    for (int64_t i = b; i < e; ++i)
      hits[i].fetch_add(1);
  });
  for (int64_t i = 0; i < n; ++i)
    ASSERT_EQ(hits[i].load(), 1) << "index " << i << " of n=" << n;
  EXPECT_TRUE(thread0OnCaller.load());
  int64_t expectNext = 0, minLen = INT64_MAX, maxLen = 0;
  for (int t = 0; t < nt; ++t) {
    if (calls[t].load() == 0)
      continue;
    EXPECT_EQ(calls[t].load(), 1) << "thread " << t;
    EXPECT_EQ(begins[t], expectNext) << "ranges must be contiguous";
    EXPECT_LT(begins[t], ends[t]) << "no empty ranges";
    expectNext = ends[t];
    minLen = std::min(minLen, ends[t] - begins[t]);
    maxLen = std::max(maxLen, ends[t] - begins[t]);
  }
  EXPECT_EQ(expectNext, n);
  if (n >= nt) {
    // Every thread got work, and sizes differ by at most one.
    for (int t = 0; t < nt; ++t)
      EXPECT_EQ(calls[t].load(), 1) << "thread " << t << " idle, n=" << n;
    EXPECT_LE(maxLen - minLen, 1);
  }
}

TEST(ThreadPool, VisitsEveryIndexOnce) {
  for (int threads : {1, 2, 3, 4, 7}) {
    ThreadPool pool(threads, 50);
    EXPECT_EQ(pool.numThreads(), threads);
    for (int64_t n : {0, 1, 2, 3, 5, 6, 7, 8, 13, 64, 100, 1001, 100000})
      checkCoverage(pool, n);
  }
}

TEST(ThreadPool, ZeroIsNoCall) {
  ThreadPool pool(3, 0);
  std::atomic<int> calls{0};
  pool.parallelFor(0, [&](int64_t, int64_t, int) { calls++; });
  pool.parallelFor(-5, [&](int64_t, int64_t, int) { calls++; });
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

TEST(ThreadPool, WakesSleepingWorkers) {
  // spin 0: workers go straight to the condition variable between calls.
  ThreadPool pool(3, 0);
  for (int iter = 0; iter < 20; ++iter) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
    checkCoverage(pool, 3 + iter);
  }
}

TEST(ThreadPool, WorkersRunConcurrently) {
  // Each range waits until all three have started: only passes if the
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
    ThreadPool used(3, i % 2 ? 0 : 1000);
    checkCoverage(used, 10);
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
  EXPECT_EQ(count.load(), 100);
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
