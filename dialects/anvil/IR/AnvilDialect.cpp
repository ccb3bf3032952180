//===- AnvilDialect.cpp - anvil dialect registration -------------*- C++ -*-===//

#include "dialects/anvil/IR/AnvilDialect.h"
#include "dialects/anvil/IR/AnvilOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace mlir::anvil;

#include "dialects/anvil/IR/AnvilDialect.cpp.inc"
#include "dialects/anvil/IR/AnvilEnums.cpp.inc"

#define GET_ATTRDEF_CLASSES
#include "dialects/anvil/IR/AnvilAttrs.cpp.inc"

void AnvilDialect::initialize() {
  addAttributes<
#define GET_ATTRDEF_LIST
#include "dialects/anvil/IR/AnvilAttrs.cpp.inc"
      >();
  addOperations<
#define GET_OP_LIST
#include "dialects/anvil/IR/AnvilOps.cpp.inc"
      >();
}

Operation *AnvilDialect::materializeConstant(OpBuilder &builder,
                                             Attribute value, Type type,
                                             Location loc) {
  auto elements = dyn_cast<ElementsAttr>(value);
  if (!elements || elements.getType() != type)
    return nullptr;
  return ConstantOp::create(builder, loc, type, elements);
}
