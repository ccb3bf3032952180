//===- RecognizeActivations.cpp - elementwise chains as one activation ----===//
//
// Exporters spell activations ONNX (opset <= 17) lacks as chains of
// elementwise ops; each becomes one anvil.unary, which the kernels compute
// in one pass and anvil-fuse-epilogues can fold into a conv or matmul (a
// chain that reads x twice cannot be a post-op list):
//   silu      x * sigmoid(x)                      (PyTorch's SiLU / Swish)
//   gelu_erf  (x * (erf(x / sqrt 2) + 1)) * 0.5   (PyTorch's GELU), also
//             with x * 0.7071.. for the division and any placement of the
//             0.5 factor
// The ops of the chain must have no other users and no broadcasting except
// of scalar constants; the chain's last op is replaced and the rest is left
// to dead-code elimination.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "dialects/anvil/IR/AnvilOps.h"

#include "mlir/IR/Builders.h"

#include <cmath>

namespace mlir::anvil {
#define GEN_PASS_DEF_RECOGNIZEACTIVATIONSPASS
#include "passes/Passes.h.inc"
} // namespace mlir::anvil

using namespace mlir;
using namespace mlir::anvil;

namespace {

/// The value of a one-element f32 constant.
std::optional<double> scalarConstant(Value v) {
  auto c = v.getDefiningOp<ConstantOp>();
  if (!c)
    return std::nullopt;
  auto dense = dyn_cast<DenseElementsAttr>(c.getValue());
  if (!dense || dense.getNumElements() != 1 ||
      !dense.getElementType().isF32())
    return std::nullopt;
  return (*dense.getValues<APFloat>().begin()).convertToDouble();
}

bool near(std::optional<double> v, double want) {
  return v && std::fabs(*v - want) <= 1e-6 * std::fabs(want);
}

/// `op` as a binary op of `kind` with the same type as `like`, whose
/// operands are `a` and something else (either order for commutative
/// kinds); that other operand.
std::optional<Value> otherOperand(Operation *op, BinaryKind kind, Value a,
                                  Value like) {
  auto b = dyn_cast_or_null<BinaryOp>(op);
  if (!b || b.getKind() != kind || b.getType() != like.getType())
    return std::nullopt;
  if (b.getLhs() == a)
    return b.getRhs();
  if (isCommutative(kind) && b.getRhs() == a)
    return b.getLhs();
  return std::nullopt;
}

/// The only user of v, when it has exactly one.
Operation *soleUser(Value v) {
  return v.hasOneUse() ? *v.getUsers().begin() : nullptr;
}

/// x * sigmoid(x): the mul to replace, and x.
std::optional<std::pair<Operation *, Value>> matchSilu(UnaryOp sig) {
  if (sig.getKind() != UnaryKind::sigmoid)
    return std::nullopt;
  Value x = sig.getInput();
  Operation *mul = soleUser(sig.getResult());
  auto other = otherOperand(mul, BinaryKind::mul, sig.getResult(), x);
  if (!other || *other != x)
    return std::nullopt;
  return std::make_pair(mul, x);
}

/// x / 2 * (1 + erf(x / sqrt 2)), from the erf: the last op and x.
std::optional<std::pair<Operation *, Value>> matchGeluErf(UnaryOp erf) {
  if (erf.getKind() != UnaryKind::erf)
    return std::nullopt;
  auto scaled = erf.getInput().getDefiningOp<BinaryOp>();
  if (!scaled || !scaled->hasOneUse())
    return std::nullopt;
  Value x;
  Value lhs = scaled.getLhs(), rhs = scaled.getRhs();
  if (scaled.getKind() == BinaryKind::div &&
      near(scalarConstant(rhs), std::sqrt(2.0)))
    x = lhs;
  else if (scaled.getKind() == BinaryKind::mul &&
           near(scalarConstant(rhs), std::sqrt(0.5)))
    x = lhs;
  else if (scaled.getKind() == BinaryKind::mul &&
           near(scalarConstant(lhs), std::sqrt(0.5)))
    x = rhs;
  else
    return std::nullopt;
  if (scaled.getType() != x.getType() || erf.getType() != x.getType())
    return std::nullopt;
  // 1 + erf(..)
  Operation *add = soleUser(erf.getResult());
  auto one = otherOperand(add, BinaryKind::add, erf.getResult(), x);
  if (!one || !near(scalarConstant(*one), 1.0))
    return std::nullopt;
  Value sum = add->getResult(0);
  // Then x and 0.5 multiplied in, in either order.
  Operation *m1 = soleUser(sum);
  auto f1 = otherOperand(m1, BinaryKind::mul, sum, x);
  if (!f1)
    return std::nullopt;
  Value p1 = m1->getResult(0);
  if (*f1 == x || near(scalarConstant(*f1), 0.5)) {
    Operation *m2 = soleUser(p1);
    auto f2 = otherOperand(m2, BinaryKind::mul, p1, x);
    if (!f2)
      return std::nullopt;
    bool done = *f1 == x ? near(scalarConstant(*f2), 0.5) : *f2 == x;
    return done ? std::optional(std::make_pair(m2, x)) : std::nullopt;
  }
  // (x * 0.5) * (1 + erf(..)): the half computed for this chain only.
  auto half = f1->getDefiningOp<BinaryOp>();
  if (!half || !half->hasOneUse())
    return std::nullopt;
  auto c = otherOperand(half, BinaryKind::mul, x, x);
  if (!c || !near(scalarConstant(*c), 0.5))
    return std::nullopt;
  return std::make_pair(m1, x);
}

struct RecognizeActivationsPass
    : public mlir::anvil::impl::RecognizeActivationsPassBase<
          RecognizeActivationsPass> {
  void runOnOperation() override {
    SmallVector<UnaryOp> candidates;
    getOperation()->walk([&](UnaryOp u) {
      if (u.getKind() == UnaryKind::sigmoid || u.getKind() == UnaryKind::erf)
        candidates.push_back(u);
    });
    for (UnaryOp u : candidates) {
      UnaryKind kind = u.getKind() == UnaryKind::sigmoid ? UnaryKind::silu
                                                         : UnaryKind::gelu_erf;
      auto match = kind == UnaryKind::silu ? matchSilu(u) : matchGeluErf(u);
      if (!match)
        continue;
      auto [last, x] = *match;
      OpBuilder b(last);
      Value y = UnaryOp::create(b, last->getLoc(), x.getType(), kind, x,
                                APFloat(0.0f), APFloat(0.0f));
      last->getResult(0).replaceAllUsesWith(y);
    }
  }
};

} // namespace
