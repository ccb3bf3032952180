//===- FuseEpilogues.cpp - elementwise consumers into conv2d/matmul -------===//
//
// oneDNN's post-op model: a conv2d or matmul whose only user is an
// elementwise op absorbs it as the next step of its `post_ops` list
// (#anvil.post), repeatedly, so `relu(conv(x) + residual)` is one kernel
// that writes each result once. The fused op takes the place of the last
// op it absorbs (a binary op's other operand may be computed after the
// conv). Not fused: a result with a second user, a binary op that would
// broadcast the result itself, an operand the kernels cannot read
// (postOperandLayout), a non-commutative op with the result on the right,
// and steps past kMaxPostOps.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "dialects/anvil/IR/AnvilLimits.h"
#include "dialects/anvil/IR/AnvilOps.h"

namespace mlir::anvil {
#define GEN_PASS_DEF_FUSEEPILOGUESPASS
#include "passes/Passes.h.inc"
} // namespace mlir::anvil

using namespace mlir;
using namespace mlir::anvil;

namespace {

/// One absorbable user: its post-op and, for a binary one, its operand.
struct Step {
  Operation *user;
  PostOpAttr post;
  Value operand;
};

/// The user of `producer`'s result it can absorb next, if any.
template <typename OpT> std::optional<Step> nextStep(OpT producer) {
  if (static_cast<int64_t>(producer.getPostOps().size()) >= kMaxPostOps)
    return std::nullopt;
  Value result = producer->getResult(0);
  if (!result.hasOneUse())
    return std::nullopt;
  Operation *user = *result.getUsers().begin();
  if (user->getBlock() != producer->getBlock())
    return std::nullopt;
  MLIRContext *ctx = producer.getContext();
  if (auto u = dyn_cast<UnaryOp>(user))
    return Step{user,
                PostOpAttr::unaryStep(ctx, u.getKind(),
                                      u.getAlpha().convertToFloat(),
                                      u.getBeta().convertToFloat()),
                Value()};
  auto b = dyn_cast<BinaryOp>(user);
  if (!b || b.getType() != result.getType())
    return std::nullopt;
  Value other;
  if (b.getLhs() == result && b.getRhs() != result)
    other = b.getRhs();
  else if (b.getRhs() == result && b.getLhs() != result &&
           isCommutative(b.getKind()))
    other = b.getLhs();
  else
    return std::nullopt;
  if (!postOperandLayout(producer, other))
    return std::nullopt;
  return Step{user,
              PostOpAttr::binaryStep(ctx, b.getKind(),
                                     producer.getPostOperands().size()),
              other};
}

/// Absorbs users into `op` (Conv2DOp or MatmulOp) while nextStep finds one.
template <typename OpT> void fuseInto(OpT op) {
  while (auto step = nextStep(op)) {
    SmallVector<Attribute> posts(op.getPostOps().getValue());
    posts.push_back(step->post);
    op->moveBefore(step->user);
    op.setPostOpsAttr(ArrayAttr::get(op.getContext(), posts));
    if (step->operand)
      op.getPostOperandsMutable().append(step->operand);
    op->setLoc(FusedLoc::get(op.getContext(),
                             {op.getLoc(), step->user->getLoc()}));
    step->user->getResult(0).replaceAllUsesWith(op.getResult());
    step->user->erase();
  }
}

struct FuseEpiloguesPass
    : public mlir::anvil::impl::FuseEpiloguesPassBase<FuseEpiloguesPass> {
  void runOnOperation() override {
    SmallVector<Operation *> producers;
    getOperation()->walk([&](Operation *op) {
      if (isa<Conv2DOp, MatmulOp>(op))
        producers.push_back(op);
    });
    for (Operation *op : producers) {
      if (auto conv = dyn_cast<Conv2DOp>(op))
        fuseInto(conv);
      else
        fuseInto(cast<MatmulOp>(op));
    }
  }
};

} // namespace
