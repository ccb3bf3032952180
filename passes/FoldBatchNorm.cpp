//===- FoldBatchNorm.cpp - fold batch_norm into conv2d ----------*- C++ -*-===//
//
// batch_norm(conv2d(x, W, b)) with constant W, b and batch-norm parameters is
// one conv2d: per output channel k, with s = scale / sqrt(var + epsilon),
//   W'[k] = W[k] * s[k]      b'[k] = (b[k] - mean[k]) * s[k] + beta[k].
// Only when the conv result feeds nothing but the batch_norm: otherwise the
// unnormalized result would still be needed.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "dialects/anvil/IR/AnvilFolds.h"
#include "dialects/anvil/IR/AnvilOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/Matchers.h"
#include "llvm/ADT/SetVector.h"

#include <cmath>
#include <string>

namespace mlir::anvil {
#define GEN_PASS_DEF_FOLDBATCHNORMPASS
#include "passes/Passes.h.inc"
} // namespace mlir::anvil

using namespace mlir;
using namespace mlir::anvil;

namespace {

/// The f32 elements of a value defined by a constant.
FailureOr<std::vector<float>> constantF32(Value v) {
  Attribute attr;
  if (!v || !matchPattern(v, m_Constant(&attr)))
    return failure();
  return readF32Constant(attr);
}

/// A blob name derived from the conv's name when it has one.
std::string blobName(Location loc, StringRef suffix) {
  std::string base = "bn_folded";
  if (auto name = dyn_cast<NameLoc>(loc))
    base = name.getName().str();
  return base + "." + suffix.str();
}

LogicalResult foldInto(BatchNormOp bn) {
  auto conv = bn.getInput().getDefiningOp<Conv2DOp>();
  // Post-ops (a fused activation) come after the conv: BN cannot move before
  // them.
  if (!conv || !conv->hasOneUse() || !conv.getPostOps().empty())
    return failure();
  auto weightType = cast<RankedTensorType>(conv.getWeight().getType());
  if (!weightType.getElementType().isF32())
    return failure();

  FailureOr<std::vector<float>> weight = constantF32(conv.getWeight());
  FailureOr<std::vector<float>> scale = constantF32(bn.getScale());
  FailureOr<std::vector<float>> beta = constantF32(bn.getBias());
  FailureOr<std::vector<float>> mean = constantF32(bn.getMean());
  FailureOr<std::vector<float>> var = constantF32(bn.getVar());
  if (failed(weight) || failed(scale) || failed(beta) || failed(mean) ||
      failed(var))
    return failure();
  int64_t k = weightType.getDimSize(0);
  std::vector<float> bias(k, 0.0f);
  if (conv.getBias()) {
    FailureOr<std::vector<float>> b = constantF32(conv.getBias());
    if (failed(b))
      return failure();
    bias = *b;
  }

  double epsilon = bn.getEpsilon().convertToDouble();
  int64_t perChannel = weightType.getNumElements() / k;
  std::vector<float> newWeight(weight->size()), newBias(k);
  for (int64_t c = 0; c < k; ++c) {
    double s =
        (*scale)[c] / std::sqrt(static_cast<double>((*var)[c]) + epsilon);
    for (int64_t j = 0; j < perChannel; ++j)
      newWeight[c * perChannel + j] =
          static_cast<float>((*weight)[c * perChannel + j] * s);
    newBias[c] = static_cast<float>(
        (static_cast<double>(bias[c]) - (*mean)[c]) * s + (*beta)[c]);
  }

  MLIRContext *ctx = bn.getContext();
  Location loc = FusedLoc::get(ctx, {conv.getLoc(), bn.getLoc()});
  OpBuilder builder(bn);
  auto biasType = RankedTensorType::get({k}, weightType.getElementType());
  auto weightConst = ConstantOp::create(
      builder, loc, weightType,
      makeF32Constant(weightType, newWeight, blobName(conv.getLoc(), "weight"),
                      /*forceBlob=*/true));
  auto biasConst = ConstantOp::create(
      builder, loc, biasType,
      makeF32Constant(biasType, newBias, blobName(conv.getLoc(), "bias")));
  auto fused = Conv2DOp::create(builder, loc, bn.getType(), conv.getInput(),
                                weightConst.getResult(), biasConst.getResult(),
                                conv.getStrides(), conv.getPads(),
                                conv.getDilations(), conv.getGroups());

  llvm::SetVector<Operation *> params;
  for (Value v : llvm::concat<Value>(conv->getOperands().drop_front(),
                                     bn->getOperands().drop_front()))
    if (Operation *def = v.getDefiningOp())
      params.insert(def);
  bn.getResult().replaceAllUsesWith(fused.getResult());
  bn->erase();
  conv->erase();
  // Parameters nothing else reads (a constant may feed several params).
  for (Operation *param : params)
    if (param->use_empty() && isa<ConstantOp>(param))
      param->erase();
  return success();
}

struct FoldBatchNormPass
    : public mlir::anvil::impl::FoldBatchNormPassBase<FoldBatchNormPass> {
  void runOnOperation() override {
    SmallVector<BatchNormOp> bns;
    getOperation()->walk([&](BatchNormOp bn) { bns.push_back(bn); });
    for (BatchNormOp bn : bns)
      (void)foldInto(bn);
  }
};

} // namespace
