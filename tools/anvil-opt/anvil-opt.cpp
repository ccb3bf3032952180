//===- anvil-opt.cpp - mlir-opt with the anvil dialect and passes -*- C++ -*-===//

#include "dialects/anvil/IR/AnvilDialect.h"
#include "passes/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"
#include "mlir/Transforms/Passes.h"

int main(int argc, char **argv) {
  mlir::DialectRegistry registry;
  registry.insert<mlir::anvil::AnvilDialect, mlir::func::FuncDialect>();
  mlir::registerCanonicalizerPass();
  mlir::registerCSEPass();
  mlir::registerSymbolDCEPass();
  mlir::anvil::registerAnvilPasses();
  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv, "Anvil optimizer driver\n", registry));
}
