//===- TensorFile.h - .npy and ONNX TensorProto tensor I/O ------*- C++ -*-===//
//
// anvil-run's tensor I/O: float32 tensors from NumPy .npy files (format
// versions 1-3, little-endian '<f4', C order) and ONNX TensorProto .pb files
// (as in ONNX's backend test data); float32 .npy output. Every failure is
// reported as a message, never an exception or a crash: the files are user
// input.
//
//===----------------------------------------------------------------------===//

#ifndef ANVIL_TOOLS_ANVILRUN_TENSORFILE_H
#define ANVIL_TOOLS_ANVILRUN_TENSORFILE_H

#include <cstdint>
#include <string>
#include <vector>

namespace anvil::run {

/// A dense float32 tensor in C order.
struct HostTensor {
  std::vector<int64_t> shape;
  std::vector<float> data;
};

/// Formats a shape as `[1, 3, 224, 224]` (`[]` for a scalar).
std::string formatShape(const int64_t *dims, size_t rank);
inline std::string formatShape(const std::vector<int64_t> &dims) {
  return formatShape(dims.data(), dims.size());
}

/// Reads a float32 tensor from `path`. The format is chosen by content (the
/// .npy magic string), else by extension (.pb → TensorProto). On failure
/// returns false and sets `error` to a message that does not repeat the path.
bool readTensorFile(const std::string &path, HostTensor &out,
                    std::string &error);

/// Parses an in-memory .npy image.
bool parseNpy(const std::string &bytes, HostTensor &out, std::string &error);

/// Parses an in-memory serialized onnx.TensorProto.
bool parseTensorProto(const std::string &bytes, HostTensor &out,
                      std::string &error);

/// Writes a float32 C-order tensor as a version 1.0 .npy file.
bool writeNpy(const std::string &path, const int64_t *shape, size_t rank,
              const float *data, std::string &error);

} // namespace anvil::run

#endif // ANVIL_TOOLS_ANVILRUN_TENSORFILE_H
