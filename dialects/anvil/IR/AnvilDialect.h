//===- AnvilDialect.h - anvil dialect declaration ----------------*- C++ -*-===//

#ifndef ANVIL_DIALECTS_ANVIL_IR_ANVILDIALECT_H
#define ANVIL_DIALECTS_ANVIL_IR_ANVILDIALECT_H

#include "mlir/IR/Dialect.h"

#include "dialects/anvil/IR/AnvilDialect.h.inc"

#endif // ANVIL_DIALECTS_ANVIL_IR_ANVILDIALECT_H
