//===- Matmul.h - Batched fp32 matmul / Gemm -------------------*- C++ -*-===//
//
// out[b] = alpha * op(A[b]) * op(B[b]) + bias, row-major, with numpy batch
// broadcasting given by element strides. The plan's register tile is mr
// rows x nr vectors (6 x 4 of 16 lanes on AVX-512). B is pre-packed
// (Shapes.h: column panels of nr * lanes); blocks of A (matmulBlockRows
// rows x kMatKC) are packed per thread into scratch, k-major in groups of mr
// rows, so the microkernel broadcasts from one contiguous stream. Loop order
// per thread: k slice -> B panel (its 128 x 64 slice stays in L1) -> mr-row
// tiles of the A block (in L2).
//
//===----------------------------------------------------------------------===//

#ifndef ANVIL_KERNELS_MATMUL_H
#define ANVIL_KERNELS_MATMUL_H

#include "Common.h"
#include "Gemm.h"

namespace anvil::kernels {
inline namespace ANVIL_KERNEL_ABI {

namespace detail {

/// Packs op(A)[m0 : m0 + mLen, k0 : k0 + kc] as [ceil(mLen/MR)][kc][MR].
template <MatmulShape S, int64_t MR>
ANVIL_INLINE void matmulPackA(const float *a, int64_t m0, int64_t mLen,
                              int64_t k0, int64_t kc, float *dst) {
  for (int64_t mt = 0; mt < mLen; mt += MR) {
    float *d = dst + (mt / MR) * kc * MR;
    const int64_t rows = mLen - mt < MR ? mLen - mt : MR;
    if constexpr (S.transA) {
      // A is [K][M]: the rows of one k are contiguous.
      for (int64_t k = 0; k < kc; ++k) {
        const float *src = a + (k0 + k) * S.m + m0 + mt;
        for (int64_t i = 0; i < rows; ++i)
          d[k * MR + i] = src[i];
      }
    } else {
      for (int64_t i = 0; i < rows; ++i) {
        const float *src = a + (m0 + mt + i) * S.k + k0;
        for (int64_t k = 0; k < kc; ++k)
          d[k * MR + i] = src[k];
      }
    }
  }
}

} // namespace detail

/// B packed by matmulPackB(S, P, ...); bias is [n] (broadcast over rows and
/// batches) or null; then the post-ops PO, whose binary steps read
/// post[operand] (PostOps.h). Scratch: matmulScratchFloats(S, P) per thread.
template <class I, MatmulShape S, MatmulPlan P, PostOpList PO = PostOpList{}>
void matmul_f32(const float *a, const float *packedB, const float *bias,
                float *out, const ExecContext &pctx,
                const float *const *post = nullptr) {
  static_assert(P.lanes == I::kLanes, "plan made for another vector width");
  static_assert(matmulPlanIsValid(S, P), "matmul plan invalid");
  constexpr int64_t M = S.m, N = S.n, K = S.k;
  constexpr int64_t MR = P.mr, NR = P.nr, PANEL = matmulPanel(P);
  constexpr int64_t MC = matmulBlockRows(P);
  constexpr int64_t batches = matmulBatchCount(S);
  // Tiny products run on the caller, planned for one thread.
  const ExecContext ctx = contextForWork(pctx, matmulFlops(S));
  constexpr int64_t panels = ceilDiv(N, PANEL);
  constexpr int64_t mBlocks = ceilDiv(M, MC);
  // Equal row blocks (whole tiles) rather than full blocks plus a runt, so
  // threads get equal work.
  constexpr int64_t mStep =
      roundUpTo(ceilDiv(M, mBlocks > 0 ? mBlocks : 1), MR);
  constexpr bool scale = S.alpha != 1.0f;
  if constexpr (M <= 0 || N <= 0) {
    return;
  } else if constexpr (K <= 0) {
    for (int64_t i = 0; i < batches * M; ++i) {
      for (int64_t j = 0; j < N; ++j)
        out[i * N + j] = bias ? bias[j] : 0.0f;
      detail::applyPostOpsInPlace<I, PO>(out, i * N, N, post);
    }
    return;
  } else {
    const int T = numThreads(ctx);
    // Split the panels too when batches x row blocks cannot feed every
    // thread, preferring a unit count that divides evenly among threads.
    constexpr int64_t base = batches * mBlocks;
    int64_t nChunks = 1;
    if (T > 1 && base < 4 * T) {
      nChunks = ceilDiv(4 * T, base);
      while (nChunks < panels && (base * nChunks) % T != 0)
        ++nChunks;
      if (nChunks > panels)
        nChunks = panels;
    }
    const int64_t units = base * nChunks;
    parallelFor(ctx, units, [&](int64_t ub, int64_t ue, int t) {
      float *aPack = threadScratch(ctx, t);
      for (int64_t u = ub; u < ue; ++u) {
        const int64_t chunk = u % nChunks, mb = (u / nChunks) % mBlocks;
        const int64_t b = u / nChunks / mBlocks;
        const float *aB = a + matmulBatchOffset(S, S.aBatchStride, b);
        const float *bB =
            packedB + matmulPackedBIndex(S, b) * matmulPackedBStride(S, P);
        float *cB = out + b * M * N;
        const int64_t m0 = mb * mStep;
        const int64_t mLen = M - m0 < mStep ? M - m0 : mStep;
        if (mLen <= 0)
          continue;
        int64_t p0, p1;
        ThreadPool::splitRange(panels, int(nChunks), int(chunk), p0, p1);
        for (int64_t k0 = 0; k0 < K; k0 += kMatKC) {
          const int64_t kc = K - k0 < kMatKC ? K - k0 : kMatKC;
          detail::matmulPackA<S, MR>(aB, m0, mLen, k0, kc, aPack);
          for (int64_t p = p0; p < p1; ++p) {
            const detail::GemmCols nc = detail::gemmCols<I>(N - p * PANEL, NR);
            detail::GemmEpilogue ep{k0 > 0, k0 + kMatKC >= K,
                                    bias ? bias + p * PANEL : nullptr,
                                    S.alpha, post, out};
            for (int64_t mt = 0; mt < mLen; mt += MR) {
              const int mr = int(mLen - mt < MR ? mLen - mt : MR);
              detail::gemmDispatch<I, int(MR), int(NR), int(MR),
                                   detail::BiasKind::Col, scale, false, 0, 0,
                                   PO>(
                  mr, nc.nr, kc, aPack + (mt / MR) * kc * MR,
                  bB + (p * K + k0) * PANEL, PANEL, nc.lastCount,
                  cB + (m0 + mt) * N + p * PANEL, N, ep);
            }
          }
        }
      }
    });
  }
}

} // namespace ANVIL_KERNEL_ABI
} // namespace anvil::kernels

#endif // ANVIL_KERNELS_MATMUL_H
