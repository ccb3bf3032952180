//===- Winograd.h - conv2d 3x3 stride 1 as Winograd F(4x4, 3x3) -*- C++ -*-===//
//
// Each 4x4 tile of output pixels comes from the 6x6 input tile around it:
//     Y = A^T [ U (.) V ] A,  U = G g G^T (per output/input channel pair),
//     V = B^T d B (per input channel and tile),
// with Lavin & Gray's matrices (interpolation points 0, +-1, +-2, inf). The
// 36 element-wise products summed over input channels are 36 GEMMs,
// M_p[K x tiles] = U_p[K x C] V_p[C x tiles], 4x fewer multiplies than the
// direct convolution's 9 per pixel and channel pair (less the tiles' overhang
// on maps that are not multiples of 4).
//
// Per image, tiles are numbered row-major (ceil(OH/4) x ceil(OW/4)) and
// taken in blocks of at most conv2dWinogradBlockTiles (Shapes.h):
//  1. input transform: V[p][c][t] for the block, L tiles per vector, their
//     6x6 inputs gathered per lane (zero outside the image: the padding);
//  2. the 36 GEMMs with the conv microkernel (U packed per position like
//     the Gemm path's weights, conv2dPackWeights) into M[p][k][t];
//  3. output transform: per output channel, L tiles per vector, 36 vectors
//     to 16 plus the bias, scattered to the tiles' pixels; then the
//     post-ops over the rows the block wrote, while they are in cache.
// Work is split over (image, block, output-channel chunk) as the Implicit
// path does; a thread that runs several chunks of one block transforms its
// input once.
//
//===----------------------------------------------------------------------===//

#ifndef ANVIL_KERNELS_WINOGRAD_H
#define ANVIL_KERNELS_WINOGRAD_H

#include "Common.h"
#include "Gemm.h"

namespace anvil::kernels {
inline namespace ANVIL_KERNEL_ABI {
namespace detail {

/// B^T x for one column (or row) of a 6x6 input tile.
template <class I>
ANVIL_INLINE void winogradInput6(const typename I::V *d, int64_t step,
                                 typename I::V *out, int64_t outStep) {
  using V = typename I::V;
  const V d0 = d[0], d1 = d[step], d2 = d[2 * step], d3 = d[3 * step],
          d4 = d[4 * step], d5 = d[5 * step];
  const V four = I::set1(4.0f), five = I::set1(5.0f), two = I::set1(2.0f);
  // r1/r2 and r3/r4 share their halves: (d4 - 4 d2) +- (d3 - 4 d1), ...
  const V a = I::fnmadd(four, d2, d4), b = I::fnmadd(four, d1, d3);
  const V c = I::sub(d4, d2), e = I::mul(two, I::sub(d3, d1));
  out[0] = I::add(I::fnmadd(five, d2, I::mul(four, d0)), d4);
  out[outStep] = I::add(a, b);
  out[2 * outStep] = I::sub(a, b);
  out[3 * outStep] = I::add(c, e);
  out[4 * outStep] = I::sub(c, e);
  out[5 * outStep] = I::add(I::fnmadd(five, d3, I::mul(four, d1)), d5);
}

/// A^T m for one column (or row) of a 6x6 product tile: 4 outputs.
template <class I>
ANVIL_INLINE void winogradOutput6(const typename I::V *m, int64_t step,
                                  typename I::V *out, int64_t outStep) {
  using V = typename I::V;
  const V m0 = m[0], m1 = m[step], m2 = m[2 * step], m3 = m[3 * step],
          m4 = m[4 * step], m5 = m[5 * step];
  const V s12 = I::add(m1, m2), d12 = I::sub(m1, m2);
  const V s34 = I::add(m3, m4), d34 = I::sub(m3, m4);
  out[0] = I::add(I::add(m0, s12), s34);
  out[outStep] = I::fmadd(I::set1(2.0f), d34, d12);
  out[2 * outStep] = I::fmadd(I::set1(4.0f), s34, s12);
  out[3 * outStep] = I::add(I::fmadd(I::set1(8.0f), d34, d12), m5);
}

template <class I, Conv2DShape S, Conv2DPlan PL, PostOpList PO>
void conv2dWinogradPath(const float *in, const float *packedU,
                        const float *bias, float *out, const ExecContext &ctx,
                        const float *const *post) {
  using V = typename I::V;
  using M = typename I::M;
  constexpr int64_t L = I::kLanes, MR = PL.mr, NR = PL.nr, PANEL = NR * L;
  constexpr int64_t C = S.c, K = S.k, KB = ceilDiv(K, MR);
  constexpr int64_t TW = conv2dWinogradTilesWide(S);
  constexpr int64_t tiles = conv2dWinogradTiles(S);
  constexpr int64_t TB = conv2dWinogradBlockTiles(S, PL); // V/M row stride
  constexpr int64_t P = S.oh * S.ow;
  constexpr int64_t uStride = conv2dWinogradPositionFloats(S, PL);
  const int T = numThreads(ctx);
  // Equal blocks of whole vectors: as many as the largest block needs.
  const int64_t numBlocks = ceilDiv(tiles, TB);
  const int64_t blockLen = roundUpTo(ceilDiv(tiles, numBlocks), L);
  const int64_t blocks = ceilDiv(tiles, blockLen);
  const int64_t base = S.n * blocks;
  const int64_t kChunks = conv2dChannelChunks(base, KB, T);

  parallelFor(ctx, base * kChunks, [&](int64_t ub, int64_t ue, int t) {
    float *vbuf = threadScratch(ctx, t);
    float *mbuf = vbuf + 36 * C * TB;
    int64_t built = -1;
    for (int64_t u = ub; u < ue; ++u) {
      const int64_t chunk = u % kChunks, nb = u / kChunks;
      const int64_t blk = nb % blocks, n = nb / blocks;
      const int64_t t0 = blk * blockLen;
      const int64_t tb = tiles - t0 < blockLen ? tiles - t0 : blockLen;
      const float *inN = in + n * C * S.h * S.w;
      if (nb != built) {
        // 1. V[p][c][t] = B^T d B for the block's tiles.
        for (int64_t v0 = 0; v0 < tb; v0 += L) {
          alignas(64) int32_t origin[L];
          alignas(64) float row0[L], col0[L];
          for (int64_t l = 0; l < L; ++l) {
            const int64_t tile = t0 + v0 + (v0 + l < tb ? l : 0);
            const int64_t y = tile / TW * 4 - S.padT, x = tile % TW * 4 - S.padL;
            origin[l] = int32_t(y * S.w + x);
            row0[l] = float(y);
            col0[l] = float(x);
          }
          const typename I::VI idx = I::loadIndices(origin);
          const V ry = I::loadu(row0), cx = I::loadu(col0);
          const M lanes = I::tailMask(tb - v0);
          M rowIn[6], colIn[6];
          for (int r = 0; r < 6; ++r) {
            const V y = I::add(ry, I::set1(float(r)));
            const V x = I::add(cx, I::set1(float(r)));
            rowIn[r] = I::maskAnd(I::cmpGe(y, I::zero()),
                                  I::cmpLt(y, I::set1(float(S.h))));
            colIn[r] = I::maskAnd(I::cmpGe(x, I::zero()),
                                  I::cmpLt(x, I::set1(float(S.w))));
          }
          for (int64_t c = 0; c < C; ++c) {
            const float *plane = inN + c * S.h * S.w;
            V d[36], tmp[36];
            for (int r = 0; r < 6; ++r)
              for (int s = 0; s < 6; ++s)
                d[r * 6 + s] = I::maskGather(
                    I::zero(), I::maskAnd(lanes, I::maskAnd(rowIn[r], colIn[s])),
                    plane + r * S.w + s, idx);
            for (int s = 0; s < 6; ++s) // columns: B^T d
              winogradInput6<I>(d + s, 6, tmp + s, 6);
            for (int r = 0; r < 6; ++r) // rows: (B^T d) B
              winogradInput6<I>(tmp + r * 6, 1, d + r * 6, 1);
            for (int p = 0; p < 36; ++p)
              I::storeu(vbuf + (p * C + c) * TB + v0, d[p]);
          }
        }
        built = nb;
      }
      int64_t kb0, kb1;
      ThreadPool::splitRange(KB, int(kChunks), int(chunk), kb0, kb1);
      // 2. M_p[k][t] = sum_c U_p[k][c] V_p[c][t].
      for (int p = 0; p < 36; ++p) {
        const float *up = packedU + p * uStride;
        const float *vp = vbuf + p * C * TB;
        float *mp = mbuf + p * KB * MR * TB;
        for (int64_t k0 = 0; k0 < C; k0 += kConvKC) {
          const int64_t kc = C - k0 < kConvKC ? C - k0 : kConvKC;
          for (int64_t pp = 0; pp < tb; pp += PANEL) {
            const GemmCols nc = gemmCols<I>(tb - pp, NR);
            for (int64_t kb = kb0; kb < kb1; ++kb) {
              const int mr = int(K - kb * MR < MR ? K - kb * MR : MR);
              GemmEpilogue ep{k0 > 0, false, nullptr, 1.0f, nullptr, nullptr};
              gemmDispatch<I, int(MR), int(NR), int(MR), BiasKind::None,
                           false, false, kConvPrefetch>(
                  mr, nc.nr, kc, up + (k0 * KB + kb * kc) * MR,
                  vp + k0 * TB + pp, TB, nc.lastCount,
                  mp + kb * MR * TB + pp, TB, ep);
            }
          }
        }
      }
      // 3. Y = A^T M A + bias, scattered to the tiles' pixels.
      const int64_t kEnd = kb1 * MR < K ? kb1 * MR : K;
      float *outN = out + n * K * P;
      for (int64_t k = kb0 * MR; k < kEnd; ++k) {
        const V b = I::set1(bias ? bias[k] : 0.0f);
        float *outK = outN + k * P;
        for (int64_t v0 = 0; v0 < tb; v0 += L) {
          V m[36], tmp[24];
          for (int p = 0; p < 36; ++p)
            m[p] = I::loadu(mbuf + (p * KB * MR + k) * TB + v0);
          for (int s = 0; s < 6; ++s) // columns: A^T m (4 x 6)
            winogradOutput6<I>(m + s, 6, tmp + s, 6);
          alignas(64) float y[16][L];
          for (int i = 0; i < 4; ++i) { // rows: (A^T m) A (4 x 4)
            V r[4];
            winogradOutput6<I>(tmp + i * 6, 1, r, 1);
            for (int j = 0; j < 4; ++j)
              I::storeu(y[i * 4 + j], I::add(r[j], b));
          }
          const int64_t lanes = tb - v0 < L ? tb - v0 : L;
          for (int64_t l = 0; l < lanes; ++l) {
            const int64_t tile = t0 + v0 + l;
            const int64_t oy = tile / TW * 4, ox = tile % TW * 4;
            for (int i = 0; i < 4 && oy + i < S.oh; ++i)
              for (int j = 0; j < 4 && ox + j < S.ow; ++j)
                outK[(oy + i) * S.ow + ox + j] = y[i * 4 + j][l];
          }
        }
        // The post-ops over the block's rows of this channel (still in
        // cache): every output row the block touched, the columns it wrote.
        if constexpr (PO.count > 0) {
          const int64_t tyB = t0 / TW, tyE = (t0 + tb - 1) / TW;
          for (int64_t ty = tyB; ty <= tyE; ++ty) {
            const int64_t txB = ty == tyB ? t0 % TW : 0;
            const int64_t txE = ty == tyE ? (t0 + tb - 1) % TW + 1 : TW;
            const int64_t x0 = txB * 4;
            const int64_t x1 = txE * 4 < S.ow ? txE * 4 : S.ow;
            for (int64_t oy = ty * 4; oy < ty * 4 + 4 && oy < S.oh; ++oy)
              applyPostOpsInPlace<I, PO>(out, outK + oy * S.ow + x0 - out,
                                         x1 - x0, post);
          }
        }
      }
    }
  });
}

} // namespace detail
} // namespace ANVIL_KERNEL_ABI
} // namespace anvil::kernels

#endif // ANVIL_KERNELS_WINOGRAD_H
