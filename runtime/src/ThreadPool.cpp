//===- ThreadPool.cpp - Fixed-size fork/join pool --------------*- C++ -*-===//
//
// Workers wait for a generation counter to change. Wake-up protocol: the
// caller bumps the generation and then reads the sleeper count; a worker
// increments the sleeper count and then re-reads the generation under the
// mutex. Both use sequentially consistent operations, so at least one side
// sees the other and no wake-up is lost, while the common case (workers still
// spinning) never touches the mutex.
//
//===----------------------------------------------------------------------===//

#include "anvil/ThreadPool.h"

#include <chrono>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define ANVIL_CPU_RELAX() _mm_pause()
#else
#define ANVIL_CPU_RELAX() std::atomic_signal_fence(std::memory_order_seq_cst)
#endif

namespace anvil {

ThreadPool::ThreadPool(int numThreads, int spinMicroseconds)
    : numThreads_(numThreads < 1 ? 1 : numThreads),
      spinMicroseconds_(spinMicroseconds < 0 ? 0 : spinMicroseconds) {
  if (numThreads_ == 1)
    return;
  // Raw storage so a failing thread start can be unwound without running
  // std::thread destructors on joinable threads (which would terminate).
  workers_ = static_cast<std::thread *>(
      ::operator new(sizeof(std::thread) * (numThreads_ - 1)));
  int started = 0;
  try {
    for (; started < numThreads_ - 1; ++started)
      new (&workers_[started])
          std::thread([this, started] { workerLoop(started + 1); });
  } catch (...) {
    stop_.store(true);
    {
      std::lock_guard<std::mutex> lock(mutex_);
      generation_.fetch_add(1);
    }
    wake_.notify_all();
    for (int i = 0; i < started; ++i) {
      workers_[i].join();
      workers_[i].~thread();
    }
    ::operator delete(workers_);
    workers_ = nullptr;
    throw;
  }
}

ThreadPool::~ThreadPool() {
  if (!workers_)
    return;
  stop_.store(true);
  {
    std::lock_guard<std::mutex> lock(mutex_);
    generation_.fetch_add(1);
  }
  wake_.notify_all();
  for (int i = 0; i < numThreads_ - 1; ++i) {
    workers_[i].join();
    workers_[i].~thread();
  }
  ::operator delete(workers_);
}

void ThreadPool::execute(int index) {
  int64_t begin, end;
  splitRange(jobN_, numThreads_, index, begin, end);
  if (begin < end)
    jobFn_(jobCtx_, begin, end, index);
}

void ThreadPool::run(int64_t n, Trampoline fn, void *ctx) {
  jobFn_ = fn;
  jobCtx_ = ctx;
  jobN_ = n;
  pending_.store(numThreads_ - 1, std::memory_order_relaxed);
  generation_.fetch_add(1); // seq_cst: publishes the job
  if (sleepers_.load() > 0) {
    // Taking the mutex orders this notify after any sleeper's final check.
    { std::lock_guard<std::mutex> lock(mutex_); }
    wake_.notify_all();
  }
  execute(0);
  // The caller has nothing else to do; spin, yielding now and then so a
  // descheduled worker on an oversubscribed machine can run.
  for (unsigned spins = 0; pending_.load(std::memory_order_acquire) != 0;
       ++spins) {
    ANVIL_CPU_RELAX();
    if ((spins & 1023) == 1023)
      std::this_thread::yield();
  }
}

void ThreadPool::workerLoop(int index) {
  using Clock = std::chrono::steady_clock;
  uint64_t seen = 0;
  for (;;) {
    // Spin for the configured time, then sleep.
    uint64_t gen = generation_.load(std::memory_order_acquire);
    if (gen == seen) {
      auto deadline =
          Clock::now() + std::chrono::microseconds(spinMicroseconds_);
      for (unsigned spins = 1;; ++spins) {
        ANVIL_CPU_RELAX();
        gen = generation_.load(std::memory_order_acquire);
        if (gen != seen)
          break;
        if ((spins & 63) == 0 && Clock::now() >= deadline)
          break;
      }
    }
    if (gen == seen) {
      sleepers_.fetch_add(1); // seq_cst, pairs with the caller's bump
      std::unique_lock<std::mutex> lock(mutex_);
      while ((gen = generation_.load()) == seen)
        wake_.wait(lock);
      lock.unlock();
      sleepers_.fetch_sub(1);
    }
    seen = gen;
    if (stop_.load(std::memory_order_acquire))
      return;
    execute(index);
    pending_.fetch_sub(1, std::memory_order_acq_rel);
  }
}

} // namespace anvil
