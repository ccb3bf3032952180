//===- HostTensor.h - constants evaluated by the importer -------*- C++ -*-===//
//
// The importer evaluates shape arithmetic (Shape, Gather, Concat, Slice, ...)
// on the host so that no integer tensor reaches the runtime. HostTensor holds
// such values: float element types widened to float, integer and bool element
// types to int64_t.
//
//===----------------------------------------------------------------------===//

#ifndef ANVIL_COMPILER_ONNX_HOSTTENSOR_H
#define ANVIL_COMPILER_ONNX_HOSTTENSOR_H

#include "onnx/onnx_pb.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/ADT/SmallVector.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace anvil::onnx_import {

using Shape = llvm::SmallVector<int64_t, 4>;

/// The number of elements of `shape` (1 for a scalar); INT64_MAX for a shape
/// beyond AnvilLimits.h's limit, which no shape the importer keeps has.
int64_t numElements(llvm::ArrayRef<int64_t> shape);

/// True for float16, bfloat16, float and double.
bool isFloatType(int32_t dtype);

/// A constant tensor known to the importer.
struct HostTensor {
  int32_t dtype = onnx::TensorProto::FLOAT;
  Shape shape;
  std::vector<float> f;   // when isFloat()
  std::vector<int64_t> i; // otherwise

  bool isFloat() const { return isFloatType(dtype); }
  int64_t size() const { return numElements(shape); }
  double get(int64_t k) const {
    return isFloat() ? static_cast<double>(f[k]) : static_cast<double>(i[k]);
  }
  /// An empty tensor of `dtype` and `shape` with storage for its elements.
  static HostTensor zeros(int32_t dtype, llvm::ArrayRef<int64_t> shape);
};

/// Reads a TensorProto whose data is inline (raw or typed fields). Returns an
/// error message on failure.
std::optional<std::string> readTensorProto(const onnx::TensorProto &t,
                                           HostTensor &out);

/// `x` as an integer of `dtype`, truncated toward zero. Values ONNX leaves
/// undefined saturate to the type's range; NaN becomes 0.
int64_t floatToInt(double x, int32_t dtype);

/// Converts `in` to `dtype` following ONNX Cast (float to int as floatToInt,
/// integers wrapped to the type).
HostTensor castTensor(const HostTensor &in, int32_t dtype);

/// The numpy broadcast of `shapes`, or nullopt when they do not broadcast.
std::optional<Shape> broadcastAll(llvm::ArrayRef<Shape> shapes);

/// For every element of a tensor of shape `out`, the offset of the element of
/// a tensor of shape `in` (broadcast to `out`) it reads.
std::vector<int64_t> broadcastOffsets(llvm::ArrayRef<int64_t> in,
                                      llvm::ArrayRef<int64_t> out);

/// For every element of a tensor of shape `out`, in row-major order, the
/// offset `sourceOffset(multiIndex)` of the element it copies: the index list
/// of gatherElements for reorderings that have no stride form (slice, tile).
std::vector<int64_t>
offsetsByIndex(llvm::ArrayRef<int64_t> out,
               llvm::function_ref<int64_t(llvm::ArrayRef<int64_t>)> sourceOffset);

/// Generic element copy: result element k = in element index[k].
HostTensor gatherElements(const HostTensor &in, llvm::ArrayRef<int64_t> shape,
                          llvm::ArrayRef<int64_t> index);

/// Transposes `in` by `perm`.
HostTensor transposeTensor(const HostTensor &in, llvm::ArrayRef<int64_t> perm);

} // namespace anvil::onnx_import

#endif // ANVIL_COMPILER_ONNX_HOSTTENSOR_H
