//===- EmitCompute.cpp - conv2d and matmul calls ----------------------------===//
//
// The kernels with packed weights: the variant anvil-select-kernels
// recorded (KernelRegistry), its plan and weight layout checked, constant
// weights packed here at compile time.
//
//===----------------------------------------------------------------------===//

#include "codegen/ModelEmitter.h"

#include "dialects/anvil/IR/AnvilLimits.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/raw_ostream.h"

namespace anvil::codegen::detail {

template <typename KernelT>
llvm::Expected<const KernelT *> ModelEmitter::recordedVariant(
    Operation *op, const KernelT *(*find)(llvm::StringRef)) const {
  auto name = recordedKernel(op);
  if (!name)
    return name.takeError();
  const KernelT *k = find(*name);
  if (!k)
    return fail(op, "unknown " + op->getName().stripDialect() + " kernel '" +
                        *name + "'");
  if (k->isa != target.isa)
    return fail(op, "kernel '" + *name + "' needs " + isaName(k->isa) +
                        ", but the target " + target.name + " is " +
                        isaName(target.isa));
  // The recorded weight layout must be the registry's: a pass that changes
  // one without the other is caught here.
  auto layout = op->getAttrOfType<mlir::StringAttr>(kWeightLayoutAttr);
  if (!layout || layout.getValue() != k->weightLayout)
    return fail(op, "kernel '" + k->name + "' reads weights as '" +
                        k->weightLayout + "', but " + kWeightLayoutAttr +
                        " is '" + (layout ? layout.getValue() : "") + "'");
  return k;
}

llvm::Error ModelEmitter::emitConv(ad::Conv2DOp op) {
  auto shape = conv2dShapeOf(op);
  if (!shape)
    return fail(op, llvm::toString(shape.takeError()));
  const ak::Conv2DShape s = *shape;
  auto variant = recordedVariant(op, &findConv2DKernel);
  if (!variant)
    return variant.takeError();
  const Conv2DKernel *k = *variant;
  if (!ak::conv2dPlanIsValid(s, k->plan))
    return fail(op, "kernel '" + k->name + "' cannot run this conv2d shape");

  std::string lit = StructLiteral(kernel("Conv2DShape"))
                        .field("n", s.n)
                        .field("c", s.c)
                        .field("h", s.h)
                        .field("w", s.w)
                        .field("k", s.k)
                        .field("r", s.r)
                        .field("s", s.s)
                        .field("oh", s.oh)
                        .field("ow", s.ow)
                        .field("strideH", s.strideH)
                        .field("strideW", s.strideW)
                        .field("padT", s.padT)
                        .field("padL", s.padL)
                        .field("padB", s.padB)
                        .field("padR", s.padR)
                        .field("dilH", s.dilH)
                        .field("dilW", s.dilW)
                        .field("groups", s.groups)
                        .str();
  const ak::Conv2DPlan plan = k->plan;
  std::string planLit =
      StructLiteral(kernel("Conv2DPlan"))
          .field("path",
                 kernel("Conv2DPath::") +
                     conv2dPathEnumerator(plan.path).str())
          .field("lanes", plan.lanes)
          .field("mr", plan.mr)
          .field("nr", plan.nr)
          .str();
  out.scratchFloatsPerThread = std::max<uint64_t>(
      out.scratchFloatsPerThread, ak::conv2dScratchFloats(s, plan));
  int64_t packedFloats = ak::conv2dPackedWeightFloats(s, plan);

  auto input = readPtr(op.getInput());
  if (!input)
    return input.takeError();
  auto weights = packedWeights(
      op.getWeight(), lit, planLit, packedFloats, "conv2dPackWeights",
      [&](const float *raw, float *packed) {
        ak::conv2dPackWeights(s, plan, raw, packed);
      });
  if (!weights)
    return weights.takeError();
  return emitWeightedKernel(op, "conv2d_f32", lit, planLit, *input, *weights,
                            op.getBias(), op.getPostOps(),
                            op.getPostOperands());
}

llvm::Error ModelEmitter::emitMatmul(ad::MatmulOp op) {
  auto shape = matmulShapeOf(op);
  if (!shape)
    return fail(op, llvm::toString(shape.takeError()));
  const ak::MatmulShape s = *shape;
  auto variant = recordedVariant(op, &findMatmulKernel);
  if (!variant)
    return variant.takeError();
  const MatmulKernel *k = *variant;
  if (!ak::matmulPlanIsValid(s, k->plan))
    return fail(op, "kernel '" + k->name + "' cannot run this matmul shape");

  int64_t batchRank = s.batchRank;
  llvm::ArrayRef<int64_t> batch(s.batch, batchRank),
      aStr(s.aBatchStride, batchRank), bStr(s.bBatchStride, batchRank);
  std::string lit = StructLiteral(kernel("MatmulShape"))
                        .field("batchRank", s.batchRank)
                        .field("batch", cppIntList(batch))
                        .field("aBatchStride", cppIntList(aStr))
                        .field("bBatchStride", cppIntList(bStr))
                        .field("m", s.m)
                        .field("n", s.n)
                        .field("k", s.k)
                        .field("transA", cppBool(s.transA))
                        .field("transB", cppBool(s.transB))
                        .field("alpha", cppFloat(s.alpha))
                        .str();
  const ak::MatmulPlan plan = k->plan;
  std::string planLit = StructLiteral(kernel("MatmulPlan"))
                            .field("lanes", plan.lanes)
                            .field("mr", plan.mr)
                            .field("nr", plan.nr)
                            .str();
  out.scratchFloatsPerThread = std::max<uint64_t>(
      out.scratchFloatsPerThread, ak::matmulScratchFloats(s, plan));
  int64_t packedFloats = ak::matmulPackedBFloats(s, plan);

  auto lhs = readPtr(op.getA());
  if (!lhs)
    return lhs.takeError();
  auto packedB =
      packedWeights(op.getB(), lit, planLit, packedFloats, "matmulPackB",
                    [&](const float *raw, float *packed) {
                      ak::matmulPackB(s, plan, raw, packed);
                    });
  if (!packedB)
    return packedB.takeError();
  return emitWeightedKernel(op, "matmul_f32", lit, planLit, *lhs, *packedB,
                            op.getBias(), op.getPostOps(),
                            op.getPostOperands());
}

namespace {

static_assert(ad::kMaxPostOps == ak::kMaxPostOps,
              "the dialect and the kernels allow different post-op counts");

llvm::StringRef kernelBroadcastName(ad::PostBroadcast b) {
  switch (b) {
  case ad::PostBroadcast::Full:
    return "Full";
  case ad::PostBroadcast::Row:
    return "Row";
  case ad::PostBroadcast::Col:
    return "Col";
  }
  return {};
}

} // namespace

llvm::Expected<ModelEmitter::PostOpArgs>
ModelEmitter::postOpArgs(Operation *op, mlir::ArrayAttr postOps,
                         mlir::ValueRange operands) {
  PostOpArgs args;
  if (postOps.empty())
    return args;
  llvm::SmallVector<std::string> steps;
  for (auto step : postOps.getAsRange<ad::PostOpAttr>()) {
    StructLiteral lit(kernel("PostOp"));
    if (!step.getIsBinary()) {
      lit.field("kind", kernel("PostOpKind::Unary"))
          .field("unary",
                 kernel("UnaryKind::") + kernelKindName(step.getUnaryKind()).str())
          .field("alpha", cppFloat(step.getAlpha().convertToFloat()))
          .field("beta", cppFloat(step.getBeta().convertToFloat()));
    } else {
      Value operand = operands[step.getOperand()];
      auto layout = ad::postOperandLayout(op, operand);
      if (!layout)
        return fail(op, "post operand " + llvm::Twine(step.getOperand()) +
                            " has a layout no kernel reads");
      lit.field("kind", kernel("PostOpKind::Binary"))
          .field("binary", kernel("BinaryKind::") +
                               kernelKindName(step.getBinaryKind()).str())
          .field("bcast", kernel("PostBroadcast::") +
                              kernelBroadcastName(layout->kind).str())
          .field("operand", cppInt(step.getOperand()))
          .field("rowLen", cppInt(layout->rowLen))
          .field("period", cppInt(layout->period));
    }
    steps.push_back(lit.str());
  }
  args.list = StructLiteral(kernel("PostOpList"))
                  .field("count", cppInt(steps.size()))
                  .field("ops", "{" + llvm::join(steps, ", ") + "}")
                  .str();
  if (operands.empty())
    return args;
  llvm::SmallVector<std::string> ptrs;
  for (Value v : operands) {
    auto p = readPtr(v);
    if (!p)
      return p.takeError();
    ptrs.push_back(*p);
  }
  args.operands = kernel("PostOperands<") + std::to_string(ptrs.size()) +
                  ">{{" + llvm::join(ptrs, ", ") + "}}.ptrs";
  return args;
}

llvm::Error ModelEmitter::emitWeightedKernel(Operation *op,
                                             llvm::StringRef name,
                                             const std::string &lit,
                                             const std::string &planLit,
                                             const std::string &input,
                                             const std::string &weights,
                                             Value bias,
                                             mlir::ArrayAttr postOps,
                                             mlir::ValueRange postOperands) {
  std::string biasPtr = "nullptr";
  if (bias) {
    auto p = readPtr(bias);
    if (!p)
      return p.takeError();
    biasPtr = *p;
  }
  auto result = resultPtr(op);
  if (!result)
    return result.takeError();
  auto post = postOpArgs(op, postOps, postOperands);
  if (!post)
    return post.takeError();
  CallExpr call(kernel(name));
  call.templateArg(isaArg()).templateArg(lit).templateArg(planLit);
  if (!post->list.empty())
    call.templateArg(post->list);
  call.arg(input).arg(weights).arg(biasPtr).arg(*result).arg("ec");
  if (!post->operands.empty())
    call.arg(post->operands);
  emitCall(op, call);
  return llvm::Error::success();
}

} // namespace anvil::codegen::detail
