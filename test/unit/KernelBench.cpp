//===- KernelBench.cpp - GFLOPS of the conv2d / matmul kernels -*- C++ -*-===//
//
// Prints median GFLOPS for ResNet-50 conv shapes and matmuls, as % of the
// nominal 115 GFLOPS per core (Zen 4: two 256-bit FMA pipes at ~3.6 GHz) and
// of the single-thread FMA peak of the ISA measured at start-up, then the
// same layers with other register tiles (how the tuned tiles of Shapes.h
// were chosen). Built once per ISA (ANVIL_BENCH_ISA = Avx512 or Avx2:
// KernelBenchAvx512, KernelBenchAvx2). Usage:
// KernelBench<Isa> [threads] [reps] [name filter]. Medians, and per
// CPU-second figures, because the build machine is shared and noisy.
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

using Isa = ANVIL_BENCH_ISA;
constexpr int64_t kLanes = Isa::kLanes;

constexpr double kPeakPerCore = 115.0;

/// CPU time of the whole process (all threads), in seconds.
double cpuSeconds() {
  timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return double(ts.tv_sec) + 1e-9 * double(ts.tv_nsec);
}

/// Measured single-thread FMA throughput of the ISA: independent
/// accumulator chains (3/4 of the registers: 24 zmm, 12 ymm), enough to
/// cover latency x ports on any core. The nominal figure above assumes
/// Zen 4 (256-bit FMA pipes); a core with two 512-bit FMA ports peaks far
/// higher with AVX-512, so both percentages are printed.
__attribute__((noinline)) double measurePeakGflops() {
  constexpr int kChains = Isa::kRegisters * 3 / 4;
  typename Isa::V acc[kChains];
  for (int i = 0; i < kChains; ++i)
    acc[i] = Isa::set1(float(i));
  const typename Isa::V a = Isa::set1(0.999999f), b = Isa::set1(1e-7f);
  const int64_t iters = 4000000;
  double best = 0;
  for (int rep = 0; rep < 3; ++rep) {
    double t0 = cpuSeconds();
    for (int64_t it = 0; it < iters; ++it) {
      ANVIL_UNROLL
      for (int i = 0; i < kChains; ++i)
        acc[i] = Isa::fmadd(acc[i], a, b);
      asm volatile("" ::: "memory");
    }
    double g = double(kChains) * 2 * kLanes * iters /
               (cpuSeconds() - t0) * 1e-9;
    best = std::max(best, g);
  }
  float sink = 0;
  for (int i = 0; i < kChains; ++i)
    sink += Isa::reduceAdd(acc[i]);
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

template <Conv2DShape S, Conv2DPlan P>
void benchConvPlan(const char *name, anvil::ThreadPool &pool, int reps) {
  Buffers buf;
  fill(buf.a, S.n * S.c * S.h * S.w);
  fill(buf.b, S.k * (S.c / S.groups) * S.r * S.s);
  fill(buf.d, S.k);
  std::vector<float> packed(conv2dPackedWeightFloats(S, P));
  conv2dPackWeights(S, P, buf.b.data(), packed.data());
  buf.c.assign(S.n * S.k * S.oh * S.ow, 0.0f);
  int64_t per = (conv2dScratchFloats(S, P) + 15) / 16 * 16;
  std::vector<float> scratch(per * pool.numThreads() + 16);
  ExecContext ctx{&pool, scratch.data(), per};
  double flops = 2.0 * S.n * S.k * S.oh * S.ow * (S.c / S.groups) * S.r * S.s;
  report(name, flops, pool.numThreads(), reps, [&] {
    conv2d_f32<Isa, S, P>(buf.a.data(), packed.data(), buf.d.data(),
                          buf.c.data(), ctx);
  });
}

/// The layer with the ISA's tuned tile for `path` (the path the compiler
/// picks for such a layer).
template <Conv2DShape S, Conv2DPath Path>
void benchConv(const char *name, anvil::ThreadPool &pool, int reps) {
  benchConvPlan<S, conv2dTunedPlan(Path, kLanes)>(name, pool, reps);
}

template <MatmulShape S, MatmulPlan P = matmulTunedPlan(kLanes)>
void benchMatmul(const char *name, anvil::ThreadPool &pool, int reps) {
  Buffers buf;
  fill(buf.a, S.m * S.k);
  fill(buf.b, S.k * S.n);
  std::vector<float> packed(matmulPackedBFloats(S, P));
  matmulPackB(S, P, buf.b.data(), packed.data());
  buf.c.assign(S.m * S.n, 0.0f);
  int64_t per = matmulScratchFloats(S, P);
  std::vector<float> scratch(per * pool.numThreads() + 16);
  ExecContext ctx{&pool, scratch.data(), per};
  double flops = 2.0 * S.m * S.n * S.k;
  report(name, flops, pool.numThreads(), reps, [&] {
    matmul_f32<Isa, S, P>(buf.a.data(), packed.data(), nullptr, buf.c.data(),
                          ctx);
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

// n c h w | k r s | oh ow | sH sW pT pL pB pR dH dW groups
constexpr Conv2DShape kConv56{1, 64, 56, 56, 64, 3, 3, 56, 56,
                              1, 1,  1,  1,  1,  1, 1, 1,  1};
constexpr Conv2DShape kConv14{1, 256, 14, 14, 256, 3, 3, 14, 14,
                              1, 1,   1,  1,  1,   1, 1, 1,  1};
constexpr Conv2DShape kConv7{1, 512, 7, 7, 512, 3, 3, 7, 7,
                             1, 1,   1, 1, 1,   1, 1, 1, 1};

/// Other register tiles on one layer per path; tiles are mr x nr vectors.
template <int64_t MR, int64_t NR>
void benchTile(anvil::ThreadPool &pool, int reps) {
  char name[64];
  std::snprintf(name, sizeof name, "tile %lldx%lld implicit 3x3 56x56",
                (long long)MR, (long long)NR);
  benchConvPlan<kConv56, Conv2DPlan{Conv2DPath::Implicit, kLanes, MR, NR}>(
      name, pool, reps);
  std::snprintf(name, sizeof name, "tile %lldx%lld gemm 3x3 14x14",
                (long long)MR, (long long)NR);
  benchConvPlan<kConv14, Conv2DPlan{Conv2DPath::Gemm, kLanes, MR, NR}>(
      name, pool, reps);
  std::snprintf(name, sizeof name, "tile %lldx%lld chanvec 3x3 7x7",
                (long long)MR, (long long)NR);
  benchConvPlan<kConv7, Conv2DPlan{Conv2DPath::ChannelVector, kLanes, MR, NR}>(
      name, pool, reps);
  std::snprintf(name, sizeof name, "tile %lldx%lld matmul 256x1024x1024",
                (long long)MR, (long long)NR);
  benchMatmul<mm(256, 1024, 1024), MatmulPlan{kLanes, MR, NR}>(name, pool,
                                                               reps);
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
  using P = Conv2DPath;
  // n c h w | k r s | oh ow | sH sW pT pL pB pR dH dW groups
  benchConv<kConv56, P::Implicit>("conv 3x3 64->64 56x56", pool, reps);
  benchConv<Conv2DShape{1, 128, 28, 28, 128, 3, 3, 28, 28, 1, 1, 1, 1, 1, 1, 1,
                        1, 1},
            P::Implicit>("conv 3x3 128->128 28x28", pool, reps);
  benchConv<kConv14, P::Gemm>("conv 3x3 256->256 14x14", pool, reps);
  benchConv<kConv56, P::Winograd>("conv 3x3 64->64 56x56 winograd", pool,
                                  reps);
  benchConv<Conv2DShape{1, 128, 28, 28, 128, 3, 3, 28, 28, 1, 1, 1, 1, 1, 1, 1,
                        1, 1},
            P::Winograd>("conv 3x3 128->128 28x28 winograd", pool, reps);
  benchConv<kConv14, P::Winograd>("conv 3x3 256->256 14x14 winograd", pool,
                                  reps);
  benchConv<kConv7, P::ChannelVector>("conv 3x3 512->512 7x7", pool, reps);
  benchConv<Conv2DShape{1, 64, 56, 56, 256, 1, 1, 56, 56, 1, 1, 0, 0, 0, 0, 1,
                        1, 1},
            P::Gemm>("conv 1x1 64->256 56x56", pool, reps);
  benchConv<Conv2DShape{1, 256, 56, 56, 64, 1, 1, 56, 56, 1, 1, 0, 0, 0, 0, 1,
                        1, 1},
            P::Gemm>("conv 1x1 256->64 56x56", pool, reps);
  benchConv<Conv2DShape{1, 1024, 14, 14, 256, 1, 1, 14, 14, 1, 1, 0, 0, 0, 0, 1,
                        1, 1},
            P::Gemm>("conv 1x1 1024->256 14x14", pool, reps);
  benchConv<Conv2DShape{1, 3, 224, 224, 64, 7, 7, 112, 112, 2, 2, 3, 3, 3, 3, 1,
                        1, 1},
            P::Gemm>("conv 7x7/2 3->64 224x224 (stem)", pool, reps);
  benchConv<Conv2DShape{1, 256, 56, 56, 512, 1, 1, 28, 28, 2, 2, 0, 0, 0, 0, 1,
                        1, 1},
            P::Gemm>("conv 1x1/2 256->512 56x56", pool, reps);
  benchConv<Conv2DShape{1, 96, 56, 56, 96, 3, 3, 56, 56, 1, 1, 1, 1, 1, 1, 1, 1,
                        96},
            P::Depthwise>("dwconv 3x3 96 56x56", pool, reps);
  benchMatmul<mm(256, 1024, 1024)>("matmul 256x1024x1024", pool, reps);
  benchMatmul<mm(64, 1024, 1024)>("matmul 64x1024x1024", pool, reps);
  benchMatmul<mm(1, 1000, 2048)>("matmul 1x1000x2048 (fc)", pool, reps);
  // Candidate tiles (accumulators + nr B vectors + 1 broadcast must fit).
  if constexpr (kLanes == 16) {
    benchTile<8, 3>(pool, reps);
    benchTile<6, 4>(pool, reps);
  } else {
    benchTile<6, 2>(pool, reps);
    benchTile<4, 3>(pool, reps);
    benchTile<5, 2>(pool, reps);
  }
  return 0;
}
