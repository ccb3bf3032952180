//===- Importer.h - ONNX model to anvil dialect importer --------*- C++ -*-===//
//
// The ONNX front end: reads a .onnx (protobuf) or .onnxtxt (ONNX text format)
// model, validates it with libonnx, folds the shape arithmetic exporters
// emit, and builds one `func.func @main` of anvil ops (docs/INTERFACES.md §1).
//
//===----------------------------------------------------------------------===//

#ifndef ANVIL_COMPILER_ONNX_IMPORTER_H
#define ANVIL_COMPILER_ONNX_IMPORTER_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace anvil {

/// Options of one import.
struct ImportOptions {
  /// Static shapes for graph inputs, by input name (`--shape
  /// NAME=1x3x224x224`). Applied to the model before shape inference.
  std::map<std::string, std::vector<int64_t>> shapePins;
};

/// Imports the ONNX model at `path` into a module holding `func.func @main`.
///
/// Errors are returned as one message that names the file, and every
/// offending node (op type, node name, opset) when operators are unsupported.
llvm::Expected<mlir::OwningOpRef<mlir::ModuleOp>>
importOnnxModel(mlir::MLIRContext &ctx, llvm::StringRef path,
                const ImportOptions &opts);

/// Parses a `--shape` value `NAME=D0xD1x...` into `opts.shapePins`.
llvm::Error parseShapePin(llvm::StringRef spec, ImportOptions &opts);

} // namespace anvil

#endif // ANVIL_COMPILER_ONNX_IMPORTER_H
