//===- EliminateDeadCode.cpp - remove unused anvil ops ----------*- C++ -*-===//
//
// Erases anvil ops whose results have no users. Walking each block backwards
// removes a whole dead chain in one sweep; the sweep repeats until nothing
// changes, so uses from nested regions are handled too. Function arguments
// and ops of other dialects are left alone.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "dialects/anvil/IR/AnvilOps.h"

namespace mlir::anvil {
#define GEN_PASS_DEF_ELIMINATEDEADCODEPASS
#include "passes/Passes.h.inc"
} // namespace mlir::anvil

using namespace mlir;
using namespace mlir::anvil;

namespace {

struct EliminateDeadCodePass
    : public mlir::anvil::impl::EliminateDeadCodePassBase<
          EliminateDeadCodePass> {
  void runOnOperation() override {
    bool changed = true;
    while (changed) {
      changed = false;
      // Anvil ops have no regions, so erasing one never frees another
      // collected op.
      SmallVector<Operation *> ops;
      getOperation()->walk([&](Operation *op) {
        if (isa<AnvilDialect>(op->getDialect()))
          ops.push_back(op);
      });
      for (Operation *op : llvm::reverse(ops)) {
        if (!op->use_empty())
          continue;
        op->erase();
        changed = true;
      }
    }
  }
};

} // namespace
