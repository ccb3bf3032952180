//===- AnvilLimits.h - the size limits every tensor stays under --*- C++ -*-===//
//
// One definition of how large a tensor Anvil represents, and the checked
// arithmetic that proves a shape stays under it. The importer refuses a
// model (naming the tensor or node) before a shape past these limits enters
// the IR, and the op verifiers refuse such types in any IR; so the passes and
// the emitter can multiply dims, sum tensor sizes and add arena offsets of a
// verified module without overflowing int64.
//
//===----------------------------------------------------------------------===//

#ifndef ANVIL_DIALECTS_ANVIL_IR_ANVILLIMITS_H
#define ANVIL_DIALECTS_ANVIL_IR_ANVILLIMITS_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/Support/CheckedArithmetic.h"

#include <cstdint>
#include <optional>

namespace mlir::anvil {

/// The most elements one tensor may have: 2^36 (64 Gi; 256 GiB of f32). Dims
/// of 0 count as 1 here, so that every partial product of a shape's dims
/// (an outer or inner extent, a stride) is bounded as well. With at most
/// 2^20 tensors of 8-byte elements, every sum of tensor byte sizes fits in
/// int64 too.
inline constexpr int64_t kMaxTensorElements = int64_t(1) << 36;

/// The number of elements of `shape`, or nullopt when a dim is negative or
/// the shape exceeds kMaxTensorElements (dims of 0 counted as 1).
inline std::optional<int64_t> checkedElementCount(llvm::ArrayRef<int64_t> shape) {
  int64_t bound = 1;
  bool empty = false;
  for (int64_t d : shape) {
    if (d < 0)
      return std::nullopt;
    if (d == 0) {
      empty = true;
      continue;
    }
    std::optional<int64_t> next = llvm::checkedMul(bound, d);
    if (!next || *next > kMaxTensorElements)
      return std::nullopt;
    bound = *next;
  }
  return empty ? 0 : bound;
}

/// True when `shape` has no negative dim and stays under kMaxTensorElements.
inline bool isRepresentableShape(llvm::ArrayRef<int64_t> shape) {
  return checkedElementCount(shape).has_value();
}

/// The most elements a constant fold may create: 2^24 (16 Mi; 64 MiB of f32).
/// A fold may always produce as many elements as its largest constant
/// operand has (reshaping, transposing or slicing a weight); beyond that and
/// this budget the importer refuses the node and the dialect's evaluator
/// leaves the op to run at run time, so that a small model cannot make the
/// compiler materialize gigabytes (Expand, ConstantOfShape, Range, Tile).
inline constexpr int64_t kMaxFoldElements = int64_t(1) << 24;

/// True when a fold producing `resultElements` from constants whose largest
/// has `largestOperandElements` stays within kMaxFoldElements.
inline bool foldFitsBudget(int64_t resultElements,
                           int64_t largestOperandElements) {
  return resultElements <= kMaxFoldElements ||
         resultElements <= largestOperandElements;
}

/// The most post-ops (#anvil.post) one conv2d or matmul carries (the
/// kernels' kMaxPostOps, checked equal by the emitter).
inline constexpr int64_t kMaxPostOps = 8;

} // namespace mlir::anvil

#endif // ANVIL_DIALECTS_ANVIL_IR_ANVILLIMITS_H
