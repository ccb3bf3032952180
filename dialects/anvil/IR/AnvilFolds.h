//===- AnvilFolds.h - constant evaluation of anvil ops ----------*- C++ -*-===//
//
// One implementation of constant evaluation, shared by the op folders
// (AnvilFolds.cpp) and the anvil-fold-constants / anvil-fold-batch-norm
// passes. Constants are read from both `dense<...>` and `dense_resource<...>`
// attributes; results larger than kMaxInlineElements become resource blobs.
//
//===----------------------------------------------------------------------===//

#ifndef ANVIL_DIALECTS_ANVIL_IR_ANVILFOLDS_H
#define ANVIL_DIALECTS_ANVIL_IR_ANVILFOLDS_H

#include "mlir/IR/BuiltinAttributeInterfaces.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Operation.h"
#include "mlir/Support/LLVM.h"

#include <cstdint>
#include <limits>
#include <vector>

namespace mlir::anvil {

/// Constants with more elements than this are stored as resource blobs (the
/// importer's rule for initializers, docs/INTERFACES.md §1).
constexpr int64_t kMaxInlineElements = 16;

/// The elements of a constant, widened for evaluation: floating-point
/// elements as double (rounded back to the element type when written),
/// integer elements as int64_t (sign- or zero-extended per the type).
struct ConstantTensor {
  RankedTensorType type;
  bool isFloat = true;
  std::vector<double> floats;
  std::vector<int64_t> ints;

  int64_t size() const {
    return isFloat ? static_cast<int64_t>(floats.size())
                   : static_cast<int64_t>(ints.size());
  }
  ArrayRef<int64_t> shape() const { return type.getShape(); }
};

/// Reads a DenseElementsAttr or DenseResourceElementsAttr (with its blob
/// present) of f16/bf16/f32/f64 or 1/8/16/32/64-bit integer elements.
FailureOr<ConstantTensor> readConstant(Attribute attr);

/// Reads the elements of an f32 constant.
FailureOr<std::vector<float>> readF32Constant(Attribute attr);

/// Builds the attribute for `value`: a DenseResourceElementsAttr named after
/// `blobName` (made unique) when it has more than kMaxInlineElements elements
/// or `forceBlob` is set and the element type has a blob layout, a
/// DenseElementsAttr otherwise.
ElementsAttr makeConstant(const ConstantTensor &value, StringRef blobName,
                          bool forceBlob = false);

/// Same, for f32 data.
ElementsAttr makeF32Constant(RankedTensorType type, ArrayRef<float> data,
                             StringRef blobName, bool forceBlob = false);

/// Evaluates `op` (an anvil op other than anvil.constant) on its constant
/// operands `operands` (null entries are non-constant). Returns null when the
/// op cannot be evaluated: an operand is not constant, an element type is
/// unsupported, the result would exceed the fold budget (foldFitsBudget in
/// AnvilLimits.h), the op would take more than `maxWork` multiply-adds
/// (conv2d, matmul, pooling), or evaluation is undefined (integer division
/// by zero).
ElementsAttr
evaluateConstantOp(Operation *op, ArrayRef<Attribute> operands,
                   int64_t maxWork = std::numeric_limits<int64_t>::max());

} // namespace mlir::anvil

#endif // ANVIL_DIALECTS_ANVIL_IR_ANVILFOLDS_H
