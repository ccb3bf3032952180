//===- Passes.cpp - anvil pass registration ---------------------*- C++ -*-===//

#include "passes/Passes.h"

void mlir::anvil::registerAnvilPasses() { registerAnvilGraphPasses(); }
