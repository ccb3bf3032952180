//===- FoldIntoConsumers.cpp - data movement into consumers' attributes ---===//
//
// Data movement that a consumer can do as part of its own work:
//  * a zero `anvil.pad` of the spatial dims feeding conv2d becomes conv
//    padding; feeding avg_pool it becomes padding counted in the average
//    (count_include_pad); a -inf pad feeding max_pool becomes max-pool
//    padding (ignored by the max). Pools in ceil mode are left alone: their
//    last window's rule depends on where the input ends.
//  * an `anvil.transpose` that swaps the last two dims of a matmul operand
//    becomes the matmul's transpose_a / transpose_b.
// The consumer reads the producer's input instead; the producer stays for
// its other users (dead-code elimination removes it otherwise).
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "dialects/anvil/IR/AnvilOps.h"

#include <cmath>

namespace mlir::anvil {
#define GEN_PASS_DEF_FOLDINTOCONSUMERSPASS
#include "passes/Passes.h.inc"
} // namespace mlir::anvil

using namespace mlir;
using namespace mlir::anvil;

namespace {

/// The spatial pads [top, left, bottom, right] of a constant-mode pad of an
/// NCHW tensor filled with `fill`; nullopt when it pads N or C, crops, or
/// fills with another value.
std::optional<SmallVector<int64_t, 4>> spatialPads(PadOp pad, float fill) {
  ArrayRef<int64_t> p = pad.getPads();
  if (p.size() != 8 || pad.getMode() != PadMode::constant)
    return std::nullopt;
  float value = pad.getValue().convertToFloat();
  if (!(value == fill))
    return std::nullopt;
  if (p[0] != 0 || p[1] != 0 || p[4] != 0 || p[5] != 0 ||
      llvm::any_of(p, [](int64_t v) { return v < 0; }))
    return std::nullopt;
  return SmallVector<int64_t, 4>{p[2], p[3], p[6], p[7]};
}

SmallVector<int64_t> addPads(ArrayRef<int64_t> a, ArrayRef<int64_t> b) {
  SmallVector<int64_t> sum(a);
  for (size_t i = 0; i < sum.size(); ++i)
    sum[i] += b[i];
  return sum;
}

/// Folds a pad with the given fill feeding `op`'s input into the window's
/// pads; false when there is none to fold.
template <typename OpT>
bool foldPad(OpT op, float fill) {
  auto pad = op.getInput().template getDefiningOp<PadOp>();
  if (!pad)
    return false;
  auto p = spatialPads(pad, fill);
  if (!p)
    return false;
  op.setPads(addPads(op.getPads(), *p));
  op.getInputMutable().assign(pad.getInput());
  return true;
}

/// True for a permutation that swaps the last two dims only.
bool swapsLastTwo(ArrayRef<int64_t> perm) {
  int64_t r = perm.size();
  if (r < 2 || perm[r - 2] != r - 1 || perm[r - 1] != r - 2)
    return false;
  for (int64_t i = 0; i < r - 2; ++i)
    if (perm[i] != i)
      return false;
  return true;
}

struct FoldIntoConsumersPass
    : public mlir::anvil::impl::FoldIntoConsumersPassBase<
          FoldIntoConsumersPass> {
  void runOnOperation() override {
    getOperation()->walk([&](Operation *op) {
      if (auto conv = dyn_cast<Conv2DOp>(op)) {
        foldPad(conv, 0.0f);
      } else if (auto avg = dyn_cast<AvgPoolOp>(op)) {
        bool ownPads = llvm::any_of(avg.getPads(),
                                    [](int64_t v) { return v != 0; });
        // Counted zeros only mix with the pool's own pads when those are
        // counted too.
        if (!avg.getCeilMode() && (!ownPads || avg.getCountIncludePad()) &&
            foldPad(avg, 0.0f))
          avg.setCountIncludePad(true);
      } else if (auto max = dyn_cast<MaxPoolOp>(op)) {
        if (!max.getCeilMode())
          foldPad(max, -INFINITY);
      } else if (auto mm = dyn_cast<MatmulOp>(op)) {
        if (auto t = mm.getA().getDefiningOp<TransposeOp>();
            t && swapsLastTwo(t.getPerm())) {
          mm.getAMutable().assign(t.getInput());
          mm.setTransposeA(!mm.getTransposeA());
        }
        if (auto t = mm.getB().getDefiningOp<TransposeOp>();
            t && swapsLastTwo(t.getPerm())) {
          mm.getBMutable().assign(t.getInput());
          mm.setTransposeB(!mm.getTransposeB());
        }
      }
    });
  }
};

} // namespace
