//===- FoldConstants.cpp - evaluate ops on constant operands ----*- C++ -*-===//
//
// Replaces every anvil op whose operands are all constants by the constant it
// computes. Evaluation is the dialect's (AnvilFolds.h), the same code the
// folders run, extended here to the ops that have no folder (conv2d, matmul,
// batch_norm, pad, softmax, pooling) with a work limit for the heavy ones.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "dialects/anvil/IR/AnvilFolds.h"
#include "dialects/anvil/IR/AnvilOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/Matchers.h"
#include "llvm/ADT/SetVector.h"

namespace mlir::anvil {
#define GEN_PASS_DEF_FOLDCONSTANTSPASS
#include "passes/Passes.h.inc"
} // namespace mlir::anvil

using namespace mlir;
using namespace mlir::anvil;

namespace {

struct FoldConstantsPass
    : public mlir::anvil::impl::FoldConstantsPassBase<FoldConstantsPass> {
  using FoldConstantsPassBase::FoldConstantsPassBase;

  void runOnOperation() override {
    // Program order: producers fold before their users see them.
    SmallVector<Operation *> ops;
    getOperation()->walk([&](Operation *op) {
      if (isa<AnvilDialect>(op->getDialect()) && !isa<ConstantOp>(op))
        ops.push_back(op);
    });

    llvm::SetVector<Operation *> inputs; // constants that fed a folded op
    for (Operation *op : ops) {
      SmallVector<Attribute> operands;
      SmallVector<Operation *> producers;
      for (Value v : op->getOperands()) {
        Attribute attr;
        if (!matchPattern(v, m_Constant(&attr)))
          break;
        operands.push_back(attr);
        producers.push_back(v.getDefiningOp());
      }
      if (operands.size() != op->getNumOperands())
        continue;
      ElementsAttr value = evaluateConstantOp(op, operands, maxWork);
      if (!value)
        continue;
      OpBuilder builder(op);
      auto constant =
          ConstantOp::create(builder, op->getLoc(), value.getType(), value);
      op->getResult(0).replaceAllUsesWith(constant.getResult());
      op->erase();
      inputs.insert(producers.begin(), producers.end());
    }

    // Inputs of folded ops that nothing reads any more.
    for (Operation *producer : inputs)
      if (producer->use_empty())
        producer->erase();
  }
};

} // namespace
