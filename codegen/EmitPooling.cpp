//===- EmitPooling.cpp - pooling calls --------------------------------------===//
//===----------------------------------------------------------------------===//

#include "codegen/ModelEmitter.h"

namespace anvil::codegen::detail {

llvm::Error ModelEmitter::emitPool(Operation *op, bool isMax) {
  auto in = llvm::cast<RankedTensorType>(op->getOperand(0).getType());
  auto res = llvm::cast<RankedTensorType>(op->getResult(0).getType());
  llvm::ArrayRef<int64_t> ks, strides, pads;
  llvm::SmallVector<int64_t> dil = {1, 1};
  bool countIncludePad = false;
  if (auto mp = llvm::dyn_cast<ad::MaxPoolOp>(op)) {
    ks = mp.getKernelShape();
    strides = mp.getStrides();
    pads = mp.getPads();
    dil.assign(mp.getDilations().begin(), mp.getDilations().end());
  } else {
    auto ap = llvm::cast<ad::AvgPoolOp>(op);
    ks = ap.getKernelShape();
    strides = ap.getStrides();
    pads = ap.getPads();
    countIncludePad = ap.getCountIncludePad();
  }
  if (in.getRank() != 4 || res.getRank() != 4 || ks.size() != 2 ||
      strides.size() != 2 || pads.size() != 4 || dil.size() != 2)
    return fail(op, "only 2-D pooling over NCHW tensors is supported (input "
                    "type " +
                        typeString(in) + ")");
  if (auto err = expectKernel(
          op, simpleKernelName(isMax ? "max_pool" : "avg_pool", target.isa)))
    return err;
  std::string lit = StructLiteral(kernel("PoolShape"))
                        .field("n", in.getDimSize(0))
                        .field("c", in.getDimSize(1))
                        .field("h", in.getDimSize(2))
                        .field("w", in.getDimSize(3))
                        .field("oh", res.getDimSize(2))
                        .field("ow", res.getDimSize(3))
                        .field("kh", ks[0])
                        .field("kw", ks[1])
                        .field("strideH", strides[0])
                        .field("strideW", strides[1])
                        .field("padT", pads[0])
                        .field("padL", pads[1])
                        .field("padB", pads[2])
                        .field("padR", pads[3])
                        .field("dilH", dil[0])
                        .field("dilW", dil[1])
                        .field("countIncludePad", cppBool(countIncludePad))
                        .str();
  auto input = readPtr(op->getOperand(0));
  if (!input)
    return input.takeError();
  auto result = resultPtr(op);
  if (!result)
    return result.takeError();
  emitCall(op, CallExpr(kernel(isMax ? "max_pool_f32" : "avg_pool_f32"))
                   .templateArg(isaArg())
                   .templateArg(lit)
                   .arg(*input)
                   .arg(*result)
                   .arg("ec"));
  return llvm::Error::success();
}

llvm::Error ModelEmitter::emitGlobalPool(Operation *op, bool isMax) {
  auto in = llvm::cast<RankedTensorType>(op->getOperand(0).getType());
  if (in.getRank() < 2)
    return fail(op, "global pooling needs an input of rank >= 2");
  if (auto err = expectKernel(
          op, simpleKernelName(isMax ? "global_max_pool" : "global_avg_pool",
                               target.isa)))
    return err;
  llvm::ArrayRef<int64_t> shape = in.getShape();
  auto input = readPtr(op->getOperand(0));
  if (!input)
    return input.takeError();
  auto result = resultPtr(op);
  if (!result)
    return result.takeError();
  emitCall(op, CallExpr(kernel(isMax ? "global_max_pool_f32"
                                     : "global_avg_pool_f32"))
                   .templateArg(isaArg())
                   .templateInt(shape[0] * shape[1])
                   .templateInt(product(shape.drop_front(2)))
                   .arg(*input)
                   .arg(*result)
                   .arg("ec"));
  return llvm::Error::success();
}

} // namespace anvil::codegen::detail
