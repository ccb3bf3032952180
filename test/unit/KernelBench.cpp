//===- KernelBench.cpp - GFLOPS of the conv2d / matmul kernels -*- C++ -*-===//
//
// Prints median GFLOPS for ResNet-50 conv shapes and matmuls, as % of the
// nominal 115 GFLOPS per core (Zen 4: two 256-bit FMA pipes at ~3.6 GHz) and
// of the single-thread FMA peak measured at start-up. Usage:
// KernelBench [threads] [reps] [name filter]. Medians, and per CPU-second
// figures, because the build machine is shared and noisy.
//
//===----------------------------------------------------------------------===//

#include "kernels/Kernels.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <random>
#include <vector>

using namespace anvil::kernels;

namespace {

constexpr double kPeakPerCore = 115.0;

/// CPU time of the whole process (all threads), in seconds.
double cpuSeconds() {
  timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return double(ts.tv_sec) + 1e-9 * double(ts.tv_nsec);
}

/// Measured single-thread FMA throughput: 24 independent accumulator chains,
/// enough to cover latency x ports on any AVX-512 core. The nominal figure
/// above assumes Zen 4 (256-bit FMA pipes); a core with two 512-bit FMA
/// ports peaks far higher, so both percentages are printed.
__attribute__((noinline)) double measurePeakGflops() {
  __m512 acc[24];
  for (int i = 0; i < 24; ++i)
    acc[i] = _mm512_set1_ps(float(i));
  const __m512 a = _mm512_set1_ps(0.999999f), b = _mm512_set1_ps(1e-7f);
  const int64_t iters = 4000000;
  double best = 0;
  for (int rep = 0; rep < 3; ++rep) {
    double t0 = cpuSeconds();
    for (int64_t it = 0; it < iters; ++it) {
      ANVIL_UNROLL
      for (int i = 0; i < 24; ++i)
        acc[i] = _mm512_fmadd_ps(acc[i], a, b);
      asm volatile("" ::: "memory");
    }
    double g = 24.0 * 32 * iters / (cpuSeconds() - t0) * 1e-9;
    best = std::max(best, g);
  }
  float sink = 0;
  for (int i = 0; i < 24; ++i)
    sink += _mm512_reduce_add_ps(acc[i]);
  if (sink == 12345.0f)
    std::printf(" ");
  return best;
}
double gMeasuredPeak = 0;

struct Buffers {
  std::vector<float> a, b, c, d;
};

void fill(std::vector<float> &v, size_t n) {
  v.resize(n);
  std::mt19937 rng(1);
  std::uniform_real_distribution<float> u(-1, 1);
  for (auto &x : v)
    x = u(rng);
}

const char *gFilter = nullptr;

/// Prints wall-clock median GFLOPS (vs threads x peak) and GFLOPS per
/// CPU-second of the whole process (vs one core's peak): the latter ignores
/// time the process spent descheduled, so it stays meaningful while other
/// jobs share the cores (spinning workers still count).
template <typename F>
void report(const char *name, double flops, int threads, int reps, F &&run) {
  if (gFilter && !std::strstr(name, gFilter))
    return;
  run(); // warm up caches, pages and the pool
  std::vector<double> secs, cpus;
  for (int i = 0; i < reps; ++i) {
    double c0 = cpuSeconds();
    auto t0 = std::chrono::steady_clock::now();
    run();
    auto t1 = std::chrono::steady_clock::now();
    cpus.push_back(cpuSeconds() - c0);
    secs.push_back(std::chrono::duration<double>(t1 - t0).count());
  }
  std::sort(secs.begin(), secs.end());
  std::sort(cpus.begin(), cpus.end());
  double med = secs[secs.size() / 2], cpu = cpus[cpus.size() / 2];
  double g = flops / med * 1e-9, gc = flops / cpu * 1e-9;
  std::printf("%-32s %7.3f ms %6.1f GFLOPS %5.1f%% of %dx115", name, med * 1e3,
              g, 100.0 * g / (kPeakPerCore * threads), threads);
  // Per CPU-second figures are exact for the calling thread only (other
  // threads' CPU time is folded in at scheduler ticks), so only for 1 thread.
  if (threads == 1)
    std::printf(" | per core-s %6.1f GFLOPS %5.1f%% of 115 %5.1f%% of "
                "measured",
                gc, 100.0 * gc / kPeakPerCore, 100.0 * gc / gMeasuredPeak);
  std::printf("\n");
}

template <Conv2DShape S>
void benchConv(const char *name, anvil::ThreadPool &pool, int reps) {
  Buffers buf;
  fill(buf.a, S.n * S.c * S.h * S.w);
  fill(buf.b, S.k * (S.c / S.groups) * S.r * S.s);
  fill(buf.d, S.k);
  std::vector<float> packed(conv2dPackedWeightFloats(S));
  conv2dPackWeights(S, buf.b.data(), packed.data());
  buf.c.assign(S.n * S.k * S.oh * S.ow, 0.0f);
  int64_t per = (conv2dScratchFloats(S) + 15) / 16 * 16;
  std::vector<float> scratch(per * pool.numThreads() + 16);
  ExecContext ctx{&pool, scratch.data(), per};
  double flops = 2.0 * S.n * S.k * S.oh * S.ow * (S.c / S.groups) * S.r * S.s;
  report(name, flops, pool.numThreads(), reps, [&] {
    conv2d_f32<S>(buf.a.data(), packed.data(), buf.d.data(), buf.c.data(), ctx);
  });
}

template <MatmulShape S>
void benchMatmul(const char *name, anvil::ThreadPool &pool, int reps) {
  Buffers buf;
  fill(buf.a, S.m * S.k);
  fill(buf.b, S.k * S.n);
  std::vector<float> packed(matmulPackedBFloats(S));
  matmulPackB(S, buf.b.data(), packed.data());
  buf.c.assign(S.m * S.n, 0.0f);
  int64_t per = matmulScratchFloats(S);
  std::vector<float> scratch(per * pool.numThreads() + 16);
  ExecContext ctx{&pool, scratch.data(), per};
  double flops = 2.0 * S.m * S.n * S.k;
  report(name, flops, pool.numThreads(), reps, [&] {
    matmul_f32<S>(buf.a.data(), packed.data(), nullptr, buf.c.data(), ctx);
  });
}

constexpr MatmulShape mm(int64_t m, int64_t n, int64_t k) {
  MatmulShape s{};
  s.m = m;
  s.n = n;
  s.k = k;
  s.alpha = 1.0f;
  return s;
}

} // namespace

int main(int argc, char **argv) {
  int threads = argc > 1 ? std::atoi(argv[1]) : 1;
  int reps = argc > 2 ? std::atoi(argv[2]) : 21;
  gFilter = argc > 3 ? argv[3] : nullptr; // run only names containing this
  anvil::ThreadPool pool(threads, 200);
  gMeasuredPeak = measurePeakGflops();
  std::printf("threads %d, %d reps, medians; measured 1-thread FMA peak "
              "%.1f GFLOPS\n",
              pool.numThreads(), reps, gMeasuredPeak);
  // n c h w | k r s | oh ow | sH sW pT pL pB pR dH dW groups
  benchConv<Conv2DShape{1, 64, 56, 56, 64, 3, 3, 56, 56, 1, 1, 1, 1, 1, 1, 1, 1,
                        1}>("conv 3x3 64->64 56x56", pool, reps);
  benchConv<Conv2DShape{1, 128, 28, 28, 128, 3, 3, 28, 28, 1, 1, 1, 1, 1, 1, 1,
                        1, 1}>("conv 3x3 128->128 28x28", pool, reps);
  benchConv<Conv2DShape{1, 256, 14, 14, 256, 3, 3, 14, 14, 1, 1, 1, 1, 1, 1, 1,
                        1, 1}>("conv 3x3 256->256 14x14", pool, reps);
  benchConv<Conv2DShape{1, 512, 7, 7, 512, 3, 3, 7, 7, 1, 1, 1, 1, 1, 1, 1, 1,
                        1}>("conv 3x3 512->512 7x7", pool, reps);
  benchConv<Conv2DShape{1, 64, 56, 56, 256, 1, 1, 56, 56, 1, 1, 0, 0, 0, 0, 1,
                        1, 1}>("conv 1x1 64->256 56x56", pool, reps);
  benchConv<Conv2DShape{1, 256, 56, 56, 64, 1, 1, 56, 56, 1, 1, 0, 0, 0, 0, 1,
                        1, 1}>("conv 1x1 256->64 56x56", pool, reps);
  benchConv<Conv2DShape{1, 1024, 14, 14, 256, 1, 1, 14, 14, 1, 1, 0, 0, 0, 0, 1,
                        1, 1}>("conv 1x1 1024->256 14x14", pool, reps);
  benchConv<Conv2DShape{1, 3, 224, 224, 64, 7, 7, 112, 112, 2, 2, 3, 3, 3, 3, 1,
                        1, 1}>("conv 7x7/2 3->64 224x224 (stem)", pool, reps);
  benchConv<Conv2DShape{1, 256, 56, 56, 512, 1, 1, 28, 28, 2, 2, 0, 0, 0, 0, 1,
                        1, 1}>("conv 1x1/2 256->512 56x56", pool, reps);
  benchConv<Conv2DShape{1, 96, 56, 56, 96, 3, 3, 56, 56, 1, 1, 1, 1, 1, 1, 1, 1,
                        96}>("dwconv 3x3 96 56x56", pool, reps);
  benchMatmul<mm(256, 1024, 1024)>("matmul 256x1024x1024", pool, reps);
  benchMatmul<mm(64, 1024, 1024)>("matmul 64x1024x1024", pool, reps);
  benchMatmul<mm(1, 1000, 2048)>("matmul 1x1000x2048 (fc)", pool, reps);
  return 0;
}
