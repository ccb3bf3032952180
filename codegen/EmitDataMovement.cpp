//===- EmitDataMovement.cpp - transpose, concat and pad calls ---------------===//
//===----------------------------------------------------------------------===//

#include "codegen/ModelEmitter.h"

namespace anvil::codegen::detail {

llvm::Error ModelEmitter::emitTranspose(ad::TransposeOp op) {
  auto in = llvm::cast<RankedTensorType>(op.getInput().getType());
  llvm::SmallVector<int64_t> dims(in.getShape());
  llvm::SmallVector<int64_t> perm(op.getPerm());
  if (dims.empty()) {
    dims.push_back(1);
    perm.assign({0});
  }
  if (int64_t(dims.size()) > ak::kMaxRank || perm.size() != dims.size())
    return fail(op, "transpose of rank " + llvm::Twine(dims.size()) +
                        " is not supported (at most " +
                        llvm::Twine(ak::kMaxRank) + ")");
  if (auto err = expectKernel(op, "transpose_f32"))
    return err;
  std::string lit = StructLiteral(kernel("TransposeShape"))
                        .field("rank", int64_t(dims.size()))
                        .field("inDims", cppIntList(dims))
                        .field("perm", cppIntList(perm))
                        .str();
  auto input = readPtr(op.getInput());
  if (!input)
    return input.takeError();
  auto result = resultPtr(op);
  if (!result)
    return result.takeError();
  emitCall(op, CallExpr(kernel("transpose_f32"))
                   .templateArg(lit)
                   .arg(*input)
                   .arg(*result)
                   .arg("ec"));
  return llvm::Error::success();
}

llvm::Error ModelEmitter::emitConcat(ad::ConcatOp op) {
  auto res = llvm::cast<RankedTensorType>(op.getResult().getType());
  llvm::ArrayRef<int64_t> shape = res.getShape();
  int64_t rank = shape.size();
  int64_t axis = static_cast<int64_t>(op.getAxis());
  if (axis < 0)
    axis += rank;
  if (axis < 0 || axis >= rank)
    return fail(op, "concat axis " + llvm::Twine(axis) +
                        " is out of range for rank " + llvm::Twine(rank));
  if (auto err = expectKernel(op, "concat_slice_f32"))
    return err;
  int64_t outer = product(shape.take_front(axis));
  int64_t inner = product(shape.drop_front(axis + 1));
  int64_t dstInner = shape[axis] * inner;
  auto result = resultPtr(op);
  if (!result)
    return result.takeError();
  int64_t offset = 0;
  for (Value v : op.getInputs()) {
    int64_t along = llvm::cast<RankedTensorType>(v.getType()).getDimSize(axis);
    int64_t srcInner = along * inner;
    if (outer * srcInner != 0) {
      auto input = readPtr(v);
      if (!input)
        return input.takeError();
      emitCall(op, CallExpr(kernel("concat_slice_f32"))
                       .templateInt(outer)
                       .templateInt(srcInner)
                       .templateInt(dstInner)
                       .templateInt(offset)
                       .arg(*input)
                       .arg(*result)
                       .arg("ec"));
    }
    offset += srcInner;
  }
  return llvm::Error::success();
}

llvm::Error ModelEmitter::emitPad(ad::PadOp op) {
  auto in = llvm::cast<RankedTensorType>(op.getInput().getType());
  auto res = llvm::cast<RankedTensorType>(op.getResult().getType());
  int64_t rank = in.getRank();
  llvm::ArrayRef<int64_t> pads = op.getPads();
  if (rank == 0 || rank > ak::kMaxRank || int64_t(pads.size()) != 2 * rank)
    return fail(op, "pad of rank " + llvm::Twine(rank) + " with " +
                        llvm::Twine(pads.size()) +
                        " pads is not supported (rank 1 to 8, 2 pads per dim)");
  if (auto err = expectKernel(op, "pad_f32"))
    return err;
  std::string lit =
      StructLiteral(kernel("PadShape"))
          .field("rank", rank)
          .field("inDims", cppIntList(in.getShape()))
          .field("outDims", cppIntList(res.getShape()))
          .field("padBegin", cppIntList(pads.take_front(rank)))
          .field("mode", static_cast<int64_t>(op.getMode()))
          .field("value", cppFloat(op.getValue().convertToFloat()))
          .str();
  auto input = readPtr(op.getInput());
  if (!input)
    return input.takeError();
  auto result = resultPtr(op);
  if (!result)
    return result.takeError();
  emitCall(op, CallExpr(kernel("pad_f32"))
                   .templateArg(lit)
                   .arg(*input)
                   .arg(*result)
                   .arg("ec"));
  return llvm::Error::success();
}

} // namespace anvil::codegen::detail
