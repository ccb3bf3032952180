//===- AnvilFolds.cpp - anvil folders and canonicalizations ------*- C++ -*-===//
//
// Folders evaluate ops whose operands are all constants; canonicalizations
// rewrite ops into their simplest equivalent form.
//
//===----------------------------------------------------------------------===//

#include "dialects/anvil/IR/AnvilOps.h"

#include "mlir/IR/PatternMatch.h"

using namespace mlir;
using namespace mlir::anvil;

OpFoldResult ConstantOp::fold(FoldAdaptor) { return getValue(); }

// Placeholders until the folding pass lands (owned by passes/).
OpFoldResult UnaryOp::fold(FoldAdaptor) { return {}; }
OpFoldResult BinaryOp::fold(FoldAdaptor) { return {}; }
OpFoldResult ReshapeOp::fold(FoldAdaptor) { return {}; }
OpFoldResult TransposeOp::fold(FoldAdaptor) { return {}; }
OpFoldResult ConcatOp::fold(FoldAdaptor) { return {}; }
void FlattenOp::getCanonicalizationPatterns(RewritePatternSet &, MLIRContext *) {}
