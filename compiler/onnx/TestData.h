//===- TestData.h - check a model against ONNX test data --------*- C++ -*-===//
//
// ONNX backend tests ship `test_data_set_N/{input,output}_K.pb` next to each
// model. checkTestData evaluates the imported `@main` on the inputs with the
// dialect's constant evaluator (the same code the folding passes use) and
// compares with the expected outputs: a reference check of the importer that
// needs neither code generation nor a runtime.
//
//===----------------------------------------------------------------------===//

#ifndef ANVIL_COMPILER_ONNX_TESTDATA_H
#define ANVIL_COMPILER_ONNX_TESTDATA_H

#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/raw_ostream.h"

namespace anvil {

/// Evaluates `module`'s `@main` on `dir`/input_*.pb and compares with
/// `dir`/output_*.pb (|got - want| <= atol + rtol * |want|). Prints one
/// summary line to `os`; returns an error on a mismatch or when the module
/// cannot be evaluated.
llvm::Error checkTestData(mlir::ModuleOp module, llvm::StringRef dir,
                          llvm::raw_ostream &os, double rtol = 1e-3,
                          double atol = 1e-4);

} // namespace anvil

#endif // ANVIL_COMPILER_ONNX_TESTDATA_H
