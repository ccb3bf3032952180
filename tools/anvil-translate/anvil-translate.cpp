//===- anvil-translate.cpp - import ONNX as anvil MLIR ----------*- C++ -*-===//
//
// anvil-translate --import-onnx FILE(.onnx|.onnxtxt) [--shape NAME=DIMS]...
//                 [-o out.mlir] [--check-test-data DIR]
// Prints the imported module; on error prints `error: <message>` and exits 1.
//
//===----------------------------------------------------------------------===//

#include "compiler/onnx/Importer.h"
#include "compiler/onnx/TestData.h"

#include "mlir/IR/AsmState.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/OperationSupport.h"
#include "mlir/Support/FileUtilities.h"

#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/raw_ostream.h"

namespace cl = llvm::cl;

static cl::opt<std::string> importOnnx("import-onnx",
                                       cl::desc("ONNX model to import"),
                                       cl::value_desc("file"));
static cl::list<std::string>
    shapes("shape", cl::desc("Pin a graph input's shape: NAME=D0xD1x..."),
           cl::value_desc("name=dims"));
static cl::opt<std::string> checkTestData(
    "check-test-data",
    cl::desc("Instead of printing the module, evaluate it on an ONNX "
             "test_data_set folder's input_*.pb and compare with its "
             "output_*.pb"),
    cl::value_desc("dir"));
static cl::opt<std::string> outputFile("o", cl::desc("Output file"),
                                       cl::value_desc("file"), cl::init("-"));

static int fail(const llvm::Twine &msg) {
  llvm::errs() << "error: " << msg << "\n";
  return 1;
}

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  mlir::registerAsmPrinterCLOptions();
  mlir::registerMLIRContextCLOptions();
  cl::ParseCommandLineOptions(argc, argv, "Anvil ONNX importer\n");
  if (importOnnx.empty())
    return fail("no input: use --import-onnx FILE");

  anvil::ImportOptions opts;
  for (const std::string &s : shapes)
    if (llvm::Error e = anvil::parseShapePin(s, opts))
      return fail(llvm::toString(std::move(e)));

  mlir::MLIRContext ctx;
  auto module = anvil::importOnnxModel(ctx, importOnnx, opts);
  if (!module)
    return fail(llvm::toString(module.takeError()));

  if (!checkTestData.empty()) {
    if (llvm::Error e =
            anvil::checkTestData(**module, checkTestData, llvm::outs()))
      return fail(llvm::toString(std::move(e)));
    return 0;
  }

  std::string errorMessage;
  auto output = mlir::openOutputFile(outputFile, &errorMessage);
  if (!output)
    return fail(errorMessage);
  (*module)->print(output->os(), mlir::OpPrintingFlags());
  output->os() << "\n";
  output->keep();
  return 0;
}
