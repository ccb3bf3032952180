//===- AnvilOps.cpp - anvil op verifiers and shape rules ---------*- C++ -*-===//
//
// Verifiers recompute each op's result shape from its operands and attributes
// and report any mismatch at the op's location; nothing here asserts on user
// input.
//
//===----------------------------------------------------------------------===//

#include "dialects/anvil/IR/AnvilOps.h"
#include "dialects/anvil/IR/AnvilLimits.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/OpImplementation.h"
#include "llvm/ADT/STLExtras.h"

using namespace mlir;
using namespace mlir::anvil;

//===----------------------------------------------------------------------===//
// Shape helpers
//===----------------------------------------------------------------------===//

FailureOr<SmallVector<int64_t>>
mlir::anvil::broadcastShapes(ArrayRef<int64_t> a, ArrayRef<int64_t> b) {
  size_t rank = std::max(a.size(), b.size());
  SmallVector<int64_t> out(rank);
  for (size_t i = 0; i < rank; ++i) {
    int64_t da = i < rank - a.size() ? 1 : a[i - (rank - a.size())];
    int64_t db = i < rank - b.size() ? 1 : b[i - (rank - b.size())];
    if (da != db && da != 1 && db != 1)
      return failure();
    out[i] = da == 1 ? db : da;
  }
  return out;
}

int64_t mlir::anvil::slidingWindowOutputSize(int64_t in, int64_t kernel,
                                             int64_t stride, int64_t padBegin,
                                             int64_t padEnd, int64_t dilation,
                                             bool ceilMode) {
  if (in < 0 || kernel < 1 || stride < 1 || dilation < 1 || padBegin < 0 ||
      padEnd < 0)
    return 0;
  // Checked: the operands come from models and hand-written IR.
  std::optional<int64_t> effective =
      llvm::checkedMulAdd(dilation, kernel - 1, int64_t(1));
  std::optional<int64_t> padded = llvm::checkedAdd(in, padBegin);
  if (padded)
    padded = llvm::checkedAdd(*padded, padEnd);
  if (!effective || !padded)
    return -1;
  int64_t span = *padded - *effective;
  if (span < 0)
    return 0;
  int64_t out = (ceilMode ? span / stride + (span % stride != 0) : span / stride) + 1;
  // With ceil mode the last window must start inside input or leading pad.
  if (ceilMode && (out - 1) * stride >= in + padBegin)
    --out;
  return out;
}

unsigned mlir::anvil::postOpRowDims(Operation *op) {
  if (isa<Conv2DOp>(op))
    return 2;
  if (isa<MatmulOp>(op))
    return 1;
  return 0;
}

std::optional<PostOperandLayout>
mlir::anvil::postOperandLayout(ArrayRef<int64_t> result,
                               ArrayRef<int64_t> operand, unsigned rowDims) {
  size_t rank = result.size();
  if (operand.size() > rank || rowDims == 0 || rowDims > rank)
    return std::nullopt;
  // The operand right-aligned to the result's rank.
  SmallVector<int64_t> o(rank - operand.size(), 1);
  o.append(operand.begin(), operand.end());
  size_t lead = rank - rowDims;
  auto ones = [](ArrayRef<int64_t> dims) {
    return llvm::all_of(dims, [](int64_t d) { return d == 1; });
  };
  int64_t rowLen = 1, period = 1;
  for (size_t d = lead; d < rank; ++d)
    rowLen *= result[d];
  ArrayRef<int64_t> oLead = ArrayRef(o).take_front(lead),
                    oRow = ArrayRef(o).drop_front(lead);
  if (ArrayRef(o) == result)
    return PostOperandLayout{PostBroadcast::Full, rowLen, 1};
  if (ones(oLead) && oRow == result.drop_front(lead))
    return PostOperandLayout{PostBroadcast::Col, rowLen, 1};
  if (!ones(oRow))
    return std::nullopt;
  // Row: ones, then the result's own trailing lead dims (row index modulo
  // their product).
  size_t first = 0;
  while (first < lead && o[first] == 1)
    ++first;
  for (size_t d = first; d < lead; ++d) {
    if (o[d] != result[d])
      return std::nullopt;
    period *= o[d];
  }
  return PostOperandLayout{PostBroadcast::Row, rowLen, period};
}

std::optional<PostOperandLayout>
mlir::anvil::postOperandLayout(Operation *op, Value operand) {
  auto result = dyn_cast<RankedTensorType>(op->getResult(0).getType());
  auto other = dyn_cast<RankedTensorType>(operand.getType());
  if (!result || !other)
    return std::nullopt;
  return postOperandLayout(result.getShape(), other.getShape(),
                           postOpRowDims(op));
}

bool mlir::anvil::isCommutative(BinaryKind kind) {
  return kind == BinaryKind::add || kind == BinaryKind::mul ||
         kind == BinaryKind::max || kind == BinaryKind::min;
}

namespace {

/// Every operand and the result must be a statically shaped ranked tensor
/// within Anvil's size limit (AnvilLimits.h).
LogicalResult verifyStatic(Operation *op) {
  for (Type t : llvm::concat<Type>(op->getOperandTypes(), op->getResultTypes())) {
    auto rt = dyn_cast<RankedTensorType>(t);
    if (!rt || !rt.hasStaticShape())
      return op->emitOpError("needs statically shaped tensors, got ") << t;
    if (!isRepresentableShape(rt.getShape()))
      return op->emitOpError("tensor type ")
             << t << " has more than 2^36 elements, Anvil's limit";
  }
  return success();
}

LogicalResult expectShape(Operation *op, ArrayRef<int64_t> expected) {
  auto rt = cast<RankedTensorType>(op->getResult(0).getType());
  if (rt.getShape() != expected) {
    InFlightDiagnostic d = op->emitOpError("result shape ");
    d << rt << " does not match the expected shape [";
    llvm::interleave(expected, d, "x");
    return d << "]";
  }
  return success();
}

LogicalResult expectSameElementType(Operation *op) {
  Type elt = cast<RankedTensorType>(op->getResult(0).getType()).getElementType();
  for (Type t : op->getOperandTypes())
    if (cast<RankedTensorType>(t).getElementType() != elt)
      return op->emitOpError("operand element type ")
             << cast<RankedTensorType>(t).getElementType()
             << " differs from the result element type " << elt;
  return success();
}

LogicalResult expectArraySize(Operation *op, StringRef name,
                              ArrayRef<int64_t> values, size_t size,
                              int64_t minValue) {
  if (values.size() != size)
    return op->emitOpError("'") << name << "' must have " << size
                                << " values, got " << values.size();
  for (int64_t v : values)
    if (v < minValue)
      return op->emitOpError("'") << name << "' values must be >= " << minValue;
  return success();
}

ArrayRef<int64_t> shapeOf(Value v) {
  return cast<RankedTensorType>(v.getType()).getShape();
}

/// Shared checks for windowed ops over an NCHW tensor.
LogicalResult verifyWindow(Operation *op, ArrayRef<int64_t> in,
                           ArrayRef<int64_t> kernel, ArrayRef<int64_t> strides,
                           ArrayRef<int64_t> pads, ArrayRef<int64_t> dilations,
                           int64_t channelsOut, bool ceilMode) {
  if (in.size() != 4)
    return op->emitOpError("input must be rank 4 (NCHW), got rank ")
           << in.size();
  if (failed(expectArraySize(op, "kernel_shape", kernel, 2, 1)) ||
      failed(expectArraySize(op, "strides", strides, 2, 1)) ||
      failed(expectArraySize(op, "pads", pads, 4, 0)) ||
      failed(expectArraySize(op, "dilations", dilations, 2, 1)))
    return failure();
  SmallVector<int64_t> out = {in[0], channelsOut, 0, 0};
  for (int d = 0; d < 2; ++d) {
    out[2 + d] = slidingWindowOutputSize(in[2 + d], kernel[d], strides[d],
                                         pads[d], pads[d + 2], dilations[d],
                                         ceilMode);
    if (out[2 + d] < 0)
      return op->emitOpError("window of size ")
             << kernel[d] << " (dilation " << dilations[d] << ", pads "
             << pads[d] << "," << pads[d + 2] << ") over spatial dim " << d
             << " of size " << in[2 + d] << " overflows int64";
    if (out[2 + d] == 0)
      return op->emitOpError("window of size ")
             << kernel[d] << " (dilation " << dilations[d]
             << ") does not fit spatial dim " << d << " of size " << in[2 + d]
             << " with pads " << pads[d] << "," << pads[d + 2];
  }
  return expectShape(op, out);
}

/// The post-op list of a conv2d or matmul against its post operands: at most
/// kMaxPostOps steps, every binary step naming an operand, every operand
/// read by exactly one step, each in a layout the kernels read
/// (postOperandLayout).
LogicalResult verifyPostOps(Operation *op, ArrayAttr postOps,
                            ValueRange operands) {
  if (static_cast<int64_t>(postOps.size()) > kMaxPostOps)
    return op->emitOpError("has ")
           << postOps.size() << " post-ops; at most " << kMaxPostOps;
  SmallVector<int> reads(operands.size(), 0);
  for (auto step : postOps.getAsRange<PostOpAttr>()) {
    if (!step.getIsBinary())
      continue;
    int64_t i = step.getOperand();
    if (i >= static_cast<int64_t>(operands.size()))
      return op->emitOpError("post-op ")
             << step << " reads post operand " << i << " of "
             << operands.size();
    ++reads[i];
    if (!postOperandLayout(op, operands[i]))
      return op->emitOpError("post operand ")
             << i << " of type " << operands[i].getType()
             << " does not broadcast to the result the ways the kernels read";
  }
  for (size_t i = 0; i < reads.size(); ++i)
    if (reads[i] != 1)
      return op->emitOpError("post operand ")
             << i << " is read by " << reads[i]
             << " post-ops; each is read by exactly one";
  return success();
}

} // namespace

//===----------------------------------------------------------------------===//
// ConstantOp
//===----------------------------------------------------------------------===//

LogicalResult ConstantOp::verify() {
  if (getValue().getType() != getType())
    return emitOpError("value type ")
           << getValue().getType() << " differs from result type " << getType();
  return verifyStatic(*this);
}

//===----------------------------------------------------------------------===//
// Conv2DOp
//===----------------------------------------------------------------------===//

LogicalResult Conv2DOp::verify() {
  if (failed(verifyStatic(*this)) || failed(expectSameElementType(*this)))
    return failure();
  ArrayRef<int64_t> in = shapeOf(getInput()), w = shapeOf(getWeight());
  if (in.size() != 4 || w.size() != 4)
    return emitOpError("input and weight must be rank 4 (NCHW, KCRS), got ")
           << in.size() << " and " << w.size();
  int64_t groups = getGroups();
  if (groups < 1 || in[1] % groups != 0 || w[0] % groups != 0)
    return emitOpError("groups = ")
           << groups << " must divide input channels " << in[1]
           << " and output channels " << w[0];
  if (w[1] * groups != in[1])
    return emitOpError("weight has ")
           << w[1] << " input channels per group, expected " << in[1] / groups;
  if (getBias()) {
    ArrayRef<int64_t> b = shapeOf(getBias());
    if (b.size() != 1 || b[0] != w[0])
      return emitOpError("bias must have shape [") << w[0] << "]";
  }
  if (failed(verifyWindow(*this, in, {w[2], w[3]}, getStrides(), getPads(),
                          getDilations(), w[0], /*ceilMode=*/false)))
    return failure();
  return verifyPostOps(*this, getPostOps(), getPostOperands());
}

//===----------------------------------------------------------------------===//
// MatmulOp
//===----------------------------------------------------------------------===//

LogicalResult MatmulOp::verify() {
  if (failed(verifyStatic(*this)) || failed(expectSameElementType(*this)))
    return failure();
  ArrayRef<int64_t> a = shapeOf(getA()), b = shapeOf(getB());
  if (a.size() < 2 || b.size() < 2)
    return emitOpError("operands must have rank >= 2, got ")
           << a.size() << " and " << b.size();
  int64_t m = a[a.size() - 2], ka = a.back();
  if (getTransposeA())
    std::swap(m, ka);
  int64_t kb = b[b.size() - 2], n = b.back();
  if (getTransposeB())
    std::swap(kb, n);
  if (ka != kb)
    return emitOpError("contraction dims differ: ") << ka << " vs " << kb;
  auto batch = broadcastShapes(a.drop_back(2), b.drop_back(2));
  if (failed(batch))
    return emitOpError("batch dims do not broadcast");
  if (getBias()) {
    ArrayRef<int64_t> bias = shapeOf(getBias());
    if (bias.size() != 1 || bias[0] != n)
      return emitOpError("bias must have shape [") << n << "]";
  }
  SmallVector<int64_t> out(*batch);
  out.push_back(m);
  out.push_back(n);
  if (failed(expectShape(*this, out)))
    return failure();
  return verifyPostOps(*this, getPostOps(), getPostOperands());
}

//===----------------------------------------------------------------------===//
// BatchNormOp
//===----------------------------------------------------------------------===//

LogicalResult BatchNormOp::verify() {
  if (failed(verifyStatic(*this)) || failed(expectSameElementType(*this)))
    return failure();
  ArrayRef<int64_t> in = shapeOf(getInput());
  if (in.size() < 2)
    return emitOpError("input must have rank >= 2");
  for (Value p : {getScale(), getBias(), getMean(), getVar()})
    if (shapeOf(p) != ArrayRef<int64_t>{in[1]})
      return emitOpError("scale, bias, mean and var must have shape [")
             << in[1] << "]";
  if (getEpsilon().convertToFloat() < 0)
    return emitOpError("epsilon must be >= 0");
  return expectShape(*this, in);
}

//===----------------------------------------------------------------------===//
// Pooling
//===----------------------------------------------------------------------===//

LogicalResult MaxPoolOp::verify() {
  if (failed(verifyStatic(*this)) || failed(expectSameElementType(*this)))
    return failure();
  ArrayRef<int64_t> in = shapeOf(getInput());
  return verifyWindow(*this, in, getKernelShape(), getStrides(), getPads(),
                      getDilations(), in.size() == 4 ? in[1] : 0,
                      getCeilMode());
}

LogicalResult AvgPoolOp::verify() {
  if (failed(verifyStatic(*this)) || failed(expectSameElementType(*this)))
    return failure();
  ArrayRef<int64_t> in = shapeOf(getInput());
  return verifyWindow(*this, in, getKernelShape(), getStrides(), getPads(),
                      {1, 1}, in.size() == 4 ? in[1] : 0, getCeilMode());
}

static LogicalResult verifyGlobalPool(Operation *op) {
  if (failed(verifyStatic(op)) || failed(expectSameElementType(op)))
    return failure();
  ArrayRef<int64_t> in = shapeOf(op->getOperand(0));
  if (in.size() < 3)
    return op->emitOpError("input must have rank >= 3 (N, C, spatial...)");
  SmallVector<int64_t> out(in.begin(), in.end());
  std::fill(out.begin() + 2, out.end(), 1);
  return expectShape(op, out);
}

LogicalResult GlobalAvgPoolOp::verify() { return verifyGlobalPool(*this); }
LogicalResult GlobalMaxPoolOp::verify() { return verifyGlobalPool(*this); }

//===----------------------------------------------------------------------===//
// Elementwise
//===----------------------------------------------------------------------===//

LogicalResult UnaryOp::verify() {
  if (failed(verifyStatic(*this)))
    return failure();
  if (getKind() == UnaryKind::clip &&
      getAlpha().convertToFloat() > getBeta().convertToFloat())
    return emitOpError("clip min ") << getAlpha().convertToFloat()
                                    << " exceeds max "
                                    << getBeta().convertToFloat();
  return success();
}

LogicalResult BinaryOp::verify() {
  if (failed(verifyStatic(*this)) || failed(expectSameElementType(*this)))
    return failure();
  auto out = broadcastShapes(shapeOf(getLhs()), shapeOf(getRhs()));
  if (failed(out)) {
    InFlightDiagnostic d = emitOpError("operand shapes [");
    llvm::interleave(shapeOf(getLhs()), d, "x");
    d << "] and [";
    llvm::interleave(shapeOf(getRhs()), d, "x");
    return d << "] do not broadcast";
  }
  return expectShape(*this, *out);
}

LogicalResult SoftmaxOp::verify() {
  if (failed(verifyStatic(*this)))
    return failure();
  // I64Attr accessors return uint64_t: read the axis as signed.
  int64_t rank = shapeOf(getInput()).size(), axis = getAxis();
  if (axis < 0 || axis >= rank)
    return emitOpError("axis ") << axis << " is out of range for rank "
                                << rank;
  return success();
}

//===----------------------------------------------------------------------===//
// Data movement
//===----------------------------------------------------------------------===//

LogicalResult ReshapeOp::verify() {
  if (failed(verifyStatic(*this)) || failed(expectSameElementType(*this)))
    return failure();
  auto in = cast<RankedTensorType>(getInput().getType());
  auto out = cast<RankedTensorType>(getType());
  if (in.getNumElements() != out.getNumElements())
    return emitOpError("changes the element count from ")
           << in.getNumElements() << " to " << out.getNumElements();
  return success();
}

LogicalResult FlattenOp::verify() {
  if (failed(verifyStatic(*this)) || failed(expectSameElementType(*this)))
    return failure();
  ArrayRef<int64_t> in = shapeOf(getInput());
  int64_t axis = getAxis();
  if (axis < 0 || axis > static_cast<int64_t>(in.size()))
    return emitOpError("axis ") << axis << " is out of range for rank "
                                << in.size();
  int64_t outer = 1, inner = 1;
  for (int64_t i = 0; i < static_cast<int64_t>(in.size()); ++i)
    (i < axis ? outer : inner) *= in[i];
  return expectShape(*this, {outer, inner});
}

LogicalResult TransposeOp::verify() {
  if (failed(verifyStatic(*this)) || failed(expectSameElementType(*this)))
    return failure();
  ArrayRef<int64_t> in = shapeOf(getInput());
  ArrayRef<int64_t> perm = getPerm();
  if (perm.size() != in.size())
    return emitOpError("perm has ") << perm.size() << " entries for rank "
                                    << in.size();
  SmallVector<bool> seen(in.size(), false);
  SmallVector<int64_t> out;
  for (int64_t p : perm) {
    if (p < 0 || p >= static_cast<int64_t>(in.size()) || seen[p])
      return emitOpError("perm is not a permutation of [0, ")
             << in.size() << ")";
    seen[p] = true;
    out.push_back(in[p]);
  }
  return expectShape(*this, out);
}

LogicalResult ConcatOp::verify() {
  if (failed(verifyStatic(*this)) || failed(expectSameElementType(*this)))
    return failure();
  if (getInputs().empty())
    return emitOpError("needs at least one input");
  ArrayRef<int64_t> first = shapeOf(getInputs().front());
  int64_t rank = first.size(), axis = getAxis();
  if (axis < 0 || axis >= rank)
    return emitOpError("axis ") << axis << " is out of range for rank " << rank;
  SmallVector<int64_t> out(first.begin(), first.end());
  out[axis] = 0;
  for (Value v : getInputs()) {
    ArrayRef<int64_t> s = shapeOf(v);
    if (static_cast<int64_t>(s.size()) != rank)
      return emitOpError("inputs must all have rank ") << rank;
    for (int64_t d = 0; d < rank; ++d)
      if (d != axis && s[d] != first[d])
        return emitOpError("inputs differ in dim ") << d << " (" << s[d]
                                                    << " vs " << first[d] << ")";
    out[axis] += s[axis];
  }
  return expectShape(*this, out);
}

LogicalResult PadOp::verify() {
  if (failed(verifyStatic(*this)) || failed(expectSameElementType(*this)))
    return failure();
  ArrayRef<int64_t> in = shapeOf(getInput());
  ArrayRef<int64_t> pads = getPads();
  int64_t rank = in.size();
  if (static_cast<int64_t>(pads.size()) != 2 * rank)
    return emitOpError("pads has ") << pads.size() << " entries, expected "
                                    << 2 * rank;
  SmallVector<int64_t> out;
  for (int64_t d = 0; d < rank; ++d) {
    int64_t size = in[d] + pads[d] + pads[d + rank];
    if (size <= 0)
      return emitOpError("pads leave dim ") << d << " empty";
    if (getMode() == PadMode::reflect &&
        (pads[d] >= in[d] || pads[d + rank] >= in[d]))
      return emitOpError("reflect pads must be smaller than dim ") << d;
    out.push_back(size);
  }
  return expectShape(*this, out);
}

#define GET_OP_CLASSES
#include "dialects/anvil/IR/AnvilOps.cpp.inc"
