//===- AnvilOps.h - anvil op declarations ------------------------*- C++ -*-===//

#ifndef ANVIL_DIALECTS_ANVIL_IR_ANVILOPS_H
#define ANVIL_DIALECTS_ANVIL_IR_ANVILOPS_H

#include "dialects/anvil/IR/AnvilDialect.h"
#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "dialects/anvil/IR/AnvilEnums.h.inc"

#define GET_ATTRDEF_CLASSES
#include "dialects/anvil/IR/AnvilAttrs.h.inc"

#define GET_OP_CLASSES
#include "dialects/anvil/IR/AnvilOps.h.inc"

namespace mlir::anvil {

/// Numpy broadcasting of two static shapes; failure when incompatible.
FailureOr<SmallVector<int64_t>> broadcastShapes(ArrayRef<int64_t> a,
                                                ArrayRef<int64_t> b);

/// Output length of a sliding window (convolution, pooling) along one dim.
/// `ceilMode` rounds up, keeping only windows that start inside the input or
/// the leading pad, as ONNX and PyTorch do. 0 when the window does not fit
/// (or an operand is out of range), -1 when the sizes overflow int64.
int64_t slidingWindowOutputSize(int64_t in, int64_t kernel, int64_t stride,
                                int64_t padBegin, int64_t padEnd,
                                int64_t dilation, bool ceilMode = false);

/// How a binary post-op's operand lines up with the result of the conv2d or
/// matmul carrying it. The result's elements are rows of `rowLen`: its last
/// postOpRowDims dims (conv2d NCHW: the OH x OW plane of one image and
/// channel; matmul: one row of N). Full: the result's shape. Row: one value
/// per row, `period` values repeating ([1, K, 1, 1] for a conv: period K).
/// Col: one row shared by all rows ([N] for a matmul; [1, 1, OH, OW]).
enum class PostBroadcast { Full, Row, Col };
struct PostOperandLayout {
  PostBroadcast kind;
  int64_t rowLen, period;
};

/// The trailing dims of `op`'s result that form one row (conv2d: 2,
/// matmul: 1); 0 for ops without post-ops.
unsigned postOpRowDims(Operation *op);

/// How a post operand of shape `operand` is read for a result of shape
/// `result` (rows of its last `rowDims` dims); nullopt when no kernel reads
/// it (it broadcasts some other way, or the result would broadcast).
std::optional<PostOperandLayout>
postOperandLayout(ArrayRef<int64_t> result, ArrayRef<int64_t> operand,
                  unsigned rowDims);

/// The same for `operand` as a post operand of `op` (conv2d or matmul).
std::optional<PostOperandLayout> postOperandLayout(Operation *op,
                                                   Value operand);

/// Whether a binary kind gives the same result with its operands swapped.
bool isCommutative(BinaryKind kind);

} // namespace mlir::anvil

#endif // ANVIL_DIALECTS_ANVIL_IR_ANVILOPS_H
