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

} // namespace mlir::anvil

#endif // ANVIL_DIALECTS_ANVIL_IR_ANVILOPS_H
