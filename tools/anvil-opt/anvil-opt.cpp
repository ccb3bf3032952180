//===- anvil-opt.cpp - mlir-opt with the anvil dialect and passes -*- C++ -*-===//

#include "codegen/CodegenPasses.h"
#include "compiler/Pipeline.h"
#include "passes/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"
#include "mlir/Transforms/Passes.h"

int main(int argc, char **argv) {
  mlir::DialectRegistry registry;
  anvil::registerDialects(registry);
  mlir::registerCanonicalizerPass();
  mlir::registerCSEPass();
  mlir::registerSymbolDCEPass();
  mlir::anvil::registerAnvilPasses();
  mlir::anvil::registerCodegenPasses();
  anvil::registerPipelines();
  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv, "Anvil optimizer driver\n", registry));
}
