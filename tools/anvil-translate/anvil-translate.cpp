//===- anvil-translate.cpp - import an ONNX model as anvil MLIR --*- C++ -*-===//
//
// anvil-translate --import-onnx FILE(.onnx|.onnxtxt) [--shape NAME=DIMS]...
//                 [-o out.mlir]
// Prints the imported module; on error prints `error: <message>` and exits 1.
//
//===----------------------------------------------------------------------===//

#include "compiler/onnx/Importer.h"

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

  std::string errorMessage;
  auto output = mlir::openOutputFile(outputFile, &errorMessage);
  if (!output)
    return fail(errorMessage);
  (*module)->print(output->os(), mlir::OpPrintingFlags());
  output->os() << "\n";
  output->keep();
  return 0;
}
