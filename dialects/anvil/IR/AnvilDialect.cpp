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

/// The ISA fixes lanes and registers (codegen/Target.h holds the table; the
/// verifier only keeps hand-written IR consistent with it).
LogicalResult
TargetAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                   StringRef name, StringRef isa, int64_t lanes,
                   int64_t registers, StringRef tune, ArrayAttr features,
                   bool emulated) {
  if (name.empty())
    return emitError() << "#anvil.target needs a name";
  int64_t wantLanes = isa == "avx2" ? 8 : isa == "avx512" ? 16 : 0;
  int64_t wantRegisters = isa == "avx2" ? 16 : 32;
  if (!wantLanes)
    return emitError() << "#anvil.target isa '" << isa
                       << "' is not avx2 or avx512";
  if (lanes != wantLanes || registers != wantRegisters)
    return emitError() << "#anvil.target isa " << isa << " has " << wantLanes
                       << " lanes and " << wantRegisters
                       << " registers, not " << lanes << " and " << registers;
  for (Attribute f : features)
    if (!isa_and_nonnull<StringAttr>(f))
      return emitError() << "#anvil.target features must be strings";
  if (emulated && (isa != "avx512" || !features.empty()))
    return emitError() << "#anvil.target emulated = true needs isa avx512 "
                          "and no features";
  return success();
}
