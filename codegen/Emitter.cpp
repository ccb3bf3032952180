//===- Emitter.cpp - Planned anvil module to C++ --------------------------===//
//
// One walk over the planned function body. Each value gets a C++ pointer
// expression for its storage (caller input, weights blob entry, arena offset,
// caller output, or, for reshape/flatten, the storage of its input), and each
// compute op becomes one kernel call whose shape struct is a literal template
// argument. Constant conv/matmul weights are packed here, at compile time,
// with the packing routine of runtime/kernels/Shapes.h; weights that arrive
// at run time are packed by the generated code into the context's pack area.
//
//===----------------------------------------------------------------------===//

#include "codegen/Emitter.h"

#include "codegen/CppWriter.h"
#include "codegen/KernelRegistry.h"
#include "codegen/Target.h"
#include "dialects/anvil/IR/AnvilOps.h"
#include "runtime/kernels/Shapes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/Location.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/ADT/TypeSwitch.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <cstring>
#include <map>
#include <numeric>

using namespace anvil::codegen;
namespace ak = ::anvil::kernels;
namespace ad = ::mlir::anvil;
using mlir::Operation;
using mlir::RankedTensorType;
using mlir::Value;

namespace {

constexpr llvm::StringLiteral kOffsetAttr = "anvil.arena_offset";
constexpr llvm::StringLiteral kArenaBytesAttr = "anvil.arena_bytes";
constexpr llvm::StringLiteral kNaiveBytesAttr = "anvil.naive_bytes";
constexpr llvm::StringLiteral kNameAttr = "anvil.name";
constexpr llvm::StringLiteral kKernels = "anvil::kernels::";
/// ANVIL_MAX_RANK of runtime.h: the rank an anvil_tensor_desc_t can hold.
constexpr int64_t kMaxDescRank = 8;

/// Kernel enum spellings, in the dialect's enum order (INTERFACES.md §3).
constexpr const char *kUnaryKinds[] = {
    "Relu", "Clip", "Sigmoid", "Tanh", "LeakyRelu", "HardSigmoid", "HardSwish",
    "Exp",  "Log",  "Sqrt",    "Erf",  "Neg",       "Abs",         "Identity"};
constexpr const char *kBinaryKinds[] = {"Add", "Sub", "Mul", "Div",
                                        "Max", "Min", "Pow"};

std::string kernel(llvm::StringRef name) { return (kKernels + name).str(); }

int64_t product(llvm::ArrayRef<int64_t> dims) {
  return std::accumulate(dims.begin(), dims.end(), int64_t(1),
                         std::multiplies<int64_t>());
}

uint64_t alignUp(uint64_t bytes) { return (bytes + 63) / 64 * 64; }

//===----------------------------------------------------------------------===//
// Locations in messages
//===----------------------------------------------------------------------===//

void collectLoc(mlir::Location loc, std::vector<std::string> &files,
                llvm::SmallVectorImpl<std::string> &names) {
  if (auto n = llvm::dyn_cast<mlir::NameLoc>(loc)) {
    names.push_back(n.getName().str());
    collectLoc(n.getChildLoc(), files, names);
  } else if (auto f = llvm::dyn_cast<mlir::FileLineColLoc>(loc)) {
    std::string file = f.getFilename().str();
    if (f.getLine() != 0)
      file += ":" + std::to_string(f.getLine()) + ":" +
              std::to_string(f.getColumn());
    if (!llvm::is_contained(files, file))
      files.push_back(file);
  } else if (auto fused = llvm::dyn_cast<mlir::FusedLoc>(loc)) {
    for (mlir::Location l : fused.getLocations())
      collectLoc(l, files, names);
  } else if (auto c = llvm::dyn_cast<mlir::CallSiteLoc>(loc)) {
    collectLoc(c.getCallee(), files, names);
  }
}

/// `file: node 'conv1' (anvil.conv2d)`, from the importer's NameLoc /
/// FileLineColLoc (fused locations list every node).
std::string describeOp(Operation *op) {
  std::vector<std::string> files;
  llvm::SmallVector<std::string> names;
  collectLoc(op->getLoc(), files, names);
  std::string s;
  if (!files.empty())
    s += llvm::join(files, ", ") + ": ";
  if (!names.empty()) {
    s += names.size() == 1 ? "node " : "nodes ";
    llvm::ListSeparator sep(", ");
    for (const std::string &n : names)
      s += (llvm::Twine(sep) + "'" + n + "'").str();
    s += " (" + op->getName().getStringRef().str() + ")";
  } else {
    s += op->getName().getStringRef().str();
  }
  return s;
}

/// The comment line above each kernel call.
std::string opComment(Operation *op) {
  std::vector<std::string> files;
  llvm::SmallVector<std::string> names;
  collectLoc(op->getLoc(), files, names);
  std::string s = op->getName().getStringRef().str();
  if (!names.empty())
    s += " " + llvm::join(names, " + ");
  return s;
}

std::string typeString(mlir::Type type) {
  std::string s;
  llvm::raw_string_ostream os(s);
  type.print(os);
  return s;
}

//===----------------------------------------------------------------------===//
// The emitter
//===----------------------------------------------------------------------===//

} // namespace

/// One graph input or output as the C ABI describes it.
struct anvil::codegen::TensorDesc {
  std::string name;
  llvm::SmallVector<int64_t> shape;
  uint64_t bytes;
  bool operator==(const TensorDesc &o) const {
    return name == o.name && shape == o.shape && bytes == o.bytes;
  }
};

namespace {

class ModelEmitter {
public:
  ModelEmitter(mlir::func::FuncOp func, const Target &target,
               const EmitOptions &options, EmittedVariant &out,
               WeightsBlob &blob)
      : func(func), target(target), options(options), out(out), blob(blob) {}

  llvm::Error emit();

private:
  llvm::Error fail(Operation *op, const llvm::Twine &message) const {
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   describeOp(op) + ": " + message.str());
  }

  llvm::Error readSignature();
  llvm::Error checkTypes(Operation *op) const;

  /// Storage expression of a value that is read.
  llvm::Expected<std::string> readPtr(Value v);
  /// Storage expression of an op's result (written by that op).
  llvm::Expected<std::string> resultPtr(Operation *op);
  /// The anvil.constant behind `v` (through reshape/flatten), if any.
  ad::ConstantOp constantBehind(Value v) const;
  /// The f32 data of a constant.
  llvm::Expected<std::vector<float>> constantData(ad::ConstantOp c) const;
  /// Blob offset of a constant's raw data (added on first use).
  llvm::Expected<uint64_t> rawConstant(ad::ConstantOp c);
  /// Reserves bytes in the context's pack area; returns the offset.
  uint64_t allocPack(uint64_t bytes) {
    uint64_t off = out.packBytes;
    out.packBytes += alignUp(bytes);
    return off;
  }

  /// The expression for a kernel's packed weights `w`: packed once at compile
  /// time into the blob when `w` is a constant (`pack` is the routine from
  /// Shapes.h), otherwise packed at run time into the pack area by a call of
  /// `packFn(shape, plan, raw, packed)` (the same routine) emitted before
  /// the kernel.
  llvm::Expected<std::string>
  packedWeights(Value w, const std::string &shapeLiteral,
                const std::string &planLiteral, int64_t packedFloats,
                llvm::StringRef packFn,
                llvm::function_ref<void(const float *, float *)> pack);

  /// Emits `name<Isa, shape, plan>(input, weights, bias or nullptr, result,
  /// ec)`, the call shape shared by conv2d_f32 and matmul_f32.
  llvm::Error emitWeightedKernel(Operation *op, llvm::StringRef name,
                                 const std::string &lit,
                                 const std::string &planLit,
                                 const std::string &input,
                                 const std::string &weights, Value bias);

  /// The kernel anvil-select-kernels recorded on `op`, or an error naming
  /// the op when there is none.
  llvm::Expected<llvm::StringRef> recordedKernel(Operation *op) const;
  /// The registry entry of the conv2d/matmul kernel recorded on `op`
  /// (`find` looks it up by name), checked against the target's ISA and the
  /// recorded weight layout.
  template <typename KernelT>
  llvm::Expected<const KernelT *>
  recordedVariant(Operation *op,
                  const KernelT *(*find)(llvm::StringRef)) const;
  /// Checks that `op` records `expected` (a family with one variant per
  /// ISA): the IR and the emitted call agree.
  llvm::Error expectKernel(Operation *op, const std::string &expected) const;
  /// `anvil::kernels::Avx512`: the ISA template argument of every kernel.
  std::string isaArg() const {
    return kernel(isaTraitName(target.isa));
  }

  llvm::Error emitOp(Operation *op);
  llvm::Error emitConv(ad::Conv2DOp op);
  llvm::Error emitMatmul(ad::MatmulOp op);
  llvm::Error emitPool(Operation *op, bool isMax);
  llvm::Error emitGlobalPool(Operation *op, bool isMax);
  llvm::Error emitBatchNorm(ad::BatchNormOp op);
  llvm::Error emitUnary(ad::UnaryOp op);
  llvm::Error emitBinary(ad::BinaryOp op);
  llvm::Error emitSoftmax(ad::SoftmaxOp op);
  llvm::Error emitTranspose(ad::TransposeOp op);
  llvm::Error emitConcat(ad::ConcatOp op);
  llvm::Error emitPad(ad::PadOp op);
  llvm::Error emitReturn(mlir::func::ReturnOp op);
  /// Emits `call;` (the op's comment is already printed).
  void emitCall(Operation *op, const CallExpr &call);

  std::string buildSource() const;

public:
  llvm::SmallVector<TensorDesc> inputs, outputs;

private:
  mlir::func::FuncOp func;
  const Target &target;
  const EmitOptions &options;
  EmittedVariant &out;
  WeightsBlob &blob;
  llvm::DenseMap<Value, int64_t> returnCount;
  llvm::DenseMap<Value, unsigned> returnIndex;
  llvm::DenseMap<Operation *, uint64_t> rawOffsets;
  std::map<std::pair<Operation *, std::string>, uint64_t> packedOffsets;
  CppWriter body;
  bool usesArena = false, usesPack = false;
};

llvm::Error ModelEmitter::readSignature() {
  mlir::FunctionType type = func.getFunctionType();
  auto describe = [&](mlir::Type t, mlir::DictionaryAttr attrs,
                      const std::string &fallback, const char *what,
                      TensorDesc &desc) -> llvm::Error {
    desc.name = fallback;
    if (attrs)
      if (auto n = attrs.getAs<mlir::StringAttr>(kNameAttr))
        desc.name = n.getValue().str();
    auto tt = llvm::dyn_cast<RankedTensorType>(t);
    std::string where = describeLocation(func.getLoc());
    if (!where.empty())
      where += ": ";
    if (!tt || !tt.hasStaticShape() || !tt.getElementType().isF32())
      return llvm::createStringError(
          llvm::inconvertibleErrorCode(),
          where + what + " '" + desc.name + "' has type " + typeString(t) +
              "; generated code supports only statically shaped f32 tensors");
    if (tt.getRank() > kMaxDescRank)
      return llvm::createStringError(
          llvm::inconvertibleErrorCode(),
          where + what + " '" + desc.name + "' has rank " +
              llvm::Twine(tt.getRank()) + "; at most 8 is supported");
    desc.shape.assign(tt.getShape().begin(), tt.getShape().end());
    desc.bytes = uint64_t(tt.getNumElements()) * 4;
    return llvm::Error::success();
  };
  for (unsigned i = 0; i < type.getNumInputs(); ++i) {
    TensorDesc d;
    if (auto err = describe(type.getInput(i), func.getArgAttrDict(i),
                            "input" + std::to_string(i), "input", d))
      return err;
    inputs.push_back(std::move(d));
  }
  for (unsigned i = 0; i < type.getNumResults(); ++i) {
    TensorDesc d;
    if (auto err = describe(type.getResult(i), func.getResultAttrDict(i),
                            "output" + std::to_string(i), "output", d))
      return err;
    outputs.push_back(std::move(d));
  }
  return llvm::Error::success();
}

llvm::Error ModelEmitter::checkTypes(Operation *op) const {
  auto check = [&](Value v, const char *what, unsigned i) -> llvm::Error {
    auto tt = llvm::dyn_cast<RankedTensorType>(v.getType());
    if (!tt || !tt.hasStaticShape())
      return fail(op, llvm::Twine(what) + " " + llvm::Twine(i) + " has type " +
                          typeString(v.getType()) +
                          "; generated code needs static shapes");
    if (!tt.getElementType().isF32())
      return fail(op, llvm::Twine(what) + " " + llvm::Twine(i) +
                          " has element type " +
                          typeString(tt.getElementType()) +
                          "; generated code supports only f32 at run time");
    return llvm::Error::success();
  };
  for (auto [i, v] : llvm::enumerate(op->getOperands()))
    if (auto err = check(v, "operand", i))
      return err;
  for (auto [i, v] : llvm::enumerate(op->getResults()))
    if (auto err = check(v, "result", i))
      return err;
  return llvm::Error::success();
}

ad::ConstantOp ModelEmitter::constantBehind(Value v) const {
  while (Operation *def = v.getDefiningOp()) {
    if (auto c = llvm::dyn_cast<ad::ConstantOp>(def))
      return c;
    if (!llvm::isa<ad::ReshapeOp, ad::FlattenOp>(def))
      break;
    v = def->getOperand(0);
  }
  return nullptr;
}

llvm::Expected<std::vector<float>>
ModelEmitter::constantData(ad::ConstantOp c) const {
  mlir::ElementsAttr value = c.getValue();
  auto type = llvm::cast<mlir::ShapedType>(value.getType());
  if (!type.getElementType().isF32())
    return fail(c, "constant has element type " +
                       typeString(type.getElementType()) +
                       "; generated code supports only f32 at run time");
  int64_t count = type.getNumElements();
  std::vector<float> data;
  data.reserve(count);
  if (auto dense = llvm::dyn_cast<mlir::DenseElementsAttr>(value)) {
    for (float f : dense.getValues<float>())
      data.push_back(f);
  } else if (auto res =
                 llvm::dyn_cast<mlir::DenseResourceElementsAttr>(value)) {
    mlir::AsmResourceBlob *blob = res.getRawHandle().getBlob();
    if (!blob)
      return fail(c, "constant '" + res.getRawHandle().getKey() +
                         "' has no data (the resource blob is missing)");
    llvm::ArrayRef<char> bytes = blob->getData();
    if (bytes.size() != uint64_t(count) * 4)
      return fail(c, "constant resource holds " + llvm::Twine(bytes.size()) +
                         " bytes, expected " + llvm::Twine(count * 4));
    data.resize(count);
    std::memcpy(data.data(), bytes.data(), bytes.size());
  } else if (auto values = value.tryGetValues<float>()) {
    for (float f : *values)
      data.push_back(f);
  } else {
    return fail(c, "unsupported constant attribute kind");
  }
  if (int64_t(data.size()) != count)
    return fail(c, "constant holds " + llvm::Twine(data.size()) +
                       " values, expected " + llvm::Twine(count));
  return data;
}

llvm::Expected<uint64_t> ModelEmitter::rawConstant(ad::ConstantOp c) {
  auto it = rawOffsets.find(c);
  if (it != rawOffsets.end())
    return it->second;
  auto data = constantData(c);
  if (!data)
    return data.takeError();
  uint64_t off = blob.append(*data);
  rawOffsets[c] = off;
  return off;
}

llvm::Expected<std::string> ModelEmitter::readPtr(Value v) {
  // Reshape and flatten alias their input.
  while (Operation *def = v.getDefiningOp()) {
    if (!llvm::isa<ad::ReshapeOp, ad::FlattenOp>(def))
      break;
    v = def->getOperand(0);
  }
  if (auto arg = llvm::dyn_cast<mlir::BlockArgument>(v))
    return "in" + std::to_string(arg.getArgNumber());
  Operation *def = v.getDefiningOp();
  if (auto c = llvm::dyn_cast<ad::ConstantOp>(def)) {
    auto off = rawConstant(c);
    if (!off)
      return off.takeError();
    return "weightAt(" + cppInt(int64_t(*off)) + ")";
  }
  return resultPtr(def);
}

llvm::Expected<std::string> ModelEmitter::resultPtr(Operation *op) {
  if (auto off = op->getAttrOfType<mlir::IntegerAttr>(kOffsetAttr)) {
    int64_t o = off.getInt();
    auto tt = llvm::cast<RankedTensorType>(op->getResult(0).getType());
    uint64_t bytes = uint64_t(tt.getNumElements()) * 4;
    if (o < 0 || o % 64 != 0 || uint64_t(o) + bytes > out.arenaBytes)
      return fail(op, "arena offset " + llvm::Twine(o) + " (+" +
                          llvm::Twine(bytes) +
                          " bytes) is outside the planned arena of " +
                          llvm::Twine(out.arenaBytes) + " bytes");
    usesArena = true;
    return "arenaAt(arena, " + cppInt(o) + ")";
  }
  Value result = op->getResult(0);
  if (returnCount.lookup(result) == 1)
    return "out" + std::to_string(returnIndex.lookup(result));
  return fail(op, "result has no storage in the memory plan (no " +
                      kOffsetAttr + "); run anvil-plan-memory before codegen");
}

void ModelEmitter::emitCall(Operation *, const CallExpr &call) {
  body.line(call.str() + ";");
  ++out.numKernelCalls;
}

//===----------------------------------------------------------------------===//
// Ops
//===----------------------------------------------------------------------===//

llvm::Expected<llvm::StringRef>
ModelEmitter::recordedKernel(Operation *op) const {
  auto name = op->getAttrOfType<mlir::StringAttr>(kKernelAttr);
  if (!name)
    return fail(op, llvm::Twine("has no ") + kKernelAttr +
                        "; run anvil-select-kernels before codegen");
  return name.getValue();
}

llvm::Error ModelEmitter::expectKernel(Operation *op,
                                       const std::string &expected) const {
  auto name = recordedKernel(op);
  if (!name)
    return name.takeError();
  if (*name != expected)
    return fail(op, "records kernel '" + *name + "', but the target " +
                        target.name + " calls '" + expected + "'");
  return llvm::Error::success();
}

llvm::Expected<std::string> ModelEmitter::packedWeights(
    Value w, const std::string &shapeLiteral, const std::string &planLiteral,
    int64_t packedFloats, llvm::StringRef packFn,
    llvm::function_ref<void(const float *, float *)> pack) {
  if (ad::ConstantOp c = constantBehind(w)) {
    auto key = std::make_pair(c.getOperation(), shapeLiteral + planLiteral);
    auto it = packedOffsets.find(key);
    if (it == packedOffsets.end()) {
      auto data = constantData(c);
      if (!data)
        return data.takeError();
      std::vector<float> packed(packedFloats, 0.0f);
      pack(data->data(), packed.data());
      it = packedOffsets.emplace(key, blob.append(packed)).first;
    }
    return "weightAt(" + cppInt(int64_t(it->second)) + ")";
  }
  auto raw = readPtr(w);
  if (!raw)
    return raw.takeError();
  uint64_t off = allocPack(uint64_t(packedFloats) * 4);
  usesPack = true;
  std::string packed = "packAt(pack, " + cppInt(int64_t(off)) + ")";
  body.line(CallExpr(kernel(packFn))
                .arg(shapeLiteral)
                .arg(planLiteral)
                .arg(*raw)
                .arg(packed)
                .str() +
            ";");
  return packed;
}

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
                            op.getBias());
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
                            op.getBias());
}

llvm::Error ModelEmitter::emitWeightedKernel(Operation *op,
                                             llvm::StringRef name,
                                             const std::string &lit,
                                             const std::string &planLit,
                                             const std::string &input,
                                             const std::string &weights,
                                             Value bias) {
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
  emitCall(op, CallExpr(kernel(name))
                   .templateArg(isaArg())
                   .templateArg(lit)
                   .templateArg(planLit)
                   .arg(input)
                   .arg(weights)
                   .arg(biasPtr)
                   .arg(*result)
                   .arg("ec"));
  return llvm::Error::success();
}

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
  unsigned kind = static_cast<unsigned>(op.getKind());
  if (kind >= std::size(kUnaryKinds))
    return fail(op, "unknown unary kind " + llvm::Twine(kind));
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
                   .templateArg(kernel("UnaryKind::") + kUnaryKinds[kind])
                   .templateInt(tt.getNumElements())
                   .arg(*input)
                   .arg(*result)
                   .arg(cppFloat(op.getAlpha().convertToFloat()))
                   .arg(cppFloat(op.getBeta().convertToFloat()))
                   .arg("ec"));
  return llvm::Error::success();
}

llvm::Error ModelEmitter::emitBinary(ad::BinaryOp op) {
  unsigned kind = static_cast<unsigned>(op.getKind());
  if (kind >= std::size(kBinaryKinds))
    return fail(op, "unknown binary kind " + llvm::Twine(kind));
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
                   .templateArg(kernel("BinaryKind::") + kBinaryKinds[kind])
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

llvm::Error ModelEmitter::emitReturn(mlir::func::ReturnOp op) {
  for (auto [j, v] : llvm::enumerate(op.getOperands())) {
    Operation *def = v.getDefiningOp();
    bool direct =
        def && !llvm::isa<ad::ConstantOp, ad::ReshapeOp, ad::FlattenOp>(def) &&
        !def->hasAttr(kOffsetAttr) && returnCount.lookup(v) == 1;
    if (direct)
      continue;
    auto src = readPtr(v);
    if (!src)
      return src.takeError();
    auto tt = llvm::cast<RankedTensorType>(v.getType());
    const char *why = !def                             ? "an input"
                      : llvm::isa<ad::ConstantOp>(def) ? "a constant"
                      : llvm::isa<ad::ReshapeOp, ad::FlattenOp>(def)
                          ? "an alias"
                          : "returned more than once";
    body.comment("output " + std::to_string(j) + " ('" + outputs[j].name +
                 "') is " + why + ": copy");
    body.line(CallExpr(kernel("copy_f32"))
                  .templateInt(tt.getNumElements())
                  .arg(*src)
                  .arg("out" + std::to_string(j))
                  .arg("ec")
                  .str() +
              ";");
    ++out.numKernelCalls;
  }
  return llvm::Error::success();
}

llvm::Error ModelEmitter::emitOp(Operation *op) {
  // Storage only: constants live in the blob, reshape/flatten alias.
  if (llvm::isa<ad::ConstantOp, ad::ReshapeOp, ad::FlattenOp>(op))
    return llvm::Error::success();
  if (auto ret = llvm::dyn_cast<mlir::func::ReturnOp>(op))
    return emitReturn(ret);
  if (op->getNumResults() != 1 || op->getNumRegions() != 0)
    return fail(op, "unsupported op in generated code");
  if (auto err = checkTypes(op))
    return err;
  body.comment(opComment(op));
  return llvm::TypeSwitch<Operation *, llvm::Error>(op)
      .Case([&](ad::Conv2DOp o) { return emitConv(o); })
      .Case([&](ad::MatmulOp o) { return emitMatmul(o); })
      .Case([&](ad::MaxPoolOp o) { return emitPool(o, true); })
      .Case([&](ad::AvgPoolOp o) { return emitPool(o, false); })
      .Case([&](ad::GlobalAvgPoolOp o) { return emitGlobalPool(o, false); })
      .Case([&](ad::GlobalMaxPoolOp o) { return emitGlobalPool(o, true); })
      .Case([&](ad::BatchNormOp o) { return emitBatchNorm(o); })
      .Case([&](ad::UnaryOp o) { return emitUnary(o); })
      .Case([&](ad::BinaryOp o) { return emitBinary(o); })
      .Case([&](ad::SoftmaxOp o) { return emitSoftmax(o); })
      .Case([&](ad::TransposeOp o) { return emitTranspose(o); })
      .Case([&](ad::ConcatOp o) { return emitConcat(o); })
      .Case([&](ad::PadOp o) { return emitPad(o); })
      .Default([&](Operation *o) {
        return fail(o, "op has no kernel in generated code");
      });
}

llvm::Error ModelEmitter::emit() {
  if (!func.getBody().hasOneBlock())
    return fail(func, "@main must have exactly one block");
  auto arena = func->getAttrOfType<mlir::IntegerAttr>(kArenaBytesAttr);
  if (!arena)
    return fail(func, llvm::Twine("@main has no memory plan (") +
                          kArenaBytesAttr +
                          "); run anvil-plan-memory before codegen");
  out.arenaBytes = alignUp(uint64_t(std::max<int64_t>(arena.getInt(), 0)));
  if (auto naive = func->getAttrOfType<mlir::IntegerAttr>(kNaiveBytesAttr))
    out.naiveArenaBytes = uint64_t(std::max<int64_t>(naive.getInt(), 0));
  else
    out.naiveArenaBytes = out.arenaBytes;

  if (auto err = readSignature())
    return err;
  mlir::Block &block = func.getBody().front();
  if (auto ret = llvm::dyn_cast<mlir::func::ReturnOp>(block.getTerminator()))
    for (auto [j, v] : llvm::enumerate(ret.getOperands()))
      if (returnCount[v]++ == 0)
        returnIndex[v] = j;

  for (Operation &op : block)
    if (auto err = emitOp(&op))
      return err;

  out.scratchFloatsPerThread = (out.scratchFloatsPerThread + 15) / 16 * 16;
  out.source = buildSource();
  return llvm::Error::success();
}

//===----------------------------------------------------------------------===//
// The translation unit and the header
//===----------------------------------------------------------------------===//

std::string descInit(const TensorDesc &d) {
  return StructLiteral("")
      .addRaw(cppString(d.name))
      .addRaw("ANVIL_DTYPE_F32")
      .addInt(d.shape.size())
      .addIntList(d.shape)
      .addRaw(cppUnsigned(d.bytes))
      .str();
}

std::string shapeText(llvm::ArrayRef<int64_t> shape) {
  std::string s = "[";
  llvm::ListSeparator sep(", ");
  for (int64_t d : shape)
    s += (llvm::Twine(sep) + llvm::Twine(d)).str();
  return s + "]";
}

/// Escapes `text` for a double-quoted string of the GNU assembler.
std::string asmString(llvm::StringRef text) {
  std::string s;
  for (char c : text) {
    if (c == '"' || c == '\\')
      s += '\\';
    s += c;
  }
  return s;
}

std::string weightsSymbol(const std::string &model) {
  return "anvil_" + model + "_weights";
}

/// The variant's hidden entry point, called by the entry TU's dispatch.
std::string runSymbol(const std::string &model, const std::string &tag) {
  return "anvil_" + model + "_run__" + tag;
}

const char *kRunSignature =
    "(anvil_context_t *context, const void *const *inputs, "
    "void *const *outputs)";

std::string ModelEmitter::buildSource() const {
  const std::string &n = options.name;
  CppWriter w;
  w.line("// generated by anvilc — do not edit");
  w.comment("");
  w.comment("Model " + n + ", the variant for target " + target.describe() +
            ": compile with the flags `anvilc --print-compile-flags "
            "--target=" +
            target.name + "` prints. Every shape below is a compile-time "
                          "constant.");
  w.comment("arena " + std::to_string(out.arenaBytes) + " bytes (naive " +
            std::to_string(out.naiveArenaBytes) + "), scratch " +
            std::to_string(out.scratchFloatsPerThread) +
            " floats per thread, run-time packed weights " +
            std::to_string(out.packBytes) + " bytes.");
  w.blank();
  w.line("#include \"anvil/Context.h\"");
  w.line("#include \"anvil/runtime.h\"");
  w.line("#include \"kernels/Kernels.h\"");
  w.blank();
  w.line("#include <cstdint>");
  w.blank();
  if (!blob.empty())
    w.line("extern \"C\" __attribute__((visibility(\"hidden\"))) const char " +
           weightsSymbol(n) + "[];");
  w.blank();
  w.line("namespace {");
  if (!blob.empty()) {
    w.line("inline const float *weightAt(uint64_t offset) {");
    w.line("  return reinterpret_cast<const float *>(" + weightsSymbol(n) +
           " + offset);");
    w.line("}");
  }
  w.line("inline float *arenaAt(char *arena, uint64_t offset) {");
  w.line("  return reinterpret_cast<float *>(arena + offset);");
  w.line("}");
  w.line("inline float *packAt(char *pack, uint64_t offset) {");
  w.line("  return reinterpret_cast<float *>(pack + offset);");
  w.line("}");
  w.line("} // namespace");
  w.blank();
  w.comment("Called by " + n +
            "_run once the context (made for this variant) and the "
            "pointers are checked.");
  w.open("extern \"C\" __attribute__((visibility(\"hidden\"))) anvil_status_t " +
         runSymbol(n, out.tag) + kRunSignature);
  w.line("const anvil::rt::ContextView view = anvil::rt::view(context);");
  w.line("const anvil::kernels::ExecContext ec{view.pool, view.scratch, "
         "view.scratchFloatsPerThread};");
  w.line("[[maybe_unused]] char *const arena = view.arena;");
  w.line("[[maybe_unused]] char *const pack = view.pack;");
  for (auto [i, d] : llvm::enumerate(inputs))
    w.line("[[maybe_unused]] const float *const in" + std::to_string(i) +
           " = static_cast<const float *>(inputs[" + std::to_string(i) +
           "]); // " + d.name + " " + shapeText(d.shape));
  for (auto [i, d] : llvm::enumerate(outputs))
    w.line("[[maybe_unused]] float *const out" + std::to_string(i) +
           " = static_cast<float *>(outputs[" + std::to_string(i) + "]); // " +
           d.name + " " + shapeText(d.shape));
  w.blank();
  // The op calls, indented one level.
  llvm::SmallVector<llvm::StringRef> lines;
  llvm::StringRef(body.str()).split(lines, '\n', -1, false);
  for (llvm::StringRef l : lines)
    w.line(l);
  w.line("return ANVIL_STATUS_OK;");
  w.close();
  return w.str();
}

/// The entry translation unit: the public C ABI, the weights blob, and the
/// dispatch to the variant the CPU supports. Compiled for baseline x86-64
/// (Toolchain's entryCompileFlags), so the CPU check itself never executes
/// an instruction the CPU lacks.
std::string buildEntrySource(const EmitOptions &options,
                             const EmittedModel &m,
                             llvm::ArrayRef<TensorDesc> inputs,
                             llvm::ArrayRef<TensorDesc> outputs) {
  const std::string &n = options.name;
  const EmittedVariant &best = m.variants.front();
  std::vector<std::string> targetNames;
  for (const EmittedVariant &v : m.variants)
    targetNames.push_back(v.target.name);
  CppWriter w;
  w.line("// generated by anvilc — do not edit");
  w.comment("");
  w.comment("Model " + n + ": " + std::to_string(inputs.size()) +
            " input(s), " + std::to_string(outputs.size()) +
            " output(s); variants for " + llvm::join(targetNames, ", ") +
            " (best first), weights " + std::to_string(m.weights.size()) +
            " bytes. This file holds the C ABI and picks the variant at "
            "create; compile it for baseline x86-64.");
  w.blank();
  w.line("#include \"anvil/Context.h\"");
  w.line("#include \"anvil/runtime.h\"");
  w.blank();
  w.line("#include <cstdint>");
  w.blank();
  w.line("#define ANVIL_MODEL_API extern \"C\" "
         "__attribute__((visibility(\"default\")))");
  w.blank();

  if (!m.weights.empty()) {
    std::string sym = weightsSymbol(n);
    w.comment("The weights blob (64-byte aligned entries, shared by the "
              "variants), embedded read-only by the assembler.");
    std::string directives =
        ".section .rodata.anvil." + n + ",\"a\",@progbits\n" + ".balign 64\n" +
        ".globl " + sym + "\n" + ".hidden " + sym + "\n" + ".type " + sym +
        ", @object\n" + sym + ":\n" + ".incbin \"" +
        asmString(options.weightsPath) + "\"\n" + ".size " + sym + ", " +
        std::to_string(m.weights.size()) + "\n" + ".previous\n";
    llvm::SmallVector<llvm::StringRef> lines;
    llvm::StringRef(directives).split(lines, '\n', -1, false);
    w.line("asm(");
    for (auto [i, l] : llvm::enumerate(lines))
      w.line("    " + cppString((l + "\n").str()) +
             (i + 1 == lines.size() ? ");" : ""));
    w.blank();
  }
  for (const EmittedVariant &v : m.variants)
    w.line("extern \"C\" __attribute__((visibility(\"hidden\"))) "
           "anvil_status_t " +
           runSymbol(n, v.tag) + kRunSignature + ";");
  w.blank();

  w.line("namespace {");
  for (auto [i, v] : llvm::enumerate(m.variants)) {
    std::vector<std::string> quoted;
    for (const std::string &f : v.target.requiredFeatures())
      quoted.push_back(cppString(f));
    w.line("const char *const kFeatures" + std::to_string(i) + "[] = {" +
           llvm::join(quoted, ", ") + "};");
  }
  w.open("const anvil::rt::ModelVariant kVariants[] =");
  for (auto [i, v] : llvm::enumerate(m.variants)) {
    std::string idx = std::to_string(i);
    w.line(StructLiteral("")
               .field("target", cppString(v.target.name))
               .field("isa", cppString(isaName(v.target.isa)))
               .field("features", "kFeatures" + idx)
               .field("numFeatures",
                      int64_t(v.target.requiredFeatures().size()))
               .field("layout",
                      StructLiteral("")
                          .field("arenaBytes", cppUnsigned(v.arenaBytes))
                          .field("scratchFloatsPerThread",
                                 cppUnsigned(v.scratchFloatsPerThread))
                          .field("packBytes", cppUnsigned(v.packBytes))
                          .str())
               .field("run", runSymbol(n, v.tag))
               .str() +
           ",");
  }
  w.close(";");
  w.line("constexpr int32_t kNumVariants = " +
         std::to_string(m.variants.size()) + ";");
  if (!inputs.empty()) {
    w.open("const anvil_tensor_desc_t kInputs[] =");
    for (const TensorDesc &d : inputs)
      w.line(descInit(d) + ",");
    w.close(";");
  }
  if (!outputs.empty()) {
    w.open("const anvil_tensor_desc_t kOutputs[] =");
    for (const TensorDesc &d : outputs)
      w.line(descInit(d) + ",");
    w.close(";");
  }
  w.open("const char *activeTarget()");
  w.line("const anvil::rt::ModelVariant *v = "
         "anvil::rt::pickVariant(kVariants, kNumVariants);");
  w.line("return v ? v->target : nullptr;");
  w.close();
  w.line("} // namespace");
  w.blank();

  w.open("ANVIL_MODEL_API anvil_status_t " + n +
         "_create(const anvil_context_options_t *options, "
         "anvil_context_t **out_context)");
  std::string optionsArg = "options";
  if (options.defaultThreads > 0) {
    w.line("anvil_context_options_t defaults;");
    w.line("if (options)");
    w.line("  defaults = *options;");
    w.line("else");
    w.line("  anvil_context_options_init(&defaults);");
    w.line("if (defaults.num_threads == 0)");
    w.line("  defaults.num_threads = " + cppInt(options.defaultThreads) + ";");
    optionsArg = "&defaults";
  }
  w.line("return anvil::rt::createModelContext(" + cppString(n) +
         ", kVariants, kNumVariants, " + optionsArg + ", out_context);");
  w.close();
  w.blank();
  w.open("ANVIL_MODEL_API void " + n + "_destroy(anvil_context_t *context)");
  w.line("anvil::rt::destroyContext(context);");
  w.close();
  w.blank();

  w.open("ANVIL_MODEL_API anvil_status_t " + n +
         "_run(anvil_context_t *context, const void *const *inputs, "
         "void *const *outputs)");
  w.line("if (!context)");
  w.line("  return ANVIL_STATUS_INVALID_ARGUMENT;");
  auto checkPtrs = [&](const char *array, const char *what,
                       llvm::ArrayRef<TensorDesc> descs) {
    if (descs.empty())
      return;
    w.line(std::string("if (!") + array + ")");
    w.line("  return anvil::rt::fail(context, ANVIL_STATUS_INVALID_ARGUMENT, " +
           cppString(n + "_run: " + array + " is null") + ");");
    for (auto [i, d] : llvm::enumerate(descs)) {
      w.line(std::string("if (!") + array + "[" + std::to_string(i) + "])");
      w.line(
          "  return anvil::rt::fail(context, ANVIL_STATUS_INVALID_ARGUMENT, " +
          cppString(n + "_run: " + what + " " + std::to_string(i) + " ('" +
                    d.name + "') is null") +
          ");");
    }
  };
  checkPtrs("inputs", "input", inputs);
  checkPtrs("outputs", "output", outputs);
  w.line("return anvil::rt::runModel(context, inputs, outputs);");
  w.close();
  w.blank();

  w.line("namespace {");
  w.open("const anvil_model_t kModel =");
  w.line("ANVIL_ABI_VERSION,");
  w.line(cppString(n) + ",");
  w.line(std::to_string(inputs.size()) + ", " +
         (inputs.empty() ? "nullptr" : "kInputs") + ",");
  w.line(std::to_string(outputs.size()) + ", " +
         (outputs.empty() ? "nullptr" : "kOutputs") + ",");
  w.line(cppUnsigned(best.arenaBytes) + ", // arena_bytes");
  w.line(cppUnsigned(best.naiveArenaBytes) + ", // naive_arena_bytes");
  w.line(cppUnsigned(m.weights.size()) + ", // weights_bytes");
  w.line(cppString(llvm::join(targetNames, ",")) + ", // targets");
  w.line("activeTarget,");
  w.line(n + "_create,");
  w.line(n + "_run,");
  w.line(n + "_destroy,");
  w.close(";");
  w.line("} // namespace");
  w.blank();
  w.line("ANVIL_MODEL_API const anvil_model_t *" + n +
         "_model(void) { return &kModel; }");
  w.blank();
  w.line("#ifdef ANVIL_EXPORT_GENERIC_ENTRY");
  w.line("ANVIL_MODEL_API const anvil_model_t *anvil_model_get(void) { return "
         "&kModel; }");
  w.line("#endif");
  return w.str();
}

std::string buildHeader(const EmitOptions &options, const EmittedModel &m,
                        llvm::ArrayRef<TensorDesc> inputs,
                        llvm::ArrayRef<TensorDesc> outputs) {
  const std::string &n = options.name;
  std::vector<std::string> targetNames;
  for (const EmittedVariant &v : m.variants)
    targetNames.push_back(v.target.describe());
  std::string guard = "ANVIL_MODEL_" + llvm::StringRef(n).upper() + "_H";
  CppWriter w;
  w.line("/* generated by anvilc — do not edit */");
  w.line("/*");
  w.line(" * C interface of the model " + n + " (anvilc). With " + n +
         ".o, also link libanvil_runtime.a and");
  w.line(" * -lpthread; a model .so is self-contained.");
  w.line(" * Built for: " + llvm::join(targetNames, "; ") +
         " (best first; create picks the first this CPU runs and returns");
  w.line(" * ANVIL_STATUS_UNSUPPORTED_CPU when there is none).");
  for (auto [i, d] : llvm::enumerate(inputs))
    w.line(" *   input " + std::to_string(i) + ": " + d.name + " f32 " +
           shapeText(d.shape));
  for (auto [i, d] : llvm::enumerate(outputs))
    w.line(" *   output " + std::to_string(i) + ": " + d.name + " f32 " +
           shapeText(d.shape));
  w.line(" */");
  w.line("#ifndef " + guard);
  w.line("#define " + guard);
  w.blank();
  w.line("#include \"anvil/runtime.h\"");
  w.blank();
  w.line("#define " + n + "_NUM_INPUTS " + std::to_string(inputs.size()));
  w.line("#define " + n + "_NUM_OUTPUTS " + std::to_string(outputs.size()));
  for (auto [i, d] : llvm::enumerate(inputs))
    w.line("#define " + n + "_INPUT_" + std::to_string(i) + "_BYTES " +
           std::to_string(d.bytes));
  for (auto [i, d] : llvm::enumerate(outputs))
    w.line("#define " + n + "_OUTPUT_" + std::to_string(i) + "_BYTES " +
           std::to_string(d.bytes));
  w.blank();
  w.line("#ifdef __cplusplus");
  w.line("extern \"C\" {");
  w.line("#endif");
  w.blank();
  w.line("/** Names, shapes and sizes of the inputs and outputs; entry points. "
         "*/");
  w.line("const anvil_model_t *" + n + "_model(void);");
  w.line("/** Creates a context (threads, arena); options may be null. */");
  w.line("anvil_status_t " + n +
         "_create(const anvil_context_options_t *options, anvil_context_t "
         "**out_context);");
  w.line("/** Runs one inference: inputs[i] and outputs[i] point to the");
  w.line(" *  tensors in the order above. Never allocates. */");
  w.line("anvil_status_t " + n +
         "_run(anvil_context_t *context, const void *const *inputs, void "
         "*const *outputs);");
  w.line("void " + n + "_destroy(anvil_context_t *context);");
  w.blank();
  w.line("#ifdef __cplusplus");
  w.line("} /* extern \"C\" */");
  w.line("#endif");
  w.blank();
  w.line("#endif /* " + guard + " */");
  return w.str();
}

} // namespace

std::string anvil::codegen::describeLocation(mlir::Location loc) {
  std::vector<std::string> files;
  llvm::SmallVector<std::string> names;
  collectLoc(loc, files, names);
  std::string s = llvm::join(files, ", ");
  if (!names.empty()) {
    if (!s.empty())
      s += ": ";
    s += names.size() == 1 ? "node " : "nodes ";
    llvm::ListSeparator sep(", ");
    for (const std::string &n : names)
      s += (llvm::Twine(sep) + "'" + n + "'").str();
  }
  return s;
}

bool anvil::codegen::isValidModelName(llvm::StringRef name) {
  if (name.empty() || llvm::isDigit(name.front()))
    return false;
  return llvm::all_of(name,
                      [](char c) { return llvm::isAlnum(c) || c == '_'; });
}

llvm::Expected<EmittedModel>
anvil::codegen::emitModel(llvm::ArrayRef<mlir::ModuleOp> modules,
                          const EmitOptions &options) {
  if (!isValidModelName(options.name))
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   "invalid model name '" + options.name +
                                       "': it must be a C identifier");
  if (modules.empty())
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   "no module to emit");
  EmittedModel out;
  llvm::SmallVector<TensorDesc> inputs, outputs;
  llvm::StringSet<> tags;
  for (auto [i, constModule] : llvm::enumerate(modules)) {
    mlir::ModuleOp module = constModule;
    auto func = module.lookupSymbol<mlir::func::FuncOp>("main");
    if (!func)
      return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                     "the module has no func.func @main");
    auto target = moduleTarget(module);
    if (!target)
      return target.takeError();
    EmittedVariant &v = out.variants.emplace_back();
    v.target = *target;
    v.tag = sanitizedTag(target->name);
    if (!tags.insert(v.tag).second)
      v.tag += "_" + std::to_string(i);
    ModelEmitter emitter(func, v.target, options, v, out.weights);
    if (auto err = emitter.emit())
      return std::move(err);
    if (i == 0) {
      inputs = emitter.inputs;
      outputs = emitter.outputs;
    } else if (emitter.inputs != inputs || emitter.outputs != outputs) {
      return llvm::createStringError(
          llvm::inconvertibleErrorCode(),
          "the variant for " + target->name +
              " has other inputs or outputs than the one for " +
              out.variants.front().target.name);
    }
  }
  out.source = buildEntrySource(options, out, inputs, outputs);
  out.header = buildHeader(options, out, inputs, outputs);
  return std::move(out);
}

std::string anvil::codegen::sanitizedTag(llvm::StringRef targetName) {
  std::string tag;
  for (char c : targetName)
    tag += llvm::isAlnum(c) ? c : '_';
  return tag;
}
