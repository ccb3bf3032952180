//===- RuntimePromisesTests.cpp - what run promises its caller -*- C++ -*-===//
//
// Each promise of the runtime and the generated C ABI (docs/INTERFACES.md
// §4 and §5) as a test on a real compiled model (RuntimePromisesSupport.h):
//   - run never allocates: malloc, calloc, realloc, the aligned allocators,
//     free and every operator new/delete are replaced in this executable and
//     counted, on every thread, between run's entry and its return;
//   - 8 contexts of one model running concurrently give bytes identical to
//     serial runs;
//   - 2 threads pinned to one core give the same bytes (and finish);
//   - the caller's MXCSR (rounding, FTZ/DAZ, exception masks and flags) and
//     x87 control word come back unchanged, and results do not depend on
//     them: run computes in the IEEE default mode;
//   - null and misaligned pointers are refused with INVALID_ARGUMENT and a
//     message, leaving the outputs untouched; pointers aligned to a float
//     but not to 64 bytes work and give the same bytes; so is a context
//     that another model made.
// The leak and race promises are RuntimeLeakAsanTests / RuntimeRaceTsanTests.
//
//===----------------------------------------------------------------------===//

#include "RuntimePromisesSupport.h"

#include "anvil/Context.h"
#include "other.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cerrno>
#include <cfenv>
#include <cmath>
#include <dirent.h>
#include <fstream>
#include <latch>
#include <new>
#include <sched.h>
#include <set>
#include <thread>
#include <unistd.h>
#include <xmmintrin.h>

//===----------------------------------------------------------------------===//
// The allocation hook. Every allocation function of the C and C++ libraries
// is replaced here (the executable's definitions take precedence over
// libc's, for the runtime and the model code alike) and forwards to glibc's
// own implementation; while gCounting is set, each call is counted.
//===----------------------------------------------------------------------===//

extern "C" {
void *__libc_malloc(size_t);
void *__libc_calloc(size_t, size_t);
void *__libc_realloc(void *, size_t);
void *__libc_memalign(size_t, size_t);
void __libc_free(void *);
}

namespace {
std::atomic<bool> gCounting{false};
std::atomic<long> gAllocations{0};
std::atomic<long> gFrees{0};

inline void countAlloc() {
  if (gCounting.load(std::memory_order_relaxed))
    gAllocations.fetch_add(1, std::memory_order_relaxed);
}
inline void countFree(void *p) {
  if (p && gCounting.load(std::memory_order_relaxed))
    gFrees.fetch_add(1, std::memory_order_relaxed);
}
void *alignedOrNull(size_t align, size_t size) {
  if (align < sizeof(void *))
    align = sizeof(void *);
  return __libc_memalign(align, size);
}
} // namespace

extern "C" {
void *malloc(size_t n) {
  countAlloc();
  return __libc_malloc(n);
}
void *calloc(size_t n, size_t m) {
  countAlloc();
  return __libc_calloc(n, m);
}
void *realloc(void *p, size_t n) {
  countAlloc();
  return __libc_realloc(p, n);
}
void *reallocarray(void *p, size_t n, size_t m) {
  countAlloc();
  if (m && n > SIZE_MAX / m) {
    errno = ENOMEM;
    return nullptr;
  }
  return __libc_realloc(p, n * m);
}
void free(void *p) {
  countFree(p);
  __libc_free(p);
}
int posix_memalign(void **out, size_t align, size_t n) {
  countAlloc();
  if (align < sizeof(void *) || (align & (align - 1)))
    return EINVAL;
  void *p = __libc_memalign(align, n);
  if (!p)
    return ENOMEM;
  *out = p;
  return 0;
}
void *aligned_alloc(size_t align, size_t n) {
  countAlloc();
  return alignedOrNull(align, n);
}
void *memalign(size_t align, size_t n) {
  countAlloc();
  return alignedOrNull(align, n);
}
void *valloc(size_t n) {
  countAlloc();
  return __libc_memalign(size_t(sysconf(_SC_PAGESIZE)), n);
}
}

void *operator new(size_t n) {
  countAlloc();
  if (void *p = __libc_malloc(n ? n : 1))
    return p;
  throw std::bad_alloc();
}
void *operator new[](size_t n) { return operator new(n); }
void *operator new(size_t n, const std::nothrow_t &) noexcept {
  countAlloc();
  return __libc_malloc(n ? n : 1);
}
void *operator new[](size_t n, const std::nothrow_t &t) noexcept {
  return operator new(n, t);
}
void *operator new(size_t n, std::align_val_t a) {
  countAlloc();
  if (void *p = alignedOrNull(size_t(a), n ? n : 1))
    return p;
  throw std::bad_alloc();
}
void *operator new[](size_t n, std::align_val_t a) {
  return operator new(n, a);
}
void *operator new(size_t n, std::align_val_t a,
                   const std::nothrow_t &) noexcept {
  countAlloc();
  return alignedOrNull(size_t(a), n ? n : 1);
}
void *operator new[](size_t n, std::align_val_t a,
                     const std::nothrow_t &t) noexcept {
  return operator new(n, a, t);
}
void operator delete(void *p) noexcept {
  countFree(p);
  __libc_free(p);
}
void operator delete[](void *p) noexcept { operator delete(p); }
void operator delete(void *p, size_t) noexcept { operator delete(p); }
void operator delete[](void *p, size_t) noexcept { operator delete(p); }
void operator delete(void *p, std::align_val_t) noexcept { operator delete(p); }
void operator delete[](void *p, std::align_val_t) noexcept {
  operator delete(p);
}
void operator delete(void *p, size_t, std::align_val_t) noexcept {
  operator delete(p);
}
void operator delete[](void *p, size_t, std::align_val_t) noexcept {
  operator delete(p);
}
void operator delete(void *p, const std::nothrow_t &) noexcept {
  operator delete(p);
}
void operator delete[](void *p, const std::nothrow_t &) noexcept {
  operator delete(p);
}

namespace {

using namespace promises;

/// Counts allocations and frees, on every thread, while alive.
struct AllocationCounter {
  AllocationCounter() {
    gAllocations.store(0);
    gFrees.store(0);
    gCounting.store(true);
  }
  ~AllocationCounter() { gCounting.store(false); }
  long allocations() const { return gAllocations.load(); }
  long frees() const { return gFrees.load(); }
};

/// Keeps a heap pointer opaque to the optimizer, so the hook's self-test
/// really allocates.
void *volatile gSink;

/// The reference run every comparison uses: one context, default MXCSR.
struct Reference {
  Inputs in;
  Outputs out;
  Reference(int threads) {
    anvil_context_t *ctx = create(threads);
    if (!ctx || run(ctx, in, out) != ANVIL_STATUS_OK)
      std::abort();
    promises_destroy(ctx);
  }
};

//===----------------------------------------------------------------------===//
// The model computes what numpy does (so the byte comparisons below compare
// real results).
//===----------------------------------------------------------------------===//

TEST(Promises, ResultsMatchNumpy) {
  Reference ref(2);
  std::vector<char> y = readData("y.bin", kOutputBytes[0]);
  std::vector<char> z = readData("z.bin", kOutputBytes[1]);
  const float *gotY = reinterpret_cast<const float *>(ref.out.y.at());
  const float *wantY = reinterpret_cast<const float *>(y.data());
  int bad = 0;
  for (uint64_t i = 0; i < kOutputBytes[0] / 4; ++i)
    if (!(std::fabs(gotY[i] - wantY[i]) <= 2e-6f))
      if (++bad < 5)
        ADD_FAILURE() << "y[" << i << "] = " << gotY[i] << ", want "
                      << wantY[i];
  EXPECT_EQ(bad, 0);
  // z = x * 0.5 is exact in IEEE arithmetic: denormals included.
  EXPECT_EQ(std::memcmp(ref.out.z.at(), z.data(), z.size()), 0);
}

//===----------------------------------------------------------------------===//
// run never allocates.
//===----------------------------------------------------------------------===//

TEST(Promises, AllocationHookCountsEveryThread) {
  // The hook itself: allocations on this thread and on another one, through
  // malloc, operator new and posix_memalign, are all seen.
  std::thread other([] {
    AllocationCounter c;
    gSink = std::malloc(24);
    std::free(gSink);
    gSink = new int(1);
    delete static_cast<int *>(gSink);
    void *p = nullptr;
    if (posix_memalign(&p, 64, 100) == 0)
      std::free(p);
    const long allocations = c.allocations(), frees = c.frees();
    gCounting.store(false);
    EXPECT_EQ(allocations, 3);
    EXPECT_EQ(frees, 3);
  });
  other.join();
  std::atomic<bool> go{false}, done{false};
  std::thread worker([&] {
    while (!go.load())
      std::this_thread::yield();
    gSink = std::malloc(8);
    done.store(true);
  });
  long allocations;
  {
    AllocationCounter c;
    go.store(true);
    while (!done.load())
      std::this_thread::yield();
    allocations = c.allocations();
  }
  EXPECT_EQ(allocations, 1) << "an allocation on another thread";
  worker.join();
  std::free(gSink);
}

TEST(Promises, RunNeverAllocates) {
  Inputs in;
  Outputs out;
  for (int threads : {1, 2, 3}) {
    anvil_context_t *ctx = create(threads);
    ASSERT_NE(ctx, nullptr);
    // No warm-up: the first run is counted like every other. The counts are
    // read before anything is reported (gtest's messages allocate).
    for (int i = 0; i < 20; ++i) {
      long allocations, frees;
      anvil_status_t st;
      {
        AllocationCounter c;
        st = run(ctx, in, out);
        allocations = c.allocations();
        frees = c.frees();
      }
      ASSERT_EQ(st, ANVIL_STATUS_OK);
      EXPECT_EQ(allocations, 0) << "run " << i << ", " << threads << " threads";
      EXPECT_EQ(frees, 0) << "run " << i << ", " << threads << " threads";
    }
    // Nor does a refused run (the message goes into the context).
    long calls;
    anvil_status_t st;
    {
      AllocationCounter c;
      st = promises_run(ctx, nullptr, nullptr);
      calls = c.allocations() + c.frees();
    }
    EXPECT_EQ(st, ANVIL_STATUS_INVALID_ARGUMENT);
    EXPECT_EQ(calls, 0);
    promises_destroy(ctx);
  }
}

//===----------------------------------------------------------------------===//
// Contexts are independent: concurrent runs give serial runs' bytes.
//===----------------------------------------------------------------------===//

TEST(Promises, EightConcurrentContextsMatchSerialRunsBitForBit) {
  constexpr int kContexts = 8, kRuns = 25;
  // The serial reference for each thread count used below.
  Reference serial1(1), serial2(2), serial3(3);
  Reference *serial[] = {&serial1, &serial2, &serial3};
  Inputs in; // shared, read-only, by every context
  int threadsOf[kContexts];
  anvil_context_t *ctx[kContexts];
  for (int c = 0; c < kContexts; ++c) {
    threadsOf[c] = 1 + c % 3;
    ctx[c] = create(threadsOf[c]);
    ASSERT_NE(ctx[c], nullptr);
  }
  std::atomic<int> mismatches[kContexts] = {}, failures[kContexts] = {};
  std::latch start(kContexts);
  std::vector<std::thread> threads;
  for (int c = 0; c < kContexts; ++c)
    threads.emplace_back([&, c] {
      Outputs out;
      start.arrive_and_wait();
      for (int r = 0; r < kRuns; ++r) {
        out.poison();
        if (run(ctx[c], in, out) != ANVIL_STATUS_OK)
          ++failures[c];
        else if (!out.same(serial[threadsOf[c] - 1]->out))
          ++mismatches[c];
      }
    });
  for (std::thread &t : threads)
    t.join();
  for (int c = 0; c < kContexts; ++c) {
    EXPECT_EQ(failures[c].load(), 0) << "context " << c;
    EXPECT_EQ(mismatches[c].load(), 0)
        << "context " << c << " (" << threadsOf[c] << " threads)";
    promises_destroy(ctx[c]);
  }
}

//===----------------------------------------------------------------------===//
// Two threads on one core: the pool neither deadlocks nor starves the caller.
//===----------------------------------------------------------------------===//

/// The CPUs `tid` may run on, from /proc (Cpus_allowed_list), e.g. "3".
std::string allowedCpus(const std::string &tid) {
  std::ifstream status("/proc/self/task/" + tid + "/status");
  for (std::string line; std::getline(status, line);)
    if (line.rfind("Cpus_allowed_list:", 0) == 0)
      return line.substr(line.find_first_not_of(" \t", 18));
  return "?";
}

std::set<std::string> taskIds() {
  std::set<std::string> ids;
  if (DIR *d = opendir("/proc/self/task")) {
    while (dirent *e = readdir(d))
      if (e->d_name[0] != '.')
        ids.insert(e->d_name);
    closedir(d);
  }
  return ids;
}

TEST(Promises, TwoThreadsPinnedToOneCoreMatchUnpinned) {
  Reference unpinned(2);
  // A hang would fail the test (SIGALRM ends the process) instead of
  // stalling the suite.
  alarm(120);
  std::thread pinnedCaller([&] {
    cpu_set_t mine;
    ASSERT_EQ(sched_getaffinity(0, sizeof(mine), &mine), 0);
    int cpu = 0;
    while (!CPU_ISSET(cpu, &mine))
      ++cpu;
    cpu_set_t one;
    CPU_ZERO(&one);
    CPU_SET(cpu, &one);
    ASSERT_EQ(sched_setaffinity(0, sizeof(one), &one), 0);
    const std::string want = std::to_string(cpu);
    Inputs in;
    Outputs out;
    // spin 0: workers sleep between runs; 200: the default; 20000: a worker
    // spinning on the core the caller needs.
    for (int spin : {0, 200, 20000}) {
      std::set<std::string> before = taskIds();
      anvil_context_t *ctx = create(2, spin);
      ASSERT_NE(ctx, nullptr);
      // The worker inherited this thread's affinity: both on one CPU.
      int workers = 0;
      for (const std::string &tid : taskIds())
        if (!before.count(tid)) {
          ++workers;
          EXPECT_EQ(allowedCpus(tid), want) << "worker " << tid;
        }
      EXPECT_EQ(workers, 1);
      for (int r = 0; r < 100; ++r) {
        out.poison();
        ASSERT_EQ(run(ctx, in, out), ANVIL_STATUS_OK);
        ASSERT_TRUE(out.same(unpinned.out)) << "spin " << spin << ", run " << r;
      }
      promises_destroy(ctx);
    }
  });
  pinnedCaller.join();
  alarm(0);
}

//===----------------------------------------------------------------------===//
// The caller's floating-point state.
//===----------------------------------------------------------------------===//

constexpr unsigned kDefaultMxcsr = 0x1F80; // all masked, nearest, no FTZ/DAZ
constexpr unsigned kFtz = 0x8000, kDaz = 0x0040;
constexpr unsigned kRoundDown = 0x2000, kRoundUp = 0x4000, kRoundZero = 0x6000;
constexpr unsigned kFlags = 0x003F; // the sticky exception flags

/// Caller states a host application may well have: fast-math FTZ/DAZ,
/// directed rounding (interval arithmetic), raised flags, and exceptions
/// unmasked (feenableexcept) — in which a library computing in the caller's
/// state would trap (SIGFPE) on the first inexact or invalid operation.
const unsigned kCallerStates[] = {
    kDefaultMxcsr | kFtz | kDaz,
    kDefaultMxcsr | kDaz,
    kDefaultMxcsr | kFtz | kDaz | kRoundZero,
    kDefaultMxcsr | kRoundUp,
    kDefaultMxcsr | kRoundDown,
    kDefaultMxcsr | kFlags,
    kDefaultMxcsr & ~0x0280u, // invalid and divide-by-zero unmasked
    kRoundZero | kFtz,        // every exception unmasked
};

/// x87 control word (precision, rounding, masks).
unsigned short x87ControlWord() {
  unsigned short cw;
  asm volatile("fnstcw %0" : "=m"(cw));
  return cw;
}

/// Runs under `state` and returns the MXCSR run returned with; the state is
/// set right before the call and read right after (no floating-point code
/// of this test runs in between), then the default is restored.
__attribute__((noinline)) unsigned runUnder(unsigned state,
                                            anvil_context_t *ctx, Inputs &in,
                                            Outputs &out, anvil_status_t &st) {
  const void *inputs[] = {in.x.at(), in.b.at()};
  void *outputs[] = {out.y.at(), out.z.at()};
  _mm_setcsr(state);
  st = promises_run(ctx, inputs, outputs);
  unsigned after = _mm_getcsr();
  _mm_setcsr(kDefaultMxcsr);
  return after;
}

TEST(Promises, CallerFloatingPointStateIsPreserved) {
  Inputs in;
  Outputs out;
  anvil_context_t *ctx = create(2);
  ASSERT_NE(ctx, nullptr);
  // x87 state in a non-default setting too (round up, double precision).
  const unsigned short oldCw = x87ControlWord();
  unsigned short cw = static_cast<unsigned short>((oldCw & ~0x0F00) | 0x0A00);
  asm volatile("fldcw %0" : : "m"(cw));
  for (unsigned state : kCallerStates) {
    anvil_status_t st = ANVIL_STATUS_INTERNAL;
    unsigned after = runUnder(state, ctx, in, out, st);
    EXPECT_EQ(st, ANVIL_STATUS_OK) << std::hex << "MXCSR " << state;
    EXPECT_EQ(after, state) << std::hex << "MXCSR " << state;
    // Also a refused run.
    st = ANVIL_STATUS_OK;
    const void *nulls[] = {nullptr, nullptr};
    void *outs[] = {out.y.at(), out.z.at()};
    _mm_setcsr(state);
    st = promises_run(ctx, nulls, outs);
    after = _mm_getcsr();
    _mm_setcsr(kDefaultMxcsr);
    EXPECT_EQ(st, ANVIL_STATUS_INVALID_ARGUMENT);
    EXPECT_EQ(after, state) << std::hex << "refused run, MXCSR " << state;
  }
  EXPECT_EQ(x87ControlWord(), cw);
  asm volatile("fldcw %0" : : "m"(oldCw));
  promises_destroy(ctx);
}

TEST(Promises, ResultsDoNotDependOnCallerFloatingPointState) {
  Reference ref(2);
  Inputs in;
  Outputs out;
  anvil_context_t *ctx = create(2);
  ASSERT_NE(ctx, nullptr);
  for (unsigned state : kCallerStates) {
    out.poison();
    anvil_status_t st = ANVIL_STATUS_INTERNAL;
    runUnder(state, ctx, in, out, st);
    ASSERT_EQ(st, ANVIL_STATUS_OK) << std::hex << "MXCSR " << state;
    EXPECT_TRUE(out.same(ref.out)) << std::hex << "MXCSR " << state;
  }
  promises_destroy(ctx);
  // A context created while the caller was in another state: its workers
  // start in that state (threads inherit it), yet compute as the caller's
  // run does.
  for (unsigned state : kCallerStates) {
    _mm_setcsr(state & ~0x1F80u ? (state | 0x1F80u) : state);
    anvil_context_t *made = create(2);
    _mm_setcsr(kDefaultMxcsr);
    ASSERT_NE(made, nullptr);
    out.poison();
    ASSERT_EQ(run(made, in, out), ANVIL_STATUS_OK);
    EXPECT_TRUE(out.same(ref.out))
        << std::hex << "context created under MXCSR " << state;
    promises_destroy(made);
  }
}

//===----------------------------------------------------------------------===//
// Null and misaligned pointers.
//===----------------------------------------------------------------------===//

/// Expects run to refuse these pointers with a message holding `what`,
/// without touching the outputs, and the context to stay usable.
void expectRefused(anvil_context_t *ctx, const void *const *inputs,
                   void *const *outputs, Outputs &out, const char *what,
                   const std::string &why) {
  out.poison();
  EXPECT_EQ(promises_run(ctx, inputs, outputs), ANVIL_STATUS_INVALID_ARGUMENT)
      << why;
  EXPECT_NE(std::strstr(anvil_context_last_error(ctx), what), nullptr)
      << why << ": message '" << anvil_context_last_error(ctx) << "'";
  EXPECT_TRUE(out.poisoned()) << why << ": outputs were written";
}

TEST(Promises, NullPointersAreRefused) {
  Reference ref(2);
  Inputs in;
  Outputs out;
  anvil_context_t *ctx = create(2);
  ASSERT_NE(ctx, nullptr);
  const void *inputs[] = {in.x.at(), in.b.at()};
  void *outputs[] = {out.y.at(), out.z.at()};
  EXPECT_EQ(promises_run(nullptr, inputs, outputs),
            ANVIL_STATUS_INVALID_ARGUMENT);
  expectRefused(ctx, nullptr, outputs, out, "inputs is null", "inputs");
  expectRefused(ctx, inputs, nullptr, out, "outputs is null", "outputs");
  const char *names[] = {"input 0 ('x') is null", "input 1 ('b') is null"};
  for (int i = 0; i < kNumInputs; ++i) {
    const void *bad[] = {in.x.at(), in.b.at()};
    bad[i] = nullptr;
    expectRefused(ctx, bad, outputs, out, names[i], names[i]);
  }
  const char *outNames[] = {"output 0 ('y') is null", "output 1 ('z') is null"};
  for (int i = 0; i < kNumOutputs; ++i) {
    void *bad[] = {out.y.at(), out.z.at()};
    bad[i] = nullptr;
    expectRefused(ctx, inputs, bad, out, outNames[i], outNames[i]);
  }
  // The generic entry point is the same function.
  const anvil_model_t *m = promises_model();
  EXPECT_EQ(m->run(ctx, nullptr, outputs), ANVIL_STATUS_INVALID_ARGUMENT);
  // Create and destroy refuse nulls too.
  EXPECT_EQ(promises_create(nullptr, nullptr), ANVIL_STATUS_INVALID_ARGUMENT);
  promises_destroy(nullptr);
  // Still usable, and right.
  ASSERT_EQ(run(ctx, in, out), ANVIL_STATUS_OK);
  EXPECT_TRUE(out.same(ref.out));
  promises_destroy(ctx);
}

TEST(Promises, PointersNotAlignedToAFloatAreRefused) {
  static_assert(ANVIL_TENSOR_ALIGNMENT == alignof(float),
                "the ABI requires float alignment");
  Inputs in;
  Outputs out;
  anvil_context_t *ctx = create(2);
  ASSERT_NE(ctx, nullptr);
  const char *names[] = {"input 0 ('x')", "input 1 ('b')", "output 0 ('y')",
                         "output 1 ('z')"};
  for (int which = 0; which < 4; ++which)
    for (unsigned offset : {1u, 2u, 3u, 5u, 63u}) {
      const void *inputs[] = {in.x.at(), in.b.at()};
      void *outputs[] = {out.y.at(), out.z.at()};
      if (which < 2)
        inputs[which] = static_cast<const char *>(inputs[which]) + offset;
      else
        outputs[which - 2] = static_cast<char *>(outputs[which - 2]) + offset;
      std::string want = names[which];
      want += " is not 4-byte aligned";
      expectRefused(ctx, inputs, outputs, out, want.c_str(),
                    want + " (offset " + std::to_string(offset) + ")");
    }
  promises_destroy(ctx);
}

TEST(Promises, FloatAlignedPointersWorkAndGiveTheSameBytes) {
  Reference ref(2);
  anvil_context_t *ctx = create(2);
  ASSERT_NE(ctx, nullptr);
  Inputs in;
  Buffer x(kInputBytes[0]), b(kInputBytes[1]), y(kOutputBytes[0]),
      z(kOutputBytes[1]);
  for (unsigned offset = 4; offset < 64; offset += 4) {
    std::memcpy(x.at(offset), in.x.at(), kInputBytes[0]);
    std::memcpy(b.at(64 - offset), in.b.at(), kInputBytes[1]);
    std::memset(y.at(offset), 0xA5, kOutputBytes[0]);
    std::memset(z.at(64 - offset), 0xA5, kOutputBytes[1]);
    const void *inputs[] = {x.at(offset), b.at(64 - offset)};
    void *outputs[] = {y.at(offset), z.at(64 - offset)};
    ASSERT_EQ(promises_run(ctx, inputs, outputs), ANVIL_STATUS_OK)
        << "offset " << offset << ": " << anvil_context_last_error(ctx);
    EXPECT_EQ(std::memcmp(y.at(offset), ref.out.y.at(), kOutputBytes[0]), 0)
        << "offset " << offset;
    EXPECT_EQ(std::memcmp(z.at(64 - offset), ref.out.z.at(), kOutputBytes[1]),
              0)
        << "offset " << offset;
  }
  promises_destroy(ctx);
}

TEST(Promises, ContextsOfAnotherModelAreRefused) {
  // `other` is the same graph compiled as a second model: its context fits
  // promises' sizes, but a context is only ever valid for its own model.
  Inputs in;
  Outputs out;
  anvil_context_options_t options;
  anvil_context_options_init(&options);
  options.num_threads = 2;
  anvil_context_t *foreign = nullptr;
  ASSERT_EQ(other_create(&options, &foreign), ANVIL_STATUS_OK);
  const void *inputs[] = {in.x.at(), in.b.at()};
  void *outputs[] = {out.y.at(), out.z.at()};
  expectRefused(foreign, inputs, outputs, out, "not created by promises_create",
                "other's context");
  // Its own model runs it, and agrees.
  Reference ref(2);
  ASSERT_EQ(other_run(foreign, inputs, outputs), ANVIL_STATUS_OK);
  EXPECT_TRUE(out.same(ref.out));
  other_destroy(foreign);
  // A bare runtime context (no model at all).
  anvil_context_t *bare = nullptr;
  ASSERT_EQ(anvil::rt::createContext(&options, {64, 16, 0}, &bare),
            ANVIL_STATUS_OK);
  expectRefused(bare, inputs, outputs, out, "not created by promises_create",
                "a bare context");
  anvil::rt::destroyContext(bare);
}

std::atomic<int> gBlockingStage{0};

/// A variant whose first run (stage 0) waits until the test lets it go;
/// later runs return at once.
anvil_status_t blockingRun(anvil_context_t *, const void *const *,
                           void *const *) {
  int expected = 0;
  if (gBlockingStage.compare_exchange_strong(expected, 1))
    while (gBlockingStage.load() != 2)
      std::this_thread::yield();
  return ANVIL_STATUS_OK;
}

TEST(Promises, ASecondConcurrentRunOnOneContextIsRefused) {
  // A context runs one inference at a time: a run that starts while another
  // thread's run is in progress is refused at once (sharing the arena and
  // re-entering the pool would corrupt both), and the context works after.
  // A hang fails the test (SIGALRM) instead of stalling the suite.
  alarm(120);
  const anvil::rt::ModelVariant variant = {.target = "blocking",
                                           .isa = "avx2",
                                           .features = nullptr,
                                           .numFeatures = 0,
                                           .layout = {64, 16, 0},
                                           .run = blockingRun,
                                           .profile = nullptr,
                                           .numProfileEntries = 0};
  anvil_context_options_t options;
  anvil_context_options_init(&options);
  options.num_threads = 2;
  anvil_context_t *ctx = nullptr;
  ASSERT_EQ(
      anvil::rt::createModelContext("blocking", &variant, 1, &options, &ctx),
      ANVIL_STATUS_OK);
  gBlockingStage.store(0);
  anvil_status_t first = ANVIL_STATUS_INTERNAL;
  std::thread runner([&] {
    first = anvil::rt::runModel(ctx, &variant, 1, "blocking_create", nullptr,
                                nullptr);
  });
  while (gBlockingStage.load() != 1)
    std::this_thread::yield();
  EXPECT_EQ(anvil::rt::runModel(ctx, &variant, 1, "blocking_create", nullptr,
                                nullptr),
            ANVIL_STATUS_INVALID_ARGUMENT);
  gBlockingStage.store(2);
  runner.join();
  EXPECT_EQ(first, ANVIL_STATUS_OK);
  // Released: the next run goes through.
  EXPECT_EQ(anvil::rt::runModel(ctx, &variant, 1, "blocking_create", nullptr,
                                nullptr),
            ANVIL_STATUS_OK);
  anvil::rt::destroyContext(ctx);

  // And on the real model, two threads racing on one context: every run is
  // either refused or right, never wrong, and nothing crashes or hangs.
  Reference ref(2);
  anvil_context_t *shared = create(2);
  ASSERT_NE(shared, nullptr);
  Inputs in;
  std::atomic<int> wrong{0}, other{0};
  std::atomic<long> refused{0};
  std::vector<std::thread> racers;
  for (int t = 0; t < 2; ++t)
    racers.emplace_back([&] {
      Outputs out;
      for (int r = 0; r < 200; ++r) {
        anvil_status_t st = run(shared, in, out);
        if (st == ANVIL_STATUS_INVALID_ARGUMENT)
          ++refused;
        else if (st != ANVIL_STATUS_OK)
          ++other;
        else if (!out.same(ref.out))
          ++wrong;
      }
    });
  for (std::thread &t : racers)
    t.join();
  EXPECT_EQ(wrong.load(), 0);
  EXPECT_EQ(other.load(), 0);
  std::printf("racing runs on one context: %ld of 400 refused\n",
              refused.load());
  promises_destroy(shared);
  alarm(0);
}

} // namespace
