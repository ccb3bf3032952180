//===- PlanMemory.cpp - liveness-based arena planning -----------*- C++ -*-===//
//
// Assigns every intermediate tensor a byte offset in one arena so that
// tensors whose live ranges overlap never share bytes (docs/INTERFACES.md §2,
// "The memory plan"). Elementwise ops may write over an operand that dies at
// them. Offsets come from greedy placement: buffers in decreasing size, each
// into the best-fitting gap left by already placed buffers whose live ranges
// overlap its own; several orders are tried and the smallest arena wins.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "dialects/anvil/IR/AnvilOps.h"

#include "mlir/IR/Builders.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/CheckedArithmetic.h"

#include <algorithm>
#include <functional>
#include <limits>
#include <numeric>

namespace mlir::anvil {
#define GEN_PASS_DEF_PLANMEMORYPASS
#include "passes/Passes.h.inc"
} // namespace mlir::anvil

using namespace mlir;
using namespace mlir::anvil;

namespace {

constexpr int64_t kAlignment = 64;
constexpr StringLiteral kOffsetAttr = "anvil.arena_offset";
/// The largest arena planned (256 TiB): far past any machine, far from
/// int64's limit.
constexpr int64_t kMaxArenaBytes = int64_t(1) << 48;
constexpr StringLiteral kArenaBytesAttr = "anvil.arena_bytes";
constexpr StringLiteral kNaiveBytesAttr = "anvil.naive_bytes";

int64_t alignUp(int64_t bytes) {
  return (bytes + kAlignment - 1) / kAlignment * kAlignment;
}

int64_t byteSize(Value v) {
  auto type = cast<RankedTensorType>(v.getType());
  int64_t bits = type.getElementTypeBitWidth();
  return (type.getNumElements() * bits + 7) / 8;
}

bool isAlias(Operation *op) { return isa<ReshapeOp, FlattenOp>(op); }

/// The value that owns the storage `v` reads: reshape/flatten chains alias
/// their input.
Value storageOf(Value v) {
  while (Operation *def = v.getDefiningOp()) {
    if (!isAlias(def))
      break;
    v = def->getOperand(0);
  }
  return v;
}

/// A buffer in the arena: one or more values written in place over each
/// other, live over [start, end] (op indices, inclusive).
struct Buffer {
  SmallVector<Operation *, 2> ops;
  int64_t size = 0;
  int64_t start = 0;
  int64_t end = 0;
  int64_t offset = -1;
};

bool overlaps(const Buffer &a, const Buffer &b) {
  return a.start <= b.end && b.start <= a.end;
}

/// Places `order` greedily: each buffer goes into the smallest gap between
/// already placed, live-overlapping buffers that holds it, or above them all.
/// Returns the arena size; writes offsets into `offsets`.
int64_t placeBuffers(ArrayRef<Buffer> buffers, ArrayRef<size_t> order,
                     SmallVectorImpl<int64_t> &offsets) {
  offsets.assign(buffers.size(), -1);
  SmallVector<size_t> placed;
  int64_t arena = 0;
  for (size_t idx : order) {
    const Buffer &buf = buffers[idx];
    SmallVector<std::pair<int64_t, int64_t>> busy; // [offset, offset + size)
    for (size_t p : placed)
      if (overlaps(buffers[p], buf))
        busy.push_back({offsets[p], offsets[p] + alignUp(buffers[p].size)});
    llvm::sort(busy);
    int64_t need = alignUp(buf.size);
    int64_t bestOffset = -1, bestGap = std::numeric_limits<int64_t>::max();
    int64_t cursor = 0;
    for (auto [lo, hi] : busy) {
      if (lo - cursor >= need && lo - cursor < bestGap) {
        bestGap = lo - cursor;
        bestOffset = cursor;
      }
      cursor = std::max(cursor, hi);
    }
    if (bestOffset < 0)
      bestOffset = cursor;
    offsets[idx] = bestOffset;
    arena = std::max(arena, bestOffset + need);
    placed.push_back(idx);
  }
  return arena;
}

struct PlanMemoryPass
    : public mlir::anvil::impl::PlanMemoryPassBase<PlanMemoryPass> {
  void runOnOperation() override;
};

void PlanMemoryPass::runOnOperation() {
  func::FuncOp func = getOperation();
  MLIRContext *ctx = &getContext();
  Builder builder(ctx);
  if (func.isExternal())
    return;
  if (!func.getBody().hasOneBlock()) {
    func.emitOpError("anvil-plan-memory needs a single-block function");
    return signalPassFailure();
  }
  Block &block = func.getBody().front();

  // Number the ops; the terminator is the last index.
  DenseMap<Operation *, int64_t> index;
  int64_t counter = 0;
  for (Operation &op : block) {
    op.removeAttr(kOffsetAttr);
    index[&op] = counter++;
  }
  const int64_t endOfFunc = counter; // beyond every op: live to the end
  Operation *terminator = block.getTerminator();

  // How often each value is returned.
  DenseMap<Value, int64_t> returnCount;
  if (isa<func::ReturnOp>(terminator))
    for (Value v : terminator->getOperands())
      ++returnCount[v];

  auto needsStorage = [&](Value v) {
    Operation *def = v.getDefiningOp();
    if (!def || def->getBlock() != &block || def == terminator)
      return false;
    if (isa<ConstantOp>(def) || isAlias(def))
      return false;
    if (def->getNumResults() != 1 || !isa<RankedTensorType>(v.getType()))
      return false;
    // Returned exactly once and produced here: written into the output.
    auto it = returnCount.find(v);
    if (it != returnCount.end() && it->second == 1)
      return false;
    return true;
  };

  // Live end of a value's storage, following reshape/flatten aliases. A
  // value codegen copies into an output at the end stays live to the end.
  std::function<int64_t(Value)> lastUse = [&](Value v) -> int64_t {
    int64_t end = index[v.getDefiningOp()];
    if (returnCount.count(v))
      end = endOfFunc;
    for (OpOperand &use : v.getUses()) {
      Operation *user = use.getOwner();
      // Uses nested in regions count at their ancestor in this block.
      Operation *anchor = block.findAncestorOpInBlock(*user);
      if (!anchor)
        continue;
      end = std::max(end, index[anchor]);
      if (anchor == user && isAlias(user))
        end = std::max(end, lastUse(user->getResult(0)));
    }
    return end;
  };

  // Build buffers in program order, merging in-place candidates.
  SmallVector<Buffer> buffers;
  DenseMap<Value, size_t> bufferOf; // storage value -> buffer index
  DenseMap<Value, int64_t> valueEnd;
  for (Operation &op : block) {
    if (op.getNumResults() != 1)
      continue;
    Value result = op.getResult(0);
    if (!needsStorage(result))
      continue;
    int64_t start = index[&op];
    int64_t end = lastUse(result);
    valueEnd[result] = end;
    int64_t size = byteSize(result);

    // In place over an elementwise operand whose storage dies here.
    std::optional<size_t> reuse;
    // An operand with as many bytes as the result is never broadcast.
    auto tryOperand = [&](Value operand) {
      if (reuse || byteSize(operand) != size)
        return;
      Value storage = storageOf(operand);
      auto it = bufferOf.find(storage);
      if (it == bufferOf.end())
        return;
      Buffer &buf = buffers[it->second];
      if (valueEnd[storage] != start || buf.end != start)
        return;
      reuse = it->second;
    };
    if (isa<UnaryOp, BatchNormOp>(op)) {
      tryOperand(op.getOperand(0));
    } else if (isa<BinaryOp>(op)) {
      tryOperand(op.getOperand(0));
      tryOperand(op.getOperand(1));
    }

    if (reuse) {
      Buffer &buf = buffers[*reuse];
      buf.ops.push_back(&op);
      buf.end = end;
      bufferOf[result] = *reuse;
      continue;
    }
    Buffer buf;
    buf.ops.push_back(&op);
    buf.size = size;
    buf.start = start;
    buf.end = end;
    bufferOf[result] = buffers.size();
    buffers.push_back(std::move(buf));
  }

  // Every placement stays below the sum of the aligned buffer sizes; with
  // each tensor within AnvilLimits.h's limit the sum is checked once here,
  // so the offsets and ends below cannot overflow.
  int64_t totalBytes = 0;
  for (const Buffer &buf : buffers) {
    std::optional<int64_t> sum = llvm::checkedAdd(totalBytes, alignUp(buf.size));
    if (!sum || *sum > kMaxArenaBytes) {
      func.emitOpError("the activations need more than 2^48 bytes of arena");
      return signalPassFailure();
    }
    totalBytes = *sum;
  }

  // Try a few placement orders; keep the smallest arena.
  SmallVector<size_t> bySize(buffers.size());
  std::iota(bySize.begin(), bySize.end(), 0);
  SmallVector<size_t> byArea = bySize, byStart = bySize;
  llvm::stable_sort(bySize, [&](size_t a, size_t b) {
    if (buffers[a].size != buffers[b].size)
      return buffers[a].size > buffers[b].size;
    return buffers[a].start < buffers[b].start;
  });
  llvm::stable_sort(byArea, [&](size_t a, size_t b) {
    auto area = [&](size_t i) {
      return buffers[i].size * (buffers[i].end - buffers[i].start + 1);
    };
    return area(a) > area(b);
  });
  llvm::stable_sort(byStart, [&](size_t a, size_t b) {
    if (buffers[a].start != buffers[b].start)
      return buffers[a].start < buffers[b].start;
    return buffers[a].size > buffers[b].size;
  });

  SmallVector<int64_t> best, offsets;
  int64_t arenaBytes = std::numeric_limits<int64_t>::max();
  for (ArrayRef<size_t> order :
       {ArrayRef<size_t>(bySize), ArrayRef<size_t>(byArea),
        ArrayRef<size_t>(byStart)}) {
    int64_t bytes = placeBuffers(buffers, order, offsets);
    if (bytes < arenaBytes) {
      arenaBytes = bytes;
      best = offsets;
    }
  }
  if (buffers.empty())
    arenaBytes = 0;

  int64_t naiveBytes = 0;
  for (auto [i, buf] : llvm::enumerate(buffers)) {
    for (Operation *op : buf.ops) {
      op->setAttr(kOffsetAttr, builder.getI64IntegerAttr(best[i]));
      naiveBytes += alignUp(byteSize(op->getResult(0)));
    }
  }
  func->setAttr(kArenaBytesAttr, builder.getI64IntegerAttr(arenaBytes));
  func->setAttr(kNaiveBytesAttr, builder.getI64IntegerAttr(naiveBytes));
}

} // namespace
