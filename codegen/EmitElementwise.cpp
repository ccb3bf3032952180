//===- EmitElementwise.cpp - elementwise calls ------------------------------===//
//
// unary and binary (their kinds mapped to the kernels' by name from
// runtime/kernels/ElementwiseKinds.def), batch norm and softmax.
//
//===----------------------------------------------------------------------===//

#include "codegen/ModelEmitter.h"

namespace anvil::codegen::detail {

llvm::StringRef kernelKindName(ad::UnaryKind kind) {
  switch (kind) {
#define ANVIL_UNARY_KIND(Name, mnemonic)                                       \
  case ad::UnaryKind::mnemonic:                                                \
    return #Name;
#include "runtime/kernels/ElementwiseKinds.def"
  }
  return {};
}
llvm::StringRef kernelKindName(ad::BinaryKind kind) {
  switch (kind) {
#define ANVIL_BINARY_KIND(Name, mnemonic)                                      \
  case ad::BinaryKind::mnemonic:                                               \
    return #Name;
#include "runtime/kernels/ElementwiseKinds.def"
  }
  return {};
}

namespace {

// The switches above name every kind of the list in the dialect (a missing
// mnemonic does not compile, a repeated one is a duplicate case); equal
// counts make the two lists the same set.
#define ANVIL_UNARY_KIND(Name, mnemonic) +1
#define ANVIL_BINARY_KIND(Name, mnemonic) +1
constexpr unsigned kNumKernelKinds =
#include "runtime/kernels/ElementwiseKinds.def"
    ;
static_assert(kNumKernelKinds == ad::getMaxEnumValForUnaryKind() + 1 +
                                     ad::getMaxEnumValForBinaryKind() + 1,
              "runtime/kernels/ElementwiseKinds.def and AnvilAttrs.td list "
              "different elementwise kinds");

} // namespace

llvm::Error ModelEmitter::emitBatchNorm(ad::BatchNormOp op) {
  auto in = llvm::cast<RankedTensorType>(op.getInput().getType());
  if (in.getRank() < 2)
    return fail(op, "batch_norm needs an input of rank >= 2");
  if (auto err =
          expectKernel(op, simpleKernelName("batch_norm", target.isa)))
    return err;
  llvm::ArrayRef<int64_t> shape = in.getShape();
  CallExpr call(kernel("batch_norm_f32"));
  call.templateArg(isaArg()).templateInt(shape[0]).templateInt(shape[1]).templateInt(
      product(shape.drop_front(2)));
  for (Value v : op->getOperands()) {
    auto p = readPtr(v);
    if (!p)
      return p.takeError();
    call.arg(*p);
  }
  call.arg(cppFloat(op.getEpsilon().convertToFloat()));
  auto result = resultPtr(op);
  if (!result)
    return result.takeError();
  call.arg(*result).arg("ec");
  emitCall(op, call);
  return llvm::Error::success();
}

llvm::Error ModelEmitter::emitUnary(ad::UnaryOp op) {
  if (auto err = expectKernel(op, simpleKernelName("unary", target.isa)))
    return err;
  auto tt = llvm::cast<RankedTensorType>(op.getResult().getType());
  auto input = readPtr(op.getInput());
  if (!input)
    return input.takeError();
  auto result = resultPtr(op);
  if (!result)
    return result.takeError();
  emitCall(op, CallExpr(kernel("unary_f32"))
                   .templateArg(isaArg())
                   .templateArg(kernel("UnaryKind::") + kernelKindName(op.getKind()).str())
                   .templateInt(tt.getNumElements())
                   .arg(*input)
                   .arg(*result)
                   .arg(cppFloat(op.getAlpha().convertToFloat()))
                   .arg(cppFloat(op.getBeta().convertToFloat()))
                   .arg("ec"));
  return llvm::Error::success();
}

llvm::Error ModelEmitter::emitBinary(ad::BinaryOp op) {
  if (auto err = expectKernel(op, simpleKernelName("binary", target.isa)))
    return err;
  auto res = llvm::cast<RankedTensorType>(op.getResult().getType());
  llvm::SmallVector<int64_t> dims(res.getShape());
  if (dims.empty())
    dims.push_back(1);
  int64_t rank = dims.size();
  if (rank > ak::kMaxRank)
    return fail(op, "result has rank " + llvm::Twine(rank) +
                        "; the binary kernel supports at most " +
                        llvm::Twine(ak::kMaxRank));
  auto strides = [&](Value v) {
    llvm::ArrayRef<int64_t> shape =
        llvm::cast<RankedTensorType>(v.getType()).getShape();
    int64_t xr = shape.size();
    llvm::SmallVector<int64_t> contiguous(xr), result(rank, 0);
    int64_t st = 1;
    for (int64_t i = xr - 1; i >= 0; --i) {
      contiguous[i] = st;
      st *= shape[i];
    }
    for (int64_t d = 0; d < rank; ++d) {
      int64_t xd = d - (rank - xr);
      result[d] = (xd < 0 || shape[xd] == 1) ? 0 : contiguous[xd];
    }
    return result;
  };
  std::string lit = StructLiteral(kernel("BroadcastShape"))
                        .field("rank", rank)
                        .field("dims", cppIntList(dims))
                        .field("lhsStrides", cppIntList(strides(op.getLhs())))
                        .field("rhsStrides", cppIntList(strides(op.getRhs())))
                        .str();
  auto lhs = readPtr(op.getLhs());
  if (!lhs)
    return lhs.takeError();
  auto rhs = readPtr(op.getRhs());
  if (!rhs)
    return rhs.takeError();
  auto result = resultPtr(op);
  if (!result)
    return result.takeError();
  emitCall(op, CallExpr(kernel("binary_f32"))
                   .templateArg(isaArg())
                   .templateArg(kernel("BinaryKind::") + kernelKindName(op.getKind()).str())
                   .templateArg(lit)
                   .arg(*lhs)
                   .arg(*rhs)
                   .arg(*result)
                   .arg("ec"));
  return llvm::Error::success();
}

llvm::Error ModelEmitter::emitSoftmax(ad::SoftmaxOp op) {
  auto tt = llvm::cast<RankedTensorType>(op.getResult().getType());
  llvm::ArrayRef<int64_t> shape = tt.getShape();
  int64_t rank = shape.size();
  int64_t axis = static_cast<int64_t>(op.getAxis());
  if (axis < 0)
    axis += rank;
  if (rank == 0 || axis < 0 || axis >= rank)
    return fail(op, "softmax axis " + llvm::Twine(axis) +
                        " is out of range for rank " + llvm::Twine(rank));
  if (auto err = expectKernel(op, simpleKernelName("softmax", target.isa)))
    return err;
  auto input = readPtr(op.getInput());
  if (!input)
    return input.takeError();
  auto result = resultPtr(op);
  if (!result)
    return result.takeError();
  emitCall(op, CallExpr(kernel("softmax_f32"))
                   .templateArg(isaArg())
                   .templateInt(product(shape.take_front(axis)))
                   .templateInt(shape[axis])
                   .templateInt(product(shape.drop_front(axis + 1)))
                   .arg(*input)
                   .arg(*result)
                   .arg("ec"));
  return llvm::Error::success();
}

} // namespace anvil::codegen::detail
