//===- ModelLoader.h - read, validate, pin an ONNX model --------*- C++ -*-===//
//
// The first half of the importer: file I/O (binary or text format), external
// data confined to the model's folder, `--shape` pins, the libonnx checker and
// shape inference. Everything that can go wrong with a file is reported here
// as an llvm::Error naming the file; nothing throws past this interface.
//
//===----------------------------------------------------------------------===//

#ifndef ANVIL_COMPILER_ONNX_MODELLOADER_H
#define ANVIL_COMPILER_ONNX_MODELLOADER_H

#include "compiler/onnx/Importer.h"

#include "onnx/onnx_pb.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/Support/Error.h"

namespace anvil::onnx_import {

/// Loads the model at `path`, inlines its external data, applies the shape
/// pins of `opts`, runs the checker and shape inference, and checks that
/// every runtime input has a fully static f32 shape.
llvm::Error loadModel(llvm::StringRef path, const ImportOptions &opts,
                      onnx::ModelProto &model);

/// Dims as `1x3x224x224` (the --shape spelling; empty for a scalar).
std::string dimsText(llvm::ArrayRef<int64_t> dims);

/// The ONNX name of a TensorProto data type ("float", "int64", ...).
std::string dataTypeName(int32_t dtype);

/// Why an empty tensor (a dim of 0) may not be a runtime tensor: every such
/// refusal ends with this.
inline constexpr const char *kNoEmptyRuntimeTensors =
    "Anvil does not compile empty runtime tensors";

} // namespace anvil::onnx_import

#endif // ANVIL_COMPILER_ONNX_MODELLOADER_H
