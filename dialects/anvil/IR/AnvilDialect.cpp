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

//===----------------------------------------------------------------------===//
// PostOpAttr: #anvil.post<relu>, #anvil.post<clip, 0.0, 6.0>,
// #anvil.post<add, 0>
//===----------------------------------------------------------------------===//

PostOpAttr PostOpAttr::unaryStep(MLIRContext *ctx, UnaryKind kind,
                                 float alpha, float beta) {
  return get(ctx, false, kind, BinaryKind::add, llvm::APFloat(alpha),
             llvm::APFloat(beta), 0);
}

PostOpAttr PostOpAttr::binaryStep(MLIRContext *ctx, BinaryKind kind,
                                  int64_t operand) {
  return get(ctx, true, UnaryKind::identity, kind, llvm::APFloat(0.0f),
             llvm::APFloat(0.0f), operand);
}

LogicalResult PostOpAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                                 bool isBinary, UnaryKind, BinaryKind,
                                 llvm::APFloat alpha, llvm::APFloat beta,
                                 int64_t operand) {
  if (isBinary && operand < 0)
    return emitError() << "#anvil.post operand " << operand
                       << " must be >= 0";
  if (!isBinary && operand != 0)
    return emitError() << "a unary #anvil.post has no operand";
  if (&alpha.getSemantics() != &llvm::APFloat::IEEEsingle() ||
      &beta.getSemantics() != &llvm::APFloat::IEEEsingle())
    return emitError() << "#anvil.post parameters are f32";
  return success();
}

Attribute PostOpAttr::parse(AsmParser &parser, Type) {
  MLIRContext *ctx = parser.getContext();
  llvm::SMLoc at = parser.getCurrentLocation();
  StringRef name;
  if (parser.parseLess() || parser.parseKeyword(&name))
    return {};
  if (std::optional<BinaryKind> kind = symbolizeBinaryKind(name)) {
    int64_t operand = 0;
    if (parser.parseComma() || parser.parseInteger(operand) ||
        parser.parseGreater())
      return {};
    return getChecked([&] { return parser.emitError(at); }, ctx, true,
                      UnaryKind::identity, *kind, llvm::APFloat(0.0f),
                      llvm::APFloat(0.0f), operand);
  }
  std::optional<UnaryKind> kind = symbolizeUnaryKind(name);
  if (!kind) {
    parser.emitError(at) << "'" << name
                         << "' is not a unary or binary kind";
    return {};
  }
  double alpha = 0, beta = 0;
  if (succeeded(parser.parseOptionalComma()) &&
      (parser.parseFloat(alpha) || parser.parseComma() ||
       parser.parseFloat(beta)))
    return {};
  if (parser.parseGreater())
    return {};
  return getChecked([&] { return parser.emitError(at); }, ctx, false, *kind,
                    BinaryKind::add, llvm::APFloat(float(alpha)),
                    llvm::APFloat(float(beta)), 0);
}

void PostOpAttr::print(AsmPrinter &printer) const {
  printer << "<";
  if (getIsBinary()) {
    printer << stringifyBinaryKind(getBinaryKind()) << ", " << getOperand();
  } else {
    printer << stringifyUnaryKind(getUnaryKind());
    if (!getAlpha().isZero() || !getBeta().isZero()) {
      printer << ", ";
      printer.printFloat(getAlpha());
      printer << ", ";
      printer.printFloat(getBeta());
    }
  }
  printer << ">";
}
