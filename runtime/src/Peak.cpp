//===- Peak.cpp - This host's measured fp32 FMA peak ----------------------===//

#include "anvil/Peak.h"

#include <immintrin.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <thread>
#include <vector>

namespace anvil::rt {
namespace {

/// Independent accumulator chains per loop: FMA latency (4-5 cycles) times
/// FMA ports (2) is at most 10 on the CPUs Anvil targets; 12 leaves room
/// and fits AVX2's 16 registers with the two operands.
constexpr int kChains = 12;
/// FMAs per chain between clock reads.
constexpr int64_t kBlock = 1 << 14;

/// Runs `blocks` blocks of kChains x kBlock FMAs; returns a value that
/// depends on all of them so the compiler keeps the work.
__attribute__((target("avx512f"))) float fmaBlocksAvx512(int64_t blocks) {
  __m512 acc[kChains];
  for (int c = 0; c < kChains; ++c)
    acc[c] = _mm512_set1_ps(float(c) * 1e-3f);
  const __m512 a = _mm512_set1_ps(0.999999f), b = _mm512_set1_ps(1e-7f);
  for (int64_t i = 0; i < blocks * kBlock; ++i)
    for (int c = 0; c < kChains; ++c)
      acc[c] = _mm512_fmadd_ps(acc[c], a, b);
  __m512 sum = acc[0];
  for (int c = 1; c < kChains; ++c)
    sum = _mm512_add_ps(sum, acc[c]);
  alignas(64) float lanes[16];
  _mm512_store_ps(lanes, sum);
  float s = 0;
  for (float l : lanes)
    s += l;
  return s;
}

__attribute__((target("avx2,fma"))) float fmaBlocksAvx2(int64_t blocks) {
  __m256 acc[kChains];
  for (int c = 0; c < kChains; ++c)
    acc[c] = _mm256_set1_ps(float(c) * 1e-3f);
  const __m256 a = _mm256_set1_ps(0.999999f), b = _mm256_set1_ps(1e-7f);
  for (int64_t i = 0; i < blocks * kBlock; ++i)
    for (int c = 0; c < kChains; ++c)
      acc[c] = _mm256_fmadd_ps(acc[c], a, b);
  __m256 sum = acc[0];
  for (int c = 1; c < kChains; ++c)
    sum = _mm256_add_ps(sum, acc[c]);
  alignas(32) float lanes[8];
  _mm256_store_ps(lanes, sum);
  float s = 0;
  for (float l : lanes)
    s += l;
  return s;
}

using Clock = std::chrono::steady_clock;

/// FLOPs of `blocks` blocks at `lanes` floats per vector.
double blockFlops(int64_t blocks, int lanes) {
  return double(blocks) * kBlock * kChains * lanes * 2.0;
}

} // namespace

FmaPeak measureFmaPeak(int threads, double seconds, IsaCap cap) {
  FmaPeak peak;
  if (cap == IsaCap::Invalid || threads < 1)
    return peak;
  const bool avx512 = cpuHasFeature("avx512f", cap);
  if (!avx512 && !(cpuHasFeature("avx2", cap) && cpuHasFeature("fma", cap)))
    return peak;
  peak.isa = avx512 ? "avx512" : "avx2";
  const int lanes = avx512 ? 16 : 8;
  auto run = [avx512](int64_t blocks) {
    return avx512 ? fmaBlocksAvx512(blocks) : fmaBlocksAvx2(blocks);
  };

  // Calibrate on one thread: how many blocks take one slice.
  constexpr int kSlices = 5;
  const double sliceSeconds = std::max(seconds / kSlices, 0.01);
  int64_t blocks = 1;
  volatile float sink = 0;
  for (;;) {
    Clock::time_point t0 = Clock::now();
    sink = sink + run(blocks);
    double s = std::chrono::duration<double>(Clock::now() - t0).count();
    if (s >= sliceSeconds / 4 || blocks > (int64_t(1) << 40)) {
      blocks = std::max<int64_t>(1, int64_t(blocks * sliceSeconds / s));
      break;
    }
    blocks *= 2;
  }

  // Each slice: every thread runs `blocks` blocks at once; the rate is all
  // threads' FLOPs over the slowest thread's time.
  std::vector<double> rates;
  for (int slice = 0; slice < kSlices; ++slice) {
    std::vector<double> elapsed(threads);
    std::vector<float> sinks(threads);
    std::vector<std::thread> pool;
    auto work = [&](int t) {
      Clock::time_point t0 = Clock::now();
      sinks[t] = run(blocks);
      elapsed[t] = std::chrono::duration<double>(Clock::now() - t0).count();
    };
    for (int t = 1; t < threads; ++t)
      pool.emplace_back(work, t);
    work(0);
    for (std::thread &th : pool)
      th.join();
    for (float s : sinks)
      sink = sink + s;
    double slowest = *std::max_element(elapsed.begin(), elapsed.end());
    rates.push_back(blockFlops(blocks, lanes) * threads / slowest / 1e9);
  }
  std::sort(rates.begin(), rates.end());
  peak.gflops = rates[kSlices / 2];
  return peak;
}

} // namespace anvil::rt
