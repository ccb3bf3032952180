//===- Importer.cpp - ONNX graph to anvil dialect ---------------*- C++ -*-===//
//
// Walks the (already checked and shape-inferred) ONNX graph in node order and
// builds `func.func @main`. Every tensor is either a runtime f32 value or a
// constant known to the importer (HostTensor); nodes whose inputs are all
// constants are evaluated here, which folds the shape arithmetic PyTorch
// exports (Shape -> Gather -> Unsqueeze -> Concat -> Reshape) away. Float
// constants become `anvil.constant` where a runtime op first uses them.
//
// A node that cannot be imported does not stop the walk: it is recorded, its
// outputs are poisoned (nodes reading them are skipped silently), and all
// recorded nodes are reported in one error at the end.
//
//===----------------------------------------------------------------------===//

#include "compiler/onnx/Importer.h"
#include "compiler/onnx/HostTensor.h"
#include "compiler/onnx/ModelLoader.h"

#include "dialects/anvil/IR/AnvilDialect.h"
#include "dialects/anvil/IR/AnvilFolds.h"
#include "dialects/anvil/IR/AnvilLimits.h"
#include "dialects/anvil/IR/AnvilOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/AsmState.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Verifier.h"

#include "onnx/defs/schema.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/Path.h"

#include <cmath>
#include <limits>
#include <memory>
#include <numeric>

using namespace anvil;
using namespace anvil::onnx_import;
namespace av = mlir::anvil;
using llvm::ArrayRef;
using llvm::StringRef;
using mlir::Location;
using mlir::RankedTensorType;
using mlir::Value;

namespace {

using TP = onnx::TensorProto;

using av::kMaxInlineElements; // larger constants become resource blobs
/// The most copies Tile and Resize concatenate of a runtime tensor along one
/// dim, and crops a strided Slice concatenates (each is an operand of one
/// anvil.concat, see GraphImporter::strided); also the largest LRN window.
constexpr int64_t kMaxCopies = 65536;

/// Replaces every character that is not [A-Za-z0-9_] by '_'.
std::string sanitize(StringRef name, StringRef fallback) {
  std::string s;
  for (char c : name)
    s += llvm::isAlnum(c) || c == '_' ? c : '_';
  if (s.empty())
    s = fallback.str();
  if (llvm::isDigit(s[0]))
    s = "_" + s;
  return s;
}

std::string shapeStr(ArrayRef<int64_t> s) {
  std::string r = "[";
  r += dimsText(s);
  return r + "]";
}

/// One tensor of the graph: a runtime value, a constant, or both (a constant
/// that was materialized as `anvil.constant`).
struct TensorValue {
  Value value;
  std::shared_ptr<const HostTensor> host;
  Shape shape;
  int32_t dtype = TP::FLOAT;
  bool poisoned = false;
};

/// A node that could not be imported.
struct NodeFailure {
  std::string label, opType, reason;
  int64_t opset;
};

class GraphImporter {
public:
  GraphImporter(mlir::MLIRContext &ctx, StringRef path,
                const onnx::ModelProto &model)
      : ctx(ctx), path(path.str()), model(model), graph(model.graph()), b(&ctx),
        loc(mlir::UnknownLoc::get(&ctx)),
        fileLoc(mlir::FileLineColLoc::get(&ctx, path, 0, 0)) {}

  llvm::Expected<mlir::OwningOpRef<mlir::ModuleOp>> run();

private:
  using Handler = bool (GraphImporter::*)();
  static const llvm::StringMap<Handler> &handlers();

  llvm::Error error(const llvm::Twine &msg) {
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   (path + ": " + msg).str());
  }
  bool fail(const llvm::Twine &msg) {
    failMsg = msg.str();
    return false;
  }

  void convertNode(int index);

  //===--- inputs, outputs, attributes of the current node ----------------===//
  bool has(int i) const {
    return i < node->input_size() && !node->input(i).empty();
  }
  TensorValue &inT(int i) { return env[node->input(i)]; }
  const HostTensor *host(int i) { return has(i) ? inT(i).host.get() : nullptr; }
  const Shape &shapeOf(int i) { return inT(i).shape; }
  int64_t rankOf(int i) { return inT(i).shape.size(); }
  bool allHost() {
    for (int i = 0; i < node->input_size(); ++i)
      if (has(i) && !host(i))
        return false;
    return true;
  }
  /// The runtime f32 value of input i (materializes float constants).
  Value rt(int i);
  /// Input i as a runtime value with shape `s` (constants are reshaped on the
  /// host, runtime values through anvil.reshape).
  Value rtReshaped(int i, ArrayRef<int64_t> s);
  bool hostInts(int i, Shape &out, StringRef what);
  bool hostFloat(int i, float &out, StringRef what);

  //===--- sizes (AnvilLimits.h) -------------------------------------------===//
  /// `r` (a checked sum or product of sizes) into `out`, or a failure when it
  /// overflowed or lies outside [-2^36, 2^36] (kMaxTensorElements).
  bool sizeResult(std::optional<int64_t> r, int64_t &out, const llvm::Twine &what);
  bool mulSizes(int64_t a, int64_t b, int64_t &out, const llvm::Twine &what) {
    return sizeResult(llvm::checkedMul(a, b), out, what);
  }
  bool addSizes(int64_t a, int64_t b, int64_t &out, const llvm::Twine &what) {
    return sizeResult(llvm::checkedAdd(a, b), out, what);
  }
  /// A shape this node computed must be representable (no negative dim, at
  /// most kMaxTensorElements elements).
  bool checkShape(ArrayRef<int64_t> s, const llvm::Twine &what);
  /// A constant this node folds to shape `s` must stay within the fold
  /// budget (foldFitsBudget): checked before any element is materialized.
  bool checkFold(ArrayRef<int64_t> s);

  void setOut(int i, Value v);
  void setHost(int i, HostTensor h);
  void alias(int i, int input) {
    TensorValue t = inT(input);
    env[node->output(i)] = t;
  }
  bool outputUsed(int i) const {
    return i < node->output_size() && !node->output(i).empty() &&
           consumed.contains(node->output(i));
  }

  const onnx::AttributeProto *attr(StringRef name) const {
    for (const auto &a : node->attribute())
      if (a.name() == name)
        return &a;
    return nullptr;
  }
  int64_t attrInt(StringRef name, int64_t def) const {
    auto *a = attr(name);
    return a ? a->i() : def;
  }
  float attrFloat(StringRef name, float def) const {
    auto *a = attr(name);
    return a ? a->f() : def;
  }
  std::string attrStr(StringRef name, StringRef def) const {
    auto *a = attr(name);
    return a ? a->s() : def.str();
  }
  std::optional<Shape> attrInts(StringRef name) const {
    auto *a = attr(name);
    if (!a)
      return std::nullopt;
    return Shape(a->ints().begin(), a->ints().end());
  }

  //===--- IR helpers -----------------------------------------------------===//
  RankedTensorType f32(ArrayRef<int64_t> s) {
    return RankedTensorType::get(s, b.getF32Type());
  }
  static ArrayRef<int64_t> shapeOfValue(Value v) {
    return mlir::cast<RankedTensorType>(v.getType()).getShape();
  }
  Value materialize(const HostTensor &h, StringRef name, Location at);
  Value constant(ArrayRef<int64_t> s, ArrayRef<float> data, StringRef name);
  Value scalarLike(float v, Value other) {
    Shape s;
    if (!shapeOfValue(other).empty())
      s.push_back(1);
    return constant(s, {v}, "scalar");
  }
  Value reshape(Value v, ArrayRef<int64_t> s) {
    if (shapeOfValue(v) == s)
      return v;
    return av::ReshapeOp::create(b, loc, f32(s), v);
  }
  Value unary(av::UnaryKind k, Value v, float alpha = 0, float beta = 0) {
    return av::UnaryOp::create(b, loc, v.getType(), k, v, llvm::APFloat(alpha),
                               llvm::APFloat(beta));
  }
  Value binary(av::BinaryKind k, Value l, Value r);
  Value crop(Value v, int64_t axis, int64_t begin, int64_t end);
  Value strided(Value v, int64_t axis, int64_t begin, int64_t step,
                int64_t count);
  bool normalizeAxis(int64_t &axis, int64_t rank) {
    if (axis < -rank || axis >= rank)
      return fail("axis " + llvm::Twine(axis) + " is out of range for rank " +
                  llvm::Twine(rank));
    if (axis < 0)
      axis += rank;
    return true;
  }
  /// Pads for auto_pad; `pads` is [begin..., end...] for the spatial dims.
  bool resolveAutoPad(ArrayRef<int64_t> in, ArrayRef<int64_t> kernel,
                      ArrayRef<int64_t> strides, ArrayRef<int64_t> dilations,
                      Shape &pads);

  //===--- node handlers --------------------------------------------------===//
  bool convertConstant();
  bool convertIdentity();
  bool convertDropout();
  bool convertCast();
  bool convertShape();
  bool convertSize();
  bool convertGather();
  bool convertUnsqueeze();
  bool convertSqueeze();
  bool convertConcat();
  bool convertSlice();
  bool convertSplit();
  bool convertReshape();
  bool convertFlatten();
  bool convertTranspose();
  bool convertConstantOfShape();
  bool convertRange();
  bool convertExpand();
  bool convertBinary();
  bool convertCompare();
  bool convertWhere();
  bool convertNot();
  bool convertUnary();
  bool convertClip();
  bool convertConv();
  bool convertPool();
  bool convertGlobalPool();
  bool convertBatchNorm();
  bool convertGemm();
  bool convertMatMul();
  bool convertSoftmax();
  bool convertPad();
  bool convertReduce();
  bool convertLayerNorm();
  bool convertLRN();
  bool convertConvTranspose();
  Value reverse(Value v, int64_t axis);
  bool convertInstanceNorm();
  bool convertActivation();
  bool convertDepthSpace();
  bool convertTile();
  bool convertResize();
  Value reduce(Value v, ArrayRef<int64_t> axes, bool isMax, bool isSum);
  Value normalizeLastDim(Value x3, float epsilon);
  Value repeatElements(Value v, int64_t axis, int64_t times);

  /// Shared by Reshape, Squeeze, Unsqueeze: input 0 gets shape `s`.
  bool reshapeTo(ArrayRef<int64_t> s) {
    if (const HostTensor *h = host(0)) {
      HostTensor r = *h;
      r.shape.assign(s.begin(), s.end());
      setHost(0, std::move(r));
      return true;
    }
    Value v = rt(0);
    if (!v)
      return false;
    setOut(0, reshape(v, s));
    return true;
  }

  mlir::MLIRContext &ctx;
  std::string path;
  const onnx::ModelProto &model;
  const onnx::GraphProto &graph;
  mlir::OpBuilder b;
  Location loc;
  Location fileLoc;

  std::map<std::string, int64_t> opsets;
  int64_t opset = 0;
  llvm::StringMap<TensorValue> env;
  llvm::StringSet<> consumed;
  std::vector<NodeFailure> failures;

  const onnx::NodeProto *node = nullptr;
  int sinceVersion = 0;
  std::string failMsg;
};

//===----------------------------------------------------------------------===//
// Helpers
//===----------------------------------------------------------------------===//

Value GraphImporter::materialize(const HostTensor &h, StringRef name,
                                 Location at) {
  RankedTensorType type = f32(h.shape);
  mlir::ElementsAttr attr;
  if (h.size() > kMaxInlineElements) {
    mlir::AsmResourceBlob blob =
        mlir::HeapAsmResourceBlob::allocateAndCopyInferAlign(
            ArrayRef<float>(h.f));
    attr = mlir::DenseResourceElementsAttr::get(type, sanitize(name, "weight"),
                                                std::move(blob));
  } else {
    attr = mlir::DenseElementsAttr::get(type, ArrayRef<float>(h.f));
  }
  return av::ConstantOp::create(b, at, type, attr);
}

Value GraphImporter::constant(ArrayRef<int64_t> s, ArrayRef<float> data,
                              StringRef name) {
  HostTensor h;
  h.shape.assign(s.begin(), s.end());
  h.f.assign(data.begin(), data.end());
  return materialize(h, name, loc);
}

Value GraphImporter::rt(int i) {
  TensorValue &t = inT(i);
  if (t.value)
    return t.value;
  if (!t.host || t.host->dtype != TP::FLOAT) {
    fail("tensor '" + node->input(i) + "' of type " + dataTypeName(t.dtype) +
         " would be a runtime operand; runtime tensors must be float (f32)");
    return {};
  }
  if (t.host->size() == 0) {
    fail("tensor '" + node->input(i) + "' of shape " + shapeStr(t.shape) +
         " is empty and would be a runtime operand; " +
         kNoEmptyRuntimeTensors);
    return {};
  }
  t.value =
      materialize(*t.host, node->input(i),
                  mlir::NameLoc::get(b.getStringAttr(node->input(i)), fileLoc));
  return t.value;
}

Value GraphImporter::rtReshaped(int i, ArrayRef<int64_t> s) {
  TensorValue &t = inT(i);
  if (!t.value && t.host && t.host->dtype == TP::FLOAT &&
      ArrayRef<int64_t>(t.shape) != s) {
    HostTensor h = *t.host;
    h.shape.assign(s.begin(), s.end());
    return materialize(
        h, node->input(i),
        mlir::NameLoc::get(b.getStringAttr(node->input(i)), fileLoc));
  }
  Value v = rt(i);
  return v ? reshape(v, s) : v;
}

bool GraphImporter::hostInts(int i, Shape &out, StringRef what) {
  const HostTensor *h = host(i);
  if (!h)
    return fail(what + " must be a constant (computable at import)");
  if (h->isFloat())
    return fail(what + " must be an integer tensor");
  out.assign(h->i.begin(), h->i.end());
  return true;
}

bool GraphImporter::sizeResult(std::optional<int64_t> r, int64_t &out,
                               const llvm::Twine &what) {
  if (!r || *r > av::kMaxTensorElements || *r < -av::kMaxTensorElements)
    return fail(what + " overflows Anvil's size limit (2^36 elements per "
                       "tensor)");
  out = *r;
  return true;
}

bool GraphImporter::checkShape(ArrayRef<int64_t> s, const llvm::Twine &what) {
  if (llvm::any_of(s, [](int64_t d) { return d < 0; }))
    return fail(what + " " + shapeStr(s) + " has a negative dim");
  if (!av::isRepresentableShape(s))
    return fail(what + " " + shapeStr(s) +
                " has more than 2^36 elements, Anvil's limit per tensor");
  return true;
}

bool GraphImporter::checkFold(ArrayRef<int64_t> s) {
  if (!checkShape(s, "the result"))
    return false;
  int64_t largest = 0;
  for (int i = 0; i < node->input_size(); ++i)
    if (const HostTensor *h = host(i))
      largest = std::max(largest, h->size());
  int64_t n = *av::checkedElementCount(s);
  if (!av::foldFitsBudget(n, largest))
    return fail("folding it at import would materialize " + shapeStr(s) +
                " = " + llvm::Twine(n) +
                " elements, which exceeds the fold budget of 2^24 elements "
                "(or its largest constant input)");
  return true;
}

bool GraphImporter::hostFloat(int i, float &out, StringRef what) {
  const HostTensor *h = host(i);
  if (!h)
    return fail(what + " must be a constant");
  if (h->size() != 1)
    return fail(what + " must have one element");
  out = static_cast<float>(h->get(0));
  return true;
}

void GraphImporter::setOut(int i, Value v) {
  if (i >= node->output_size() || node->output(i).empty())
    return;
  TensorValue t;
  t.value = v;
  auto s = shapeOfValue(v);
  t.shape.assign(s.begin(), s.end());
  env[node->output(i)] = std::move(t);
}

void GraphImporter::setHost(int i, HostTensor h) {
  if (i >= node->output_size() || node->output(i).empty())
    return;
  TensorValue t;
  t.shape = h.shape;
  t.dtype = h.dtype;
  t.host = std::make_shared<const HostTensor>(std::move(h));
  env[node->output(i)] = std::move(t);
}

Value GraphImporter::binary(av::BinaryKind k, Value l, Value r) {
  Shape ls(shapeOfValue(l)), rs(shapeOfValue(r));
  auto s = broadcastAll({ls, rs});
  if (!s) {
    fail("shapes " + shapeStr(ls) + " and " + shapeStr(rs) +
         " do not broadcast");
    return {};
  }
  return av::BinaryOp::create(b, loc, f32(*s), k, l, r);
}

/// Keeps [begin, end) of `axis` with anvil.pad's negative pads.
Value GraphImporter::crop(Value v, int64_t axis, int64_t begin, int64_t end) {
  Shape s(shapeOfValue(v));
  int64_t rank = s.size();
  if (begin == 0 && end == s[axis])
    return v;
  Shape pads(2 * rank, 0);
  pads[axis] = -begin;
  pads[axis + rank] = -(s[axis] - end);
  s[axis] = end - begin;
  return av::PadOp::create(b, loc, f32(s), v, pads, av::PadMode::constant,
                           llvm::APFloat(0.0f));
}

/// Elements begin, begin + step, ... (`count` of them) of `v` along `axis`:
/// one crop per element, concatenated (a flip is step -1). Null, after
/// fail(), past kMaxCopies elements: each is an op of its own.
Value GraphImporter::strided(Value v, int64_t axis, int64_t begin,
                             int64_t step, int64_t count) {
  if (count > kMaxCopies) {
    fail("a strided slice or flip of " + llvm::Twine(count) +
         " elements of a runtime tensor exceeds Anvil's limit of " +
         llvm::Twine(kMaxCopies));
    return nullptr;
  }
  llvm::SmallVector<Value> parts;
  for (int64_t k = 0; k < count; ++k) {
    int64_t at = begin + k * step;
    parts.push_back(crop(v, axis, at, at + 1));
  }
  Shape s(shapeOfValue(v));
  s[axis] = count;
  return av::ConcatOp::create(b, loc, f32(s), parts,
                              static_cast<uint64_t>(axis));
}

bool GraphImporter::resolveAutoPad(ArrayRef<int64_t> in,
                                   ArrayRef<int64_t> kernel,
                                   ArrayRef<int64_t> strides,
                                   ArrayRef<int64_t> dilations, Shape &pads) {
  size_t n = in.size();
  std::string autoPad = attrStr("auto_pad", "NOTSET");
  if (autoPad == "NOTSET" || autoPad.empty()) {
    if (auto p = attrInts("pads")) {
      if (p->size() != 2 * n)
        return fail("'pads' has " + llvm::Twine(p->size()) +
                    " values, expected " + llvm::Twine(2 * n));
      pads = *p;
    } else {
      pads.assign(2 * n, 0);
    }
    for (int64_t p : pads)
      if (p < 0)
        return fail("negative pads are not supported");
    return true;
  }
  pads.assign(2 * n, 0);
  if (autoPad == "VALID")
    return true;
  if (autoPad != "SAME_UPPER" && autoPad != "SAME_LOWER")
    return fail("unknown auto_pad '" + autoPad + "'");
  for (size_t d = 0; d < n; ++d) {
    if (strides[d] < 1 || kernel[d] < 1)
      return fail("strides and kernel sizes must be positive");
    int64_t out = (in[d] + strides[d] - 1) / strides[d];
    int64_t effective = 0;
    if (!mulSizes(dilations[d], kernel[d] - 1, effective,
                  "the dilated kernel of dim " + llvm::Twine(d)))
      return false;
    effective += 1;
    int64_t total =
        std::max<int64_t>(0, (out - 1) * strides[d] + effective - in[d]);
    int64_t small = total / 2, big = total - small;
    pads[d] = autoPad == "SAME_UPPER" ? small : big;
    pads[d + n] = autoPad == "SAME_UPPER" ? big : small;
  }
  return true;
}

//===----------------------------------------------------------------------===//
// Constants and shape arithmetic
//===----------------------------------------------------------------------===//

bool GraphImporter::convertConstant() {
  if (node->attribute_size() != 1)
    return fail("expects exactly one value attribute");
  const onnx::AttributeProto &a = node->attribute(0);
  HostTensor h;
  if (a.name() == "value") {
    if (auto err = readTensorProto(a.t(), h))
      return fail(*err);
  } else if (a.name() == "value_float") {
    h.dtype = TP::FLOAT;
    h.f = {a.f()};
  } else if (a.name() == "value_floats") {
    h.dtype = TP::FLOAT;
    h.f.assign(a.floats().begin(), a.floats().end());
    h.shape = {static_cast<int64_t>(h.f.size())};
  } else if (a.name() == "value_int") {
    h.dtype = TP::INT64;
    h.i = {a.i()};
  } else if (a.name() == "value_ints") {
    h.dtype = TP::INT64;
    h.i.assign(a.ints().begin(), a.ints().end());
    h.shape = {static_cast<int64_t>(h.i.size())};
  } else {
    return fail("'" + a.name() + "' constants are not supported");
  }
  setHost(0, std::move(h));
  return true;
}

bool GraphImporter::convertIdentity() {
  alias(0, 0);
  return true;
}

bool GraphImporter::convertDropout() {
  if (outputUsed(1))
    return fail("the mask output is not supported");
  if (sinceVersion >= 12 && has(2)) {
    const HostTensor *t = host(2);
    if (!t)
      return fail("training_mode must be a constant");
    if (t->get(0) != 0)
      return fail("training_mode = true is not supported");
  }
  alias(0, 0);
  return true;
}

bool GraphImporter::convertCast() {
  int32_t to = static_cast<int32_t>(attrInt("to", TP::FLOAT));
  if (const HostTensor *h = host(0)) {
    if (h->dtype == TP::STRING || to == TP::STRING)
      return fail("string casts are not supported");
    setHost(0, castTensor(*h, to));
    return true;
  }
  if (to != TP::FLOAT)
    return fail("cast of runtime tensor '" + node->input(0) + "' to " +
                dataTypeName(to) + "; runtime tensors must be float (f32)");
  alias(0, 0);
  return true;
}

bool GraphImporter::convertShape() {
  const Shape &s = shapeOf(0);
  int64_t rank = s.size();
  int64_t start = attrInt("start", 0), end = attrInt("end", rank);
  if (start < 0)
    start += rank;
  if (end < 0)
    end += rank;
  start = std::clamp<int64_t>(start, 0, rank);
  end = std::clamp<int64_t>(end, 0, rank);
  HostTensor h;
  h.dtype = TP::INT64;
  for (int64_t d = start; d < end; ++d)
    h.i.push_back(s[d]);
  h.shape = {static_cast<int64_t>(h.i.size())};
  setHost(0, std::move(h));
  return true;
}

bool GraphImporter::convertSize() {
  HostTensor h;
  h.dtype = TP::INT64;
  h.i = {numElements(shapeOf(0))};
  setHost(0, std::move(h));
  return true;
}

bool GraphImporter::convertGather() {
  const Shape &data = shapeOf(0);
  int64_t rank = data.size();
  int64_t axis = attrInt("axis", 0);
  if (!normalizeAxis(axis, rank))
    return false;
  const HostTensor *ind = host(1);
  if (!ind || ind->isFloat())
    return fail("indices must be a constant integer tensor");
  Shape indices(ind->i.begin(), ind->i.end());
  for (int64_t &k : indices) {
    if (k < 0)
      k += data[axis];
    if (k < 0 || k >= data[axis])
      return fail("index out of range for dim of size " +
                  llvm::Twine(data[axis]));
  }
  Shape outShape(data.begin(), data.begin() + axis);
  outShape.append(ind->shape.begin(), ind->shape.end());
  outShape.append(data.begin() + axis + 1, data.end());

  if (!checkShape(outShape, "the result"))
    return false;
  if (const HostTensor *h = host(0)) {
    if (!checkFold(outShape))
      return false;
    int64_t outer = numElements(ArrayRef<int64_t>(data).take_front(axis));
    int64_t inner = numElements(ArrayRef<int64_t>(data).drop_front(axis + 1));
    std::vector<int64_t> index;
    index.reserve(outer * indices.size() * inner);
    for (int64_t o = 0; o < outer; ++o)
      for (int64_t k : indices)
        for (int64_t in = 0; in < inner; ++in)
          index.push_back((o * data[axis] + k) * inner + in);
    setHost(0, gatherElements(*h, outShape, index));
    return true;
  }
  // Runtime data, constant indices: one slice per index, concatenated.
  Value v = rt(0);
  if (!v)
    return false;
  if (indices.empty())
    return fail("empty indices are not supported");
  llvm::SmallVector<Value> parts;
  for (int64_t k : indices)
    parts.push_back(crop(v, axis, k, k + 1));
  Value joined = parts.front();
  if (parts.size() > 1) {
    Shape s(data);
    s[axis] = parts.size();
    joined = av::ConcatOp::create(b, loc, f32(s), parts,
                                  static_cast<uint64_t>(axis));
  }
  setOut(0, reshape(joined, outShape));
  return true;
}

bool GraphImporter::convertUnsqueeze() {
  Shape axes;
  if (sinceVersion >= 13) {
    if (!hostInts(1, axes, "axes"))
      return false;
  } else {
    axes = attrInts("axes").value_or(Shape());
  }
  int64_t outRank = rankOf(0) + axes.size();
  llvm::SmallVector<bool> isNew(outRank, false);
  for (int64_t a : axes) {
    if (!normalizeAxis(a, outRank))
      return false;
    if (isNew[a])
      return fail("repeated axis " + llvm::Twine(a));
    isNew[a] = true;
  }
  Shape out;
  const Shape &in = shapeOf(0);
  size_t k = 0;
  for (int64_t d = 0; d < outRank; ++d)
    out.push_back(isNew[d] ? 1 : in[k++]);
  return reshapeTo(out);
}

bool GraphImporter::convertSqueeze() {
  Shape axes;
  bool haveAxes = false;
  if (sinceVersion >= 13) {
    if (has(1)) {
      if (!hostInts(1, axes, "axes"))
        return false;
      haveAxes = true;
    }
  } else if (auto a = attrInts("axes")) {
    axes = *a;
    haveAxes = true;
  }
  const Shape &in = shapeOf(0);
  int64_t rank = in.size();
  llvm::SmallVector<bool> drop(rank, false);
  if (haveAxes) {
    for (int64_t a : axes) {
      if (!normalizeAxis(a, rank))
        return false;
      if (in[a] != 1)
        return fail("cannot squeeze dim " + llvm::Twine(a) + " of size " +
                    llvm::Twine(in[a]));
      drop[a] = true;
    }
  } else {
    for (int64_t d = 0; d < rank; ++d)
      drop[d] = in[d] == 1;
  }
  Shape out;
  for (int64_t d = 0; d < rank; ++d)
    if (!drop[d])
      out.push_back(in[d]);
  return reshapeTo(out);
}

bool GraphImporter::convertConcat() {
  if (node->input_size() == 0)
    return fail("needs at least one input");
  int64_t rank = rankOf(0);
  int64_t axis = attrInt("axis", 0);
  if (!normalizeAxis(axis, rank))
    return false;
  Shape out(shapeOf(0));
  out[axis] = 0;
  for (int i = 0; i < node->input_size(); ++i) {
    const Shape &s = shapeOf(i);
    if (static_cast<int64_t>(s.size()) != rank)
      return fail("inputs have different ranks");
    for (int64_t d = 0; d < rank; ++d)
      if (d != axis && s[d] != out[d])
        return fail("input " + llvm::Twine(i) + " of shape " + shapeStr(s) +
                    " differs from input 0 " + shapeStr(shapeOf(0)) +
                    " outside axis " + llvm::Twine(axis));
    if (!addSizes(out[axis], s[axis], out[axis], "the concatenated dim"))
      return false;
  }
  if (!checkShape(out, "the result"))
    return false;
  if (allHost()) {
    if (!checkFold(out))
      return false;
    int64_t outer = numElements(ArrayRef<int64_t>(out).take_front(axis));
    int64_t inner = numElements(ArrayRef<int64_t>(out).drop_front(axis + 1));
    HostTensor r = HostTensor::zeros(host(0)->dtype, out);
    int64_t offset = 0;
    for (int i = 0; i < node->input_size(); ++i) {
      const HostTensor &h = *host(i);
      if (h.isFloat() != r.isFloat())
        return fail("inputs have different element types");
      int64_t len = h.shape[axis] * inner;
      for (int64_t o = 0; o < outer; ++o)
        for (int64_t k = 0; k < len; ++k) {
          int64_t dst = o * out[axis] * inner + offset + k;
          if (r.isFloat())
            r.f[dst] = h.f[o * len + k];
          else
            r.i[dst] = h.i[o * len + k];
        }
      offset += len;
    }
    setHost(0, std::move(r));
    return true;
  }
  llvm::SmallVector<Value> parts;
  for (int i = 0; i < node->input_size(); ++i) {
    if (numElements(shapeOf(i)) == 0)
      continue;
    Value v = rt(i);
    if (!v)
      return false;
    parts.push_back(v);
  }
  if (parts.size() == 1) {
    setOut(0, parts.front());
    return true;
  }
  setOut(0, av::ConcatOp::create(b, loc, f32(out), parts,
                                 static_cast<uint64_t>(axis)));
  return true;
}

bool GraphImporter::convertSlice() {
  const Shape &in = shapeOf(0);
  int64_t rank = in.size();
  Shape starts, ends, axes, steps;
  if (sinceVersion < 10) {
    starts = attrInts("starts").value_or(Shape());
    ends = attrInts("ends").value_or(Shape());
    axes = attrInts("axes").value_or(Shape());
  } else {
    if (!hostInts(1, starts, "starts") || !hostInts(2, ends, "ends"))
      return false;
    if (has(3) && !hostInts(3, axes, "axes"))
      return false;
    if (has(4) && !hostInts(4, steps, "steps"))
      return false;
  }
  if (axes.empty())
    for (size_t k = 0; k < starts.size(); ++k)
      axes.push_back(k);
  if (steps.empty())
    steps.assign(starts.size(), 1);
  if (ends.size() != starts.size() || axes.size() != starts.size() ||
      steps.size() != starts.size())
    return fail("starts, ends, axes and steps differ in length");
  Shape begin(rank, 0), step(rank, 1), out(in);
  for (size_t k = 0; k < starts.size(); ++k) {
    int64_t a = axes[k];
    if (!normalizeAxis(a, rank))
      return false;
    int64_t dim = in[a], s = starts[k], e = ends[k], st = steps[k];
    if (st == 0)
      return fail("step 0");
    // A step past the dim takes at most one element, as any such step does.
    st = std::clamp<int64_t>(st, -(dim + 1), dim + 1);
    if (s < 0)
      s += dim;
    if (e < 0)
      e += dim;
    if (st > 0) {
      s = std::clamp<int64_t>(s, 0, dim);
      e = std::clamp<int64_t>(e, 0, dim);
      out[a] = std::max<int64_t>(0, (e - s + st - 1) / st);
    } else {
      s = std::clamp<int64_t>(s, 0, dim - 1);
      e = std::clamp<int64_t>(e, -1, dim - 1);
      out[a] = std::max<int64_t>(0, (s - e + (-st) - 1) / (-st));
    }
    begin[a] = s;
    step[a] = st;
  }
  if (const HostTensor *h = host(0)) {
    std::vector<int64_t> inStrides(rank, 1);
    for (int64_t d = rank - 1; d > 0; --d)
      inStrides[d - 1] = inStrides[d] * in[d];
    auto index = offsetsByIndex(out, [&](ArrayRef<int64_t> idx) {
      int64_t off = 0;
      for (int64_t d = 0; d < rank; ++d)
        off += (begin[d] + idx[d] * step[d]) * inStrides[d];
      return off;
    });
    setHost(0, gatherElements(*h, out, index));
    return true;
  }
  Value v = rt(0);
  if (!v)
    return false;
  for (int64_t d = 0; d < rank; ++d) {
    if (out[d] == 0)
      return fail("the slice is empty");
    if (step[d] == 1 || out[d] == 1) {
      v = crop(v, d, begin[d], begin[d] + out[d]);
      continue;
    }
    v = strided(v, d, begin[d], step[d], out[d]);
    if (!v)
      return false;
  }
  setOut(0, v);
  return true;
}

bool GraphImporter::convertSplit() {
  const Shape &in = shapeOf(0);
  int64_t axis = attrInt("axis", 0);
  if (!normalizeAxis(axis, in.size()))
    return false;
  Shape sizes;
  if (sinceVersion >= 13) {
    if (has(1) && !hostInts(1, sizes, "split"))
      return false;
  } else if (auto s = attrInts("split")) {
    sizes = *s;
  }
  int n = node->output_size();
  if (sizes.empty()) {
    if (in[axis] % n != 0)
      return fail("dim of size " + llvm::Twine(in[axis]) +
                  " does not split evenly into " + llvm::Twine(n));
    sizes.assign(n, in[axis] / n);
  }
  if (static_cast<int>(sizes.size()) != n)
    return fail("split has " + llvm::Twine(sizes.size()) + " sizes for " +
                llvm::Twine(n) + " outputs");
  int64_t total = 0;
  for (int64_t size : sizes) {
    if (size < 0)
      return fail("split sizes must not be negative");
    if (!addSizes(total, size, total, "the sum of the split sizes"))
      return false;
  }
  if (total != in[axis])
    return fail("split sizes do not add up to the dim");
  int64_t offset = 0;
  for (int k = 0; k < n; ++k) {
    if (sizes[k] <= 0)
      return fail("empty split outputs are not supported");
    if (const HostTensor *h = host(0)) {
      int64_t outer = numElements(ArrayRef<int64_t>(in).take_front(axis));
      int64_t inner = numElements(ArrayRef<int64_t>(in).drop_front(axis + 1));
      Shape s(in);
      s[axis] = sizes[k];
      std::vector<int64_t> index;
      for (int64_t o = 0; o < outer; ++o)
        for (int64_t j = 0; j < sizes[k] * inner; ++j)
          index.push_back((o * in[axis] + offset) * inner + j);
      setHost(k, gatherElements(*h, s, index));
    } else {
      Value v = rt(0);
      if (!v)
        return false;
      setOut(k, crop(v, axis, offset, offset + sizes[k]));
    }
    offset += sizes[k];
  }
  return true;
}

bool GraphImporter::convertReshape() {
  Shape target;
  if (!hostInts(1, target, "the shape input"))
    return false;
  bool allowZero = attrInt("allowzero", 0) != 0;
  const Shape &in = shapeOf(0);
  int64_t known = 1, inferAt = -1;
  for (size_t d = 0; d < target.size(); ++d) {
    if (target[d] == 0 && !allowZero) {
      if (d >= in.size())
        return fail("shape entry 0 at dim " + llvm::Twine(d) +
                    " has no input dim to copy");
      target[d] = in[d];
    }
    if (target[d] == -1) {
      if (inferAt >= 0)
        return fail("more than one -1 in the shape");
      inferAt = d;
      continue;
    }
    if (target[d] < 0)
      return fail("negative dim in the shape");
    if (!mulSizes(known, target[d], known, "the shape " + shapeStr(target)))
      return false;
  }
  int64_t total = numElements(in);
  if (inferAt >= 0) {
    if (known == 0 || total % known != 0)
      return fail("cannot infer the -1 dim of " + shapeStr(target) + " from " +
                  shapeStr(in));
    target[inferAt] = total / known;
  }
  if (numElements(target) != total)
    return fail("cannot reshape " + shapeStr(in) + " to " + shapeStr(target));
  return reshapeTo(target);
}

bool GraphImporter::convertFlatten() {
  const Shape &in = shapeOf(0);
  int64_t rank = in.size();
  int64_t axis = attrInt("axis", 1);
  if (axis < 0)
    axis += rank;
  if (axis < 0 || axis > rank)
    return fail("axis out of range");
  int64_t outer = numElements(ArrayRef<int64_t>(in).take_front(axis));
  Shape out = {outer, numElements(in) / std::max<int64_t>(outer, 1)};
  if (outer == 0)
    out[1] = numElements(ArrayRef<int64_t>(in).drop_front(axis));
  if (host(0))
    return reshapeTo(out);
  Value v = rt(0);
  if (!v)
    return false;
  setOut(0, av::FlattenOp::create(b, loc, f32(out), v,
                                  static_cast<uint64_t>(axis)));
  return true;
}

bool GraphImporter::convertTranspose() {
  int64_t rank = rankOf(0);
  Shape perm;
  if (auto p = attrInts("perm")) {
    perm = *p;
  } else {
    for (int64_t d = rank - 1; d >= 0; --d)
      perm.push_back(d);
  }
  if (static_cast<int64_t>(perm.size()) != rank)
    return fail("perm has the wrong length");
  llvm::SmallVector<bool> seen(rank, false);
  for (int64_t p : perm) {
    if (p < 0 || p >= rank || seen[p])
      return fail("perm " + shapeStr(perm) + " is not a permutation of 0.." +
                  llvm::Twine(rank - 1));
    seen[p] = true;
  }
  if (const HostTensor *h = host(0)) {
    setHost(0, transposeTensor(*h, perm));
    return true;
  }
  Value v = rt(0);
  if (!v)
    return false;
  bool identity = true;
  Shape out;
  for (int64_t d = 0; d < rank; ++d) {
    identity &= perm[d] == d;
    out.push_back(shapeOf(0)[perm[d]]);
  }
  setOut(0, identity ? v : av::TransposeOp::create(b, loc, f32(out), v, perm));
  return true;
}

bool GraphImporter::convertConstantOfShape() {
  Shape s;
  if (!hostInts(0, s, "the shape"))
    return false;
  HostTensor value;
  value.f = {0.0f};
  if (auto *a = attr("value"))
    if (auto err = readTensorProto(a->t(), value))
      return fail(*err);
  if (value.size() != 1)
    return fail("value must have one element");
  if (!checkFold(s))
    return false;
  HostTensor r = HostTensor::zeros(value.dtype, s);
  if (r.isFloat())
    std::fill(r.f.begin(), r.f.end(), value.f[0]);
  else
    std::fill(r.i.begin(), r.i.end(), value.i[0]);
  setHost(0, std::move(r));
  return true;
}

bool GraphImporter::convertRange() {
  if (!allHost())
    return fail("start, limit and delta must be constants");
  const HostTensor &start = *host(0);
  for (int i = 0; i < 3; ++i)
    if (host(i)->size() != 1 || host(i)->isFloat() != start.isFloat())
      return fail("start, limit and delta must be scalars of one type");
  double s = start.get(0), l = host(1)->get(0), d = host(2)->get(0);
  if (d == 0)
    return fail("delta is 0");
  // The count in double first: it is checked before it becomes an int.
  double count = std::ceil((l - s) / d);
  if (std::isnan(count))
    return fail("start, limit and delta give no element count");
  if (count > double(av::kMaxFoldElements))
    return fail("folding it at import would materialize " +
                llvm::formatv("{0:E2}", count).str() +
                " elements, which exceeds the fold budget of 2^24 elements");
  int64_t n = std::max<int64_t>(0, static_cast<int64_t>(count));
  HostTensor r = HostTensor::zeros(start.dtype, {n});
  for (int64_t k = 0; k < n; ++k) {
    if (r.isFloat())
      r.f[k] = static_cast<float>(s + k * d);
    else // wraps like the integer arithmetic it stands for
      r.i[k] = static_cast<int64_t>(
          static_cast<uint64_t>(start.i[0]) +
          static_cast<uint64_t>(k) * static_cast<uint64_t>(host(2)->i[0]));
  }
  setHost(0, std::move(r));
  return true;
}

bool GraphImporter::convertExpand() {
  Shape target;
  if (!hostInts(1, target, "the shape input"))
    return false;
  Shape in = shapeOf(0);
  auto out = broadcastAll({in, target});
  if (!out)
    return fail("cannot expand " + shapeStr(in) + " to " + shapeStr(target));
  if (!checkShape(*out, "the result"))
    return false;
  if (const HostTensor *h = host(0)) {
    if (!checkFold(*out))
      return false;
    setHost(0, gatherElements(*h, *out, broadcastOffsets(in, *out)));
    return true;
  }
  Value v = rt(0);
  if (!v)
    return false;
  if (ArrayRef<int64_t>(*out) == ArrayRef<int64_t>(in)) {
    setOut(0, v);
    return true;
  }
  // x + zeros, where the zeros only carry the dims x lacks.
  Shape zerosShape(*out);
  size_t off = out->size() - in.size();
  for (size_t d = 0; d < in.size(); ++d)
    if (in[d] == (*out)[off + d])
      zerosShape[off + d] = 1;
  if (!checkFold(zerosShape))
    return false;
  std::vector<float> zeros(numElements(zerosShape), 0.0f);
  Value z = constant(zerosShape, zeros, node->output(0) + "_zeros");
  Value r = binary(av::BinaryKind::add, v, z);
  if (!r)
    return false;
  setOut(0, r);
  return true;
}

//===----------------------------------------------------------------------===//
// Elementwise
//===----------------------------------------------------------------------===//

/// Evaluates a broadcasting elementwise op over host tensors.
template <typename FloatFn, typename IntFn>
std::optional<HostTensor> foldElementwise(ArrayRef<const HostTensor *> ins,
                                          int32_t outType, FloatFn ff,
                                          IntFn fi) {
  llvm::SmallVector<Shape> shapes;
  for (const HostTensor *h : ins)
    shapes.push_back(h->shape);
  auto out = broadcastAll(shapes);
  if (!out)
    return std::nullopt;
  llvm::SmallVector<std::vector<int64_t>> offsets;
  for (const HostTensor *h : ins)
    offsets.push_back(broadcastOffsets(h->shape, *out));
  HostTensor r = HostTensor::zeros(outType, *out);
  bool floatIn = ins.front()->isFloat();
  llvm::SmallVector<double> args(ins.size());
  for (int64_t k = 0, n = r.size(); k < n; ++k) {
    for (size_t j = 0; j < ins.size(); ++j)
      args[j] = ins[j]->get(offsets[j][k]);
    if (floatIn) {
      double v = ff(args);
      if (r.isFloat())
        r.f[k] = static_cast<float>(v);
      else
        r.i[k] = v != 0; // comparisons: bool results
      continue;
    }
    llvm::SmallVector<int64_t> iargs;
    for (size_t j = 0; j < ins.size(); ++j)
      iargs.push_back(ins[j]->i[offsets[j][k]]);
    int64_t v = fi(iargs);
    if (r.isFloat())
      r.f[k] = static_cast<float>(v);
    else
      r.i[k] = v;
  }
  return r;
}

bool GraphImporter::convertBinary() {
  StringRef op = node->op_type();
  av::BinaryKind kind = llvm::StringSwitch<av::BinaryKind>(op)
                            .Case("Sub", av::BinaryKind::sub)
                            .Case("Mul", av::BinaryKind::mul)
                            .Case("Div", av::BinaryKind::div)
                            .Case("Max", av::BinaryKind::max)
                            .Case("Min", av::BinaryKind::min)
                            .Case("Pow", av::BinaryKind::pow)
                            .Default(av::BinaryKind::add);
  int n = node->input_size();
  if (n == 0)
    return fail("needs at least one input");

  if (allHost()) {
    // Fold pairwise, left to right.
    HostTensor acc = *host(0);
    for (int i = 1; i < n; ++i) {
      const HostTensor *rhs = host(i);
      HostTensor rhsCast;
      if (rhs->isFloat() != acc.isFloat()) {
        if (op != "Pow")
          return fail("operands have different element types");
        rhsCast = castTensor(*rhs, acc.dtype);
        rhs = &rhsCast;
      }
      auto ff = [&](ArrayRef<double> a) -> double {
        switch (kind) {
        case av::BinaryKind::add:
          return a[0] + a[1];
        case av::BinaryKind::sub:
          return a[0] - a[1];
        case av::BinaryKind::mul:
          return a[0] * a[1];
        case av::BinaryKind::div:
          return a[0] / a[1];
        case av::BinaryKind::max:
          return std::max(a[0], a[1]);
        case av::BinaryKind::min:
          return std::min(a[0], a[1]);
        case av::BinaryKind::pow:
          return std::pow(a[0], a[1]);
        }
        return 0;
      };
      // Integer arithmetic wraps around in two's complement (as numpy and
      // ONNX Runtime do) and divides toward zero; the results are wrapped to
      // the element type below.
      bool divByZero = false, negativeExponent = false;
      auto fi = [&](ArrayRef<int64_t> a) -> int64_t {
        uint64_t ua = static_cast<uint64_t>(a[0]),
                 ub = static_cast<uint64_t>(a[1]);
        switch (kind) {
        case av::BinaryKind::add:
          return static_cast<int64_t>(ua + ub);
        case av::BinaryKind::sub:
          return static_cast<int64_t>(ua - ub);
        case av::BinaryKind::mul:
          return static_cast<int64_t>(ua * ub);
        case av::BinaryKind::div:
          if (a[1] == 0) {
            divByZero = true;
            return 0;
          }
          if (a[1] == -1) // INT64_MIN / -1 wraps to INT64_MIN
            return static_cast<int64_t>(0 - ua);
          return a[0] / a[1];
        case av::BinaryKind::max:
          return std::max(a[0], a[1]);
        case av::BinaryKind::min:
          return std::min(a[0], a[1]);
        case av::BinaryKind::pow: {
          if (a[1] < 0) {
            negativeExponent = true;
            return 0;
          }
          uint64_t base = ua, r = 1;
          for (uint64_t e = ub; e; e >>= 1, base *= base)
            if (e & 1)
              r *= base;
          return static_cast<int64_t>(r);
        }
        }
        return 0;
      };
      auto shape = broadcastAll({acc.shape, rhs->shape});
      if (!shape)
        return fail("shapes " + shapeStr(acc.shape) + " and " +
                    shapeStr(rhs->shape) + " do not broadcast");
      if (!checkFold(*shape))
        return false;
      const HostTensor *args[] = {&acc, rhs};
      auto r = foldElementwise(args, acc.dtype, ff, fi);
      if (divByZero)
        return fail("integer division by zero");
      if (negativeExponent)
        return fail("integer Pow with a negative exponent");
      acc = castTensor(*r, acc.dtype); // wraps integers to the type
    }
    if (op == "Mean") {
      if (!acc.isFloat())
        return fail("Mean needs float inputs");
      for (float &v : acc.f)
        v /= n;
    }
    setHost(0, std::move(acc));
    return true;
  }

  if (n == 1) {
    alias(0, 0);
    return true;
  }
  // A constant integer exponent of Pow becomes an f32 constant.
  auto operand = [&](int i) -> Value {
    const HostTensor *h = host(i);
    if (op == "Pow" && i == 1 && h && !h->isFloat()) {
      HostTensor f = castTensor(*h, TP::FLOAT);
      return materialize(f, node->input(i), loc);
    }
    return rt(i);
  };
  Value acc = operand(0);
  if (!acc)
    return false;
  for (int i = 1; i < n; ++i) {
    Value rhs = operand(i);
    if (!rhs)
      return false;
    acc = binary(kind, acc, rhs);
    if (!acc)
      return false;
  }
  if (op == "Mean")
    acc = binary(av::BinaryKind::div, acc, scalarLike(float(n), acc));
  if (!acc)
    return false;
  setOut(0, acc);
  return true;
}

bool GraphImporter::convertCompare() {
  if (!allHost())
    return fail("comparisons of runtime tensors are not supported (they "
                "would produce a bool tensor)");
  StringRef op = node->op_type();
  const HostTensor *a = host(0), *c = host(1);
  if (a->isFloat() != c->isFloat())
    return fail("operands have different element types");
  auto cmp = [&](double x, double y) -> double {
    if (op == "Equal")
      return x == y;
    if (op == "Less")
      return x < y;
    if (op == "Greater")
      return x > y;
    if (op == "LessOrEqual")
      return x <= y;
    return x >= y;
  };
  auto ff = [&](ArrayRef<double> v) { return cmp(v[0], v[1]); };
  auto fi = [&](ArrayRef<int64_t> v) -> int64_t {
    if (op == "Equal")
      return v[0] == v[1];
    if (op == "Less")
      return v[0] < v[1];
    if (op == "Greater")
      return v[0] > v[1];
    if (op == "LessOrEqual")
      return v[0] <= v[1];
    return v[0] >= v[1];
  };
  auto shape = broadcastAll({a->shape, c->shape});
  if (!shape)
    return fail("shapes do not broadcast");
  if (!checkFold(*shape))
    return false;
  const HostTensor *args[] = {a, c};
  auto r = foldElementwise(args, TP::BOOL, ff, fi);
  setHost(0, std::move(*r));
  return true;
}

bool GraphImporter::convertWhere() {
  if (!allHost())
    return fail("Where on runtime tensors is not supported");
  const HostTensor *c = host(0), *x = host(1), *y = host(2);
  if (x->isFloat() != y->isFloat())
    return fail("operands have different element types");
  auto out = broadcastAll({c->shape, x->shape, y->shape});
  if (!out)
    return fail("shapes do not broadcast");
  if (!checkFold(*out))
    return false;
  auto oc = broadcastOffsets(c->shape, *out);
  auto ox = broadcastOffsets(x->shape, *out);
  auto oy = broadcastOffsets(y->shape, *out);
  HostTensor r = HostTensor::zeros(x->dtype, *out);
  for (int64_t k = 0, n = r.size(); k < n; ++k) {
    bool take = c->get(oc[k]) != 0;
    if (r.isFloat())
      r.f[k] = take ? x->f[ox[k]] : y->f[oy[k]];
    else
      r.i[k] = take ? x->i[ox[k]] : y->i[oy[k]];
  }
  setHost(0, std::move(r));
  return true;
}

bool GraphImporter::convertNot() {
  const HostTensor *h = host(0);
  if (!h)
    return fail("Not on runtime tensors is not supported");
  HostTensor r = *h;
  for (int64_t &v : r.i)
    v = !v;
  setHost(0, std::move(r));
  return true;
}

bool GraphImporter::convertUnary() {
  StringRef op = node->op_type();
  std::optional<av::UnaryKind> kind =
      llvm::StringSwitch<std::optional<av::UnaryKind>>(op)
          .Case("Relu", av::UnaryKind::relu)
          .Case("Sigmoid", av::UnaryKind::sigmoid)
          .Case("Tanh", av::UnaryKind::tanh)
          .Case("LeakyRelu", av::UnaryKind::leaky_relu)
          .Case("HardSigmoid", av::UnaryKind::hard_sigmoid)
          .Case("HardSwish", av::UnaryKind::hard_swish)
          .Case("Exp", av::UnaryKind::exp)
          .Case("Log", av::UnaryKind::log)
          .Case("Sqrt", av::UnaryKind::sqrt)
          .Case("Erf", av::UnaryKind::erf)
          .Case("Neg", av::UnaryKind::neg)
          .Case("Abs", av::UnaryKind::abs)
          .Default(std::nullopt);
  float alpha = 0, beta = 0;
  if (op == "LeakyRelu")
    alpha = attrFloat("alpha", 0.01f);
  if (op == "HardSigmoid") {
    alpha = attrFloat("alpha", 0.2f);
    beta = attrFloat("beta", 0.5f);
  }

  if (const HostTensor *h = host(0)) {
    HostTensor r = *h;
    auto apply = [&](double x) -> double {
      if (op == "Relu")
        return std::max(x, 0.0);
      if (op == "Sigmoid")
        return 1.0 / (1.0 + std::exp(-x));
      if (op == "Tanh")
        return std::tanh(x);
      if (op == "LeakyRelu")
        return x < 0 ? alpha * x : x;
      if (op == "HardSigmoid")
        return std::clamp(alpha * x + beta, 0.0, 1.0);
      if (op == "HardSwish")
        return x * std::clamp(x / 6.0 + 0.5, 0.0, 1.0);
      if (op == "Exp")
        return std::exp(x);
      if (op == "Log")
        return std::log(x);
      if (op == "Sqrt")
        return std::sqrt(x);
      if (op == "Erf")
        return std::erf(x);
      if (op == "Neg")
        return -x;
      if (op == "Abs")
        return std::abs(x);
      if (op == "Reciprocal")
        return 1.0 / x;
      if (op == "Floor")
        return std::floor(x);
      if (op == "Ceil")
        return std::ceil(x);
      return x;
    };
    if (r.isFloat()) {
      for (float &v : r.f)
        v = static_cast<float>(apply(v));
    } else {
      // Integer Neg, Abs and Relu stay integer (wrapping, as ONNX Runtime
      // does: Neg(INT64_MIN) is INT64_MIN); the others go through double.
      for (int64_t &v : r.i) {
        uint64_t u = static_cast<uint64_t>(v);
        if (op == "Neg" || (op == "Abs" && v < 0))
          v = static_cast<int64_t>(0 - u);
        else if (op == "Relu")
          v = std::max<int64_t>(v, 0);
        else if (op != "Abs")
          v = floatToInt(apply(static_cast<double>(v)), r.dtype);
      }
      r = castTensor(r, r.dtype); // wraps to the element type
    }
    setHost(0, std::move(r));
    return true;
  }
  Value v = rt(0);
  if (!v)
    return false;
  if (op == "Reciprocal") {
    Value r = binary(av::BinaryKind::div, scalarLike(1.0f, v), v);
    if (!r)
      return false;
    setOut(0, reshape(r, shapeOfValue(v)));
    return true;
  }
  if (!kind)
    return fail(op + " of a runtime tensor is not supported");
  setOut(0, unary(*kind, v, alpha, beta));
  return true;
}

bool GraphImporter::convertClip() {
  float lo = std::numeric_limits<float>::lowest();
  float hi = std::numeric_limits<float>::max();
  if (sinceVersion < 11) {
    lo = attrFloat("min", lo);
    hi = attrFloat("max", hi);
  } else {
    if (has(1) && !hostFloat(1, lo, "min"))
      return false;
    if (has(2) && !hostFloat(2, hi, "max"))
      return false;
  }
  if (const HostTensor *h = host(0)) {
    HostTensor r = *h;
    for (float &v : r.f)
      v = std::min(std::max(v, lo), hi);
    for (int64_t &v : r.i)
      v = floatToInt(
          std::min(std::max(static_cast<double>(v), double(lo)), double(hi)),
          r.dtype);
    setHost(0, std::move(r));
    return true;
  }
  Value v = rt(0);
  if (!v)
    return false;
  if (lo > hi) // ONNX: every value becomes max
    lo = hi;
  setOut(0, unary(av::UnaryKind::clip, v, lo, hi));
  return true;
}

//===----------------------------------------------------------------------===//
// Convolution, pooling, normalization, matrix products
//===----------------------------------------------------------------------===//

bool GraphImporter::convertConv() {
  const Shape &x = shapeOf(0), &w = shapeOf(1);
  int64_t rank = x.size();
  if (rank != 3 && rank != 4)
    return fail("only 1-D and 2-D convolutions are supported (input rank " +
                llvm::Twine(rank) + ")");
  if (static_cast<int64_t>(w.size()) != rank)
    return fail("weight rank differs from input rank");
  int64_t sp = rank - 2;
  Shape kernel(w.begin() + 2, w.end());
  if (auto k = attrInts("kernel_shape"))
    if (ArrayRef<int64_t>(*k) != ArrayRef<int64_t>(kernel))
      return fail("kernel_shape differs from the weight shape");
  Shape strides = attrInts("strides").value_or(Shape(sp, 1));
  Shape dilations = attrInts("dilations").value_or(Shape(sp, 1));
  if (static_cast<int64_t>(strides.size()) != sp ||
      static_cast<int64_t>(dilations.size()) != sp)
    return fail("strides/dilations have the wrong length");
  int64_t group = attrInt("group", 1);
  Shape pads;
  if (!resolveAutoPad(ArrayRef<int64_t>(x).drop_front(2), kernel, strides,
                      dilations, pads))
    return false;
  // 1-D convolutions run as 2-D ones with a unit height.
  Shape x4(x), w4(w);
  if (sp == 1) {
    x4.insert(x4.begin() + 2, 1);
    w4.insert(w4.begin() + 2, 1);
    kernel.insert(kernel.begin(), 1);
    strides.insert(strides.begin(), 1);
    dilations.insert(dilations.begin(), 1);
    pads = {0, pads[0], 0, pads[1]};
  }
  if (group < 1 || x4[1] % group != 0 || w4[1] * group != x4[1])
    return fail("weight " + shapeStr(w) + " does not match input " +
                shapeStr(x) + " with group " + llvm::Twine(group));
  Shape out = {x4[0], w4[0], 0, 0};
  for (int d = 0; d < 2; ++d) {
    out[2 + d] =
        av::slidingWindowOutputSize(x4[2 + d], kernel[d], strides[d], pads[d],
                                    pads[d + 2], dilations[d], false);
    if (out[2 + d] <= 0)
      return fail("the kernel does not fit the input");
  }
  Value input = rtReshaped(0, x4);
  Value weight = input ? rtReshaped(1, w4) : Value();
  if (!weight)
    return false;
  Value bias;
  if (has(2)) {
    if (shapeOf(2) != Shape{w[0]})
      return fail("bias must have shape [" + llvm::Twine(w[0]) + "]");
    bias = rt(2);
    if (!bias)
      return false;
  }
  Value y = av::Conv2DOp::create(b, loc, f32(out), input, weight, bias, strides,
                                 pads, dilations, static_cast<uint64_t>(group));
  if (sp == 1)
    y = reshape(y, {out[0], out[1], out[3]});
  setOut(0, y);
  return true;
}

bool GraphImporter::convertPool() {
  bool isMax = node->op_type() == "MaxPool";
  if (isMax && outputUsed(1))
    return fail("the Indices output is not supported");
  if (attrInt("storage_order", 0) != 0)
    return fail("storage_order must be 0");
  const Shape &x = shapeOf(0);
  int64_t rank = x.size();
  if (rank != 3 && rank != 4)
    return fail("only 1-D and 2-D pooling is supported (input rank " +
                llvm::Twine(rank) + ")");
  int64_t sp = rank - 2;
  auto kernelAttr = attrInts("kernel_shape");
  if (!kernelAttr || static_cast<int64_t>(kernelAttr->size()) != sp)
    return fail("kernel_shape is missing or has the wrong length");
  Shape kernel = *kernelAttr;
  Shape strides = attrInts("strides").value_or(Shape(sp, 1));
  Shape dilations = attrInts("dilations").value_or(Shape(sp, 1));
  if (static_cast<int64_t>(strides.size()) != sp ||
      static_cast<int64_t>(dilations.size()) != sp)
    return fail("strides/dilations have the wrong length");
  if (!isMax && llvm::any_of(dilations, [](int64_t d) { return d != 1; }))
    return fail("dilated average pooling is not supported");
  bool ceilMode = attrInt("ceil_mode", 0) != 0;
  bool countIncludePad = attrInt("count_include_pad", 0) != 0;
  Shape pads;
  if (!resolveAutoPad(ArrayRef<int64_t>(x).drop_front(2), kernel, strides,
                      dilations, pads))
    return false;
  Shape x4(x);
  if (sp == 1) {
    x4.insert(x4.begin() + 2, 1);
    kernel.insert(kernel.begin(), 1);
    strides.insert(strides.begin(), 1);
    dilations.insert(dilations.begin(), 1);
    pads = {0, pads[0], 0, pads[1]};
  }
  Shape out = {x4[0], x4[1], 0, 0};
  for (int d = 0; d < 2; ++d) {
    out[2 + d] =
        av::slidingWindowOutputSize(x4[2 + d], kernel[d], strides[d], pads[d],
                                    pads[d + 2], dilations[d], ceilMode);
    if (out[2 + d] <= 0)
      return fail("the window does not fit the input");
  }
  Value input = rtReshaped(0, x4);
  if (!input)
    return false;
  Value y;
  if (isMax)
    y = av::MaxPoolOp::create(b, loc, f32(out), input, kernel, strides, pads,
                              dilations, ceilMode);
  else
    y = av::AvgPoolOp::create(b, loc, f32(out), input, kernel, strides, pads,
                              ceilMode, countIncludePad);
  if (sp == 1)
    y = reshape(y, {out[0], out[1], out[3]});
  setOut(0, y);
  return true;
}

bool GraphImporter::convertGlobalPool() {
  const Shape &x = shapeOf(0);
  if (x.size() < 3)
    return fail("input must have rank >= 3");
  Value v = rt(0);
  if (!v)
    return false;
  Shape out(x);
  std::fill(out.begin() + 2, out.end(), 1);
  if (node->op_type() == "GlobalMaxPool")
    setOut(0, av::GlobalMaxPoolOp::create(b, loc, f32(out), v));
  else
    setOut(0, av::GlobalAvgPoolOp::create(b, loc, f32(out), v));
  return true;
}

bool GraphImporter::convertBatchNorm() {
  for (int i = 1; i < node->output_size(); ++i)
    if (outputUsed(i))
      return fail("training outputs (running mean/var) are not supported");
  if (attrInt("training_mode", 0) != 0)
    return fail("training_mode = 1 is not supported");
  const Shape &x = shapeOf(0);
  if (x.size() < 2)
    return fail("input must have rank >= 2");
  int64_t c = x[1];
  llvm::SmallVector<Value, 4> params;
  for (int i = 1; i <= 4; ++i) {
    if (!has(i))
      return fail("needs scale, bias, mean and var");
    if (numElements(shapeOf(i)) != c)
      return fail("per-channel parameters must have " + llvm::Twine(c) +
                  " elements (spatial = 0 is not supported)");
    Value p = rtReshaped(i, {c});
    if (!p)
      return false;
    params.push_back(p);
  }
  Value v = rt(0);
  if (!v)
    return false;
  float eps = attrFloat("epsilon", 1e-5f);
  setOut(0,
         av::BatchNormOp::create(b, loc, v.getType(), v, params[0], params[1],
                                 params[2], params[3], llvm::APFloat(eps)));
  return true;
}

bool GraphImporter::convertGemm() {
  const Shape &a = shapeOf(0), &bs = shapeOf(1);
  if (a.size() != 2 || bs.size() != 2)
    return fail("A and B must be 2-D");
  bool transA = attrInt("transA", 0) != 0, transB = attrInt("transB", 0) != 0;
  float alpha = attrFloat("alpha", 1.0f), beta = attrFloat("beta", 1.0f);
  int64_t m = transA ? a[1] : a[0], k = transA ? a[0] : a[1];
  int64_t kb = transB ? bs[1] : bs[0], n = transB ? bs[0] : bs[1];
  if (k != kb)
    return fail("contraction dims differ: " + llvm::Twine(k) + " vs " +
                llvm::Twine(kb));
  Value av_ = rt(0);
  Value bv = av_ ? rt(1) : Value();
  if (!bv)
    return false;
  Value bias, addAfter;
  if (has(2) && beta != 0.0f) {
    const Shape &cs = shapeOf(2);
    bool rowVector =
        numElements(cs) == n && (cs == Shape{n} || cs == Shape{1, n});
    if (const HostTensor *ch = host(2)) {
      if (!ch->isFloat())
        return fail("C must be float");
      if (beta == 1.0f && cs == Shape{n}) {
        bias = rt(2);
        if (!bias)
          return false;
      }
      HostTensor c = *ch;
      for (float &v : c.f)
        v *= beta;
      if (c.size() == 1 && n != 1) {
        c.f.assign(n, c.f[0]);
        c.shape = {n};
        rowVector = true;
      }
      if (rowVector)
        c.shape = {n};
      if (!bias) {
        Value cv = materialize(
            c, node->input(2),
            mlir::NameLoc::get(b.getStringAttr(node->input(2)), fileLoc));
        (rowVector ? bias : addAfter) = cv;
      }
    } else {
      Value cv = rt(2);
      if (!cv)
        return false;
      if (beta != 1.0f)
        cv = binary(av::BinaryKind::mul, cv, scalarLike(beta, cv));
      if (!cv)
        return false;
      if (rowVector)
        bias = reshape(cv, {n});
      else
        addAfter = cv;
    }
  }
  Value y = av::MatmulOp::create(b, loc, f32({m, n}), av_, bv, bias, transA,
                                 transB, llvm::APFloat(alpha));
  if (addAfter) {
    y = binary(av::BinaryKind::add, y, addAfter);
    if (!y)
      return false;
    if (shapeOfValue(y) != ArrayRef<int64_t>{m, n})
      return fail("C does not broadcast to [M, N]");
  }
  setOut(0, y);
  return true;
}

bool GraphImporter::convertMatMul() {
  Shape a = shapeOf(0), bs = shapeOf(1);
  if (a.empty() || bs.empty())
    return fail("operands must have rank >= 1");
  bool aVec = a.size() == 1, bVec = bs.size() == 1;
  if (aVec)
    a.insert(a.begin(), 1);
  if (bVec)
    bs.push_back(1);
  if (a.back() != bs[bs.size() - 2])
    return fail("contraction dims differ: " + shapeStr(shapeOf(0)) + " x " +
                shapeStr(shapeOf(1)));
  auto batch = broadcastAll(
      {Shape(a.begin(), a.end() - 2), Shape(bs.begin(), bs.end() - 2)});
  if (!batch)
    return fail("batch dims do not broadcast");
  Value av_ = rtReshaped(0, a);
  Value bv = av_ ? rtReshaped(1, bs) : Value();
  if (!bv)
    return false;
  Shape out(*batch);
  out.push_back(a[a.size() - 2]);
  out.push_back(bs.back());
  Value y = av::MatmulOp::create(b, loc, f32(out), av_, bv, Value(), false,
                                 false, llvm::APFloat(1.0f));
  Shape final(*batch);
  if (!aVec)
    final.push_back(a[a.size() - 2]);
  if (!bVec)
    final.push_back(bs.back());
  setOut(0, reshape(y, final));
  return true;
}

bool GraphImporter::convertSoftmax() {
  const Shape &x = shapeOf(0);
  int64_t rank = x.size();
  if (rank == 0)
    return fail("input must have rank >= 1");
  int64_t axis = attrInt("axis", sinceVersion < 13 ? 1 : -1);
  if (!normalizeAxis(axis, rank))
    return false;
  Value v = rt(0);
  if (!v)
    return false;
  Value y;
  if (sinceVersion < 13 && axis != rank - 1) {
    // Opsets before 13: softmax of the input flattened to 2-D at `axis`.
    int64_t outer = numElements(ArrayRef<int64_t>(x).take_front(axis));
    int64_t inner = numElements(ArrayRef<int64_t>(x).drop_front(axis));
    Value flat = reshape(v, {outer, inner});
    y = av::SoftmaxOp::create(b, loc, flat.getType(), flat,
                              static_cast<uint64_t>(1));
    if (node->op_type() == "LogSoftmax")
      y = unary(av::UnaryKind::log, y);
    y = reshape(y, x);
  } else {
    y = av::SoftmaxOp::create(b, loc, v.getType(), v,
                              static_cast<uint64_t>(axis));
    if (node->op_type() == "LogSoftmax")
      y = unary(av::UnaryKind::log, y);
  }
  setOut(0, y);
  return true;
}

bool GraphImporter::convertPad() {
  const Shape &x = shapeOf(0);
  int64_t rank = x.size();
  Shape pads;
  float value = 0.0f;
  if (sinceVersion < 11) {
    pads = attrInts("pads").value_or(Shape());
    value = attrFloat("value", 0.0f);
  } else {
    if (!hostInts(1, pads, "pads"))
      return false;
    if (has(2) && !hostFloat(2, value, "constant_value"))
      return false;
  }
  if (static_cast<int64_t>(pads.size()) != 2 * rank)
    return fail("pads has " + llvm::Twine(pads.size()) + " values, expected " +
                llvm::Twine(2 * rank));
  std::string modeStr = attrStr("mode", "constant");
  std::optional<av::PadMode> mode =
      llvm::StringSwitch<std::optional<av::PadMode>>(modeStr)
          .Case("constant", av::PadMode::constant)
          .Case("reflect", av::PadMode::reflect)
          .Case("edge", av::PadMode::edge)
          .Default(std::nullopt);
  if (!mode)
    return fail("pad mode '" + modeStr + "' is not supported");
  Shape out;
  for (int64_t d = 0; d < rank; ++d) {
    int64_t padded = 0;
    if (!addSizes(x[d], pads[d], padded, "pads of dim " + llvm::Twine(d)) ||
        !addSizes(padded, pads[d + rank], padded,
                  "pads of dim " + llvm::Twine(d)))
      return false;
    out.push_back(padded);
    if (out.back() <= 0)
      return fail("pads leave dim " + llvm::Twine(d) + " empty");
    if (*mode == av::PadMode::reflect &&
        (pads[d] >= x[d] || pads[d + rank] >= x[d]))
      return fail("reflect pads must be smaller than the dim");
  }
  Value v = rt(0);
  if (!v)
    return false;
  if (llvm::all_of(pads, [](int64_t p) { return p == 0; })) {
    setOut(0, v);
    return true;
  }
  setOut(0, av::PadOp::create(b, loc, f32(out), v, pads, *mode,
                              llvm::APFloat(value)));
  return true;
}

//===----------------------------------------------------------------------===//
// Reductions, normalizations and composite activations
//===----------------------------------------------------------------------===//

/// Reduces the runtime value `v` over `axes` (sorted, unique): the reduced
/// dims are moved last, the tensor is viewed as [1, outer, K] and a global
/// pool reduces K. Returns the result with the reduced dims kept as 1.
Value GraphImporter::reduce(Value v, ArrayRef<int64_t> axes, bool isMax,
                            bool isSum) {
  Shape in(shapeOfValue(v));
  int64_t rank = in.size();
  llvm::SmallVector<bool> reduced(rank, false);
  for (int64_t a : axes)
    reduced[a] = true;
  Shape perm, kept;
  int64_t outer = 1, k = 1;
  for (int64_t d = 0; d < rank; ++d)
    if (!reduced[d]) {
      perm.push_back(d);
      outer *= in[d];
    }
  for (int64_t d = 0; d < rank; ++d)
    if (reduced[d]) {
      perm.push_back(d);
      k *= in[d];
    }
  Shape keptShape(in);
  for (int64_t a : axes)
    keptShape[a] = 1;
  if (k == 1)
    return reshape(v, keptShape);
  bool identity = true;
  Shape permuted;
  for (int64_t d = 0; d < rank; ++d) {
    identity &= perm[d] == d;
    permuted.push_back(in[perm[d]]);
  }
  if (!identity)
    v = av::TransposeOp::create(b, loc, f32(permuted), v, perm);
  v = reshape(v, {1, outer, k});
  if (isMax)
    v = av::GlobalMaxPoolOp::create(b, loc, f32({1, outer, 1}), v);
  else
    v = av::GlobalAvgPoolOp::create(b, loc, f32({1, outer, 1}), v);
  if (isSum)
    v = binary(av::BinaryKind::mul, v, scalarLike(float(k), v));
  return reshape(v, keptShape);
}

bool GraphImporter::convertReduce() {
  StringRef op = node->op_type();
  int64_t rank = rankOf(0);
  Shape axes;
  bool haveAxes = false;
  if (op == "ReduceSum" && sinceVersion >= 13) {
    if (has(1)) {
      if (!hostInts(1, axes, "axes"))
        return false;
      haveAxes = !axes.empty();
    }
    if (!haveAxes && attrInt("noop_with_empty_axes", 0) != 0) {
      alias(0, 0);
      return true;
    }
  } else if (auto a = attrInts("axes")) {
    axes = *a;
    haveAxes = !axes.empty();
  }
  if (!haveAxes) {
    axes.clear();
    for (int64_t d = 0; d < rank; ++d)
      axes.push_back(d);
  }
  for (int64_t &a : axes)
    if (!normalizeAxis(a, rank))
      return false;
  llvm::sort(axes);
  if (std::adjacent_find(axes.begin(), axes.end()) != axes.end())
    return fail("axes name a dim twice");
  bool keepDims = attrInt("keepdims", 1) != 0;
  if (const HostTensor *h = host(0); h && !h->isFloat())
    return fail("integer reductions are not supported");

  Value v = rt(0);
  if (!v)
    return false;
  bool isMax = op == "ReduceMax" || op == "ReduceMin";
  bool isSum = op != "ReduceMean" && !isMax;
  if (op == "ReduceMin")
    v = unary(av::UnaryKind::neg, v);
  else if (op == "ReduceL1")
    v = unary(av::UnaryKind::abs, v);
  else if (op == "ReduceL2" || op == "ReduceSumSquare")
    v = binary(av::BinaryKind::mul, v, v);
  else if (op == "ReduceLogSumExp")
    v = unary(av::UnaryKind::exp, v);
  Value r = reduce(v, axes, isMax, isSum);
  if (!r)
    return false;
  if (op == "ReduceMin")
    r = unary(av::UnaryKind::neg, r);
  else if (op == "ReduceL2")
    r = unary(av::UnaryKind::sqrt, r);
  else if (op == "ReduceLogSum" || op == "ReduceLogSumExp")
    r = unary(av::UnaryKind::log, r);
  if (!keepDims) {
    Shape out;
    Shape s(shapeOfValue(r));
    for (int64_t d = 0; d < rank; ++d)
      if (!llvm::is_contained(axes, d))
        out.push_back(s[d]);
    r = reshape(r, out);
  }
  setOut(0, r);
  return true;
}

/// (x - mean) / sqrt(var + epsilon) over the last dim of a [1, outer, K]
/// view; shared by LayerNormalization and InstanceNormalization.
Value GraphImporter::normalizeLastDim(Value x3, float epsilon) {
  Shape s(shapeOfValue(x3));
  RankedTensorType stat = f32({s[0], s[1], 1});
  Value mean = av::GlobalAvgPoolOp::create(b, loc, stat, x3);
  Value d = binary(av::BinaryKind::sub, x3, mean);
  Value sq = binary(av::BinaryKind::mul, d, d);
  Value var = av::GlobalAvgPoolOp::create(b, loc, stat, sq);
  Value ve = binary(av::BinaryKind::add, var, scalarLike(epsilon, var));
  Value sd = unary(av::UnaryKind::sqrt, ve);
  return binary(av::BinaryKind::div, d, sd);
}

bool GraphImporter::convertLayerNorm() {
  const Shape &x = shapeOf(0);
  int64_t rank = x.size();
  int64_t axis = attrInt("axis", -1);
  if (!normalizeAxis(axis, rank))
    return false;
  if (attrInt("stash_type", 1) != 1)
    return fail("stash_type must be 1 (float)");
  float eps = attrFloat("epsilon", 1e-5f);
  int64_t outer = numElements(ArrayRef<int64_t>(x).take_front(axis));
  int64_t inner = numElements(ArrayRef<int64_t>(x).drop_front(axis));
  Value v = rt(0);
  Value scale = v ? rt(1) : Value();
  if (!scale)
    return false;
  Value x3 = reshape(v, {1, outer, inner});
  RankedTensorType stat = f32({1, outer, 1});
  Value mean = av::GlobalAvgPoolOp::create(b, loc, stat, x3);
  Value d = binary(av::BinaryKind::sub, x3, mean);
  Value var = av::GlobalAvgPoolOp::create(b, loc, stat,
                                          binary(av::BinaryKind::mul, d, d));
  Value sd = unary(av::UnaryKind::sqrt,
                   binary(av::BinaryKind::add, var, scalarLike(eps, var)));
  Value y = reshape(binary(av::BinaryKind::div, d, sd), x);
  y = binary(av::BinaryKind::mul, y, scale);
  if (y && has(2)) {
    Value bias = rt(2);
    if (!bias)
      return false;
    y = binary(av::BinaryKind::add, y, bias);
  }
  if (!y)
    return false;
  if (shapeOfValue(y) != ArrayRef<int64_t>(x))
    return fail("Scale/B do not broadcast to the input");
  setOut(0, y);
  // Mean and InvStdDev keep the normalized dims as 1.
  Shape statShape(x.begin(), x.begin() + axis);
  statShape.append(rank - axis, 1);
  if (outputUsed(1))
    setOut(1, reshape(mean, statShape));
  if (outputUsed(2))
    setOut(2, reshape(binary(av::BinaryKind::div, scalarLike(1.0f, sd), sd),
                      statShape));
  return true;
}

bool GraphImporter::convertLRN() {
  const Shape &x = shapeOf(0);
  if (x.size() < 3)
    return fail("input must have rank >= 3");
  int64_t size = attrInt("size", 0);
  if (size < 1 || size > kMaxCopies)
    return fail("size " + llvm::Twine(size) + " must lie in [1, " +
                llvm::Twine(kMaxCopies) + "]");
  float alpha = attrFloat("alpha", 1e-4f), beta = attrFloat("beta", 0.75f);
  float bias = attrFloat("bias", 1.0f);
  Value v = rt(0);
  if (!v)
    return false;
  // The sum of squares over a window of channels is an average pool over
  // the channel dim of an [N, 1, C, rest] view (padding counted) times size.
  int64_t n = x[0], c = x[1];
  int64_t rest = numElements(ArrayRef<int64_t>(x).drop_front(2));
  Value sq = reshape(binary(av::BinaryKind::mul, v, v), {n, 1, c, rest});
  int64_t before = (size - 1) / 2, after = size - 1 - before;
  Value pooled = av::AvgPoolOp::create(
      b, loc, f32({n, 1, c, rest}), sq, ArrayRef<int64_t>{size, 1},
      ArrayRef<int64_t>{1, 1}, ArrayRef<int64_t>{before, 0, after, 0},
      /*ceil_mode=*/false, /*count_include_pad=*/true);
  // bias + alpha / size * sum = bias + alpha * average.
  Value scaled = binary(av::BinaryKind::mul, pooled, scalarLike(alpha, pooled));
  Value base = binary(av::BinaryKind::add, scaled, scalarLike(bias, scaled));
  Value denom = binary(av::BinaryKind::pow, base, scalarLike(beta, base));
  Value y = binary(av::BinaryKind::div, v, reshape(denom, x));
  if (!y)
    return false;
  setOut(0, y);
  return true;
}

bool GraphImporter::convertInstanceNorm() {
  const Shape &x = shapeOf(0);
  if (x.size() < 3)
    return fail("input must have rank >= 3");
  int64_t c = x[1];
  float eps = attrFloat("epsilon", 1e-5f);
  Shape paramShape(x.size() - 1, 1);
  paramShape[0] = c;
  Value v = rt(0);
  Value scale = v ? rtReshaped(1, paramShape) : Value();
  Value bias = scale ? rtReshaped(2, paramShape) : Value();
  if (!bias)
    return false;
  int64_t spatial = numElements(ArrayRef<int64_t>(x).drop_front(2));
  Value y = normalizeLastDim(reshape(v, {1, x[0] * c, spatial}), eps);
  y = reshape(y, x);
  y = binary(av::BinaryKind::mul, y, scale);
  y = y ? binary(av::BinaryKind::add, y, bias) : y;
  if (!y)
    return false;
  setOut(0, y);
  return true;
}

bool GraphImporter::convertActivation() {
  StringRef op = node->op_type();
  if (host(0) && !host(0)->isFloat())
    return fail("integer inputs are not supported");
  Value x = rt(0);
  if (!x)
    return false;
  auto scalar = [&](float f) { return scalarLike(f, x); };
  auto relu = [&](Value v) { return unary(av::UnaryKind::relu, v); };
  auto minZero = [&](Value v) {
    return binary(av::BinaryKind::min, v, scalar(0.0f));
  };
  // alpha * (exp(v) - 1)
  auto expm1Scaled = [&](Value v, float alpha) {
    Value e = unary(av::UnaryKind::exp, v);
    Value m = binary(av::BinaryKind::sub, e, scalar(1.0f));
    return alpha == 1.0f ? m : binary(av::BinaryKind::mul, m, scalar(alpha));
  };
  // Ops are created in statement order (never two creating calls in one
  // argument list) so the IR does not depend on argument evaluation order.
  Value y;
  if (op == "Elu" || op == "Selu") {
    float alpha =
        attrFloat("alpha", op == "Elu" ? 1.0f : 1.67326319217681884765625f);
    Value pos = relu(x);
    Value neg = expm1Scaled(minZero(x), alpha);
    y = binary(av::BinaryKind::add, pos, neg);
    if (op == "Selu") {
      Value gamma = scalar(attrFloat("gamma", 1.05070102214813232421875f));
      y = binary(av::BinaryKind::mul, y, gamma);
    }
  } else if (op == "Celu") {
    float alpha = attrFloat("alpha", 1.0f);
    Value pos = relu(x);
    Value mn = minZero(x);
    Value scaled = binary(av::BinaryKind::div, mn, scalar(alpha));
    y = binary(av::BinaryKind::add, pos, expm1Scaled(scaled, alpha));
  } else if (op == "Softplus") {
    // relu(x) + log(1 + exp(-|x|)) does not overflow for large |x|.
    Value pos = relu(x);
    Value na = unary(av::UnaryKind::neg, unary(av::UnaryKind::abs, x));
    Value e = unary(av::UnaryKind::exp, na);
    Value l =
        unary(av::UnaryKind::log, binary(av::BinaryKind::add, e, scalar(1.0f)));
    y = binary(av::BinaryKind::add, pos, l);
  } else if (op == "Softsign") {
    Value a = unary(av::UnaryKind::abs, x);
    Value d = binary(av::BinaryKind::add, a, scalar(1.0f));
    y = binary(av::BinaryKind::div, x, d);
  } else if (op == "PRelu") {
    Value slope = rt(1);
    if (!slope)
      return false;
    Value pos = relu(x);
    Value neg = binary(av::BinaryKind::mul, minZero(x), slope);
    y = neg ? binary(av::BinaryKind::add, pos, neg) : neg;
  } else {
    return fail(op + " is not supported");
  }
  if (!y)
    return false;
  if (shapeOfValue(y) != shapeOfValue(x))
    return fail("the parameters do not broadcast to the input");
  setOut(0, y);
  return true;
}

//===----------------------------------------------------------------------===//
// Rearrangements: DepthToSpace, SpaceToDepth, Tile, nearest Resize
//===----------------------------------------------------------------------===//

bool GraphImporter::convertDepthSpace() {
  const Shape &x = shapeOf(0);
  if (x.size() != 4)
    return fail("input must be rank 4 (NCHW)");
  int64_t bs = attrInt("blocksize", 0);
  int64_t n = x[0], c = x[1], h = x[2], w = x[3];
  if (bs < 1)
    return fail("blocksize must be positive");
  Value v = rt(0);
  if (!v)
    return false;
  Shape split, perm, out;
  if (node->op_type() == "DepthToSpace") {
    if (bs > c / bs || c % (bs * bs) != 0)
      return fail("channels are not divisible by blocksize^2");
    int64_t cb = c / (bs * bs);
    if (attrStr("mode", "DCR") == "CRD") {
      split = {n, cb, bs, bs, h, w};
      perm = {0, 1, 4, 2, 5, 3};
    } else {
      split = {n, bs, bs, cb, h, w};
      perm = {0, 3, 4, 1, 5, 2};
    }
    out = {n, cb, h * bs, w * bs};
  } else {
    if (bs > h || bs > w || h % bs != 0 || w % bs != 0)
      return fail("spatial dims are not divisible by blocksize");
    split = {n, c, h / bs, bs, w / bs, bs};
    perm = {0, 3, 5, 1, 2, 4};
    out = {n, c * bs * bs, h / bs, w / bs};
  }
  Shape permuted;
  for (int64_t p : perm)
    permuted.push_back(split[p]);
  Value t =
      av::TransposeOp::create(b, loc, f32(permuted), reshape(v, split), perm);
  setOut(0, reshape(t, out));
  return true;
}

/// Repeats every element of `v` `times` times along `axis` (nearest
/// upsampling by an integer factor).
Value GraphImporter::repeatElements(Value v, int64_t axis, int64_t times) {
  if (times == 1)
    return v;
  Shape s(shapeOfValue(v));
  Shape expanded(s);
  expanded.insert(expanded.begin() + axis + 1, 1);
  Value e = reshape(v, expanded);
  llvm::SmallVector<Value> copies(times, e);
  expanded[axis + 1] = times;
  Value c = av::ConcatOp::create(b, loc, f32(expanded), copies,
                                 static_cast<uint64_t>(axis + 1));
  s[axis] *= times;
  return reshape(c, s);
}

bool GraphImporter::convertTile() {
  Shape repeats;
  if (!hostInts(1, repeats, "repeats"))
    return false;
  const Shape &x = shapeOf(0);
  if (repeats.size() != x.size())
    return fail("repeats must have one entry per dim");
  Shape out;
  for (size_t d = 0; d < x.size(); ++d) {
    if (repeats[d] < 0)
      return fail("repeats must not be negative");
    int64_t tiled = 0;
    if (!mulSizes(x[d], repeats[d], tiled, "tiling dim " + llvm::Twine(d)))
      return false;
    out.push_back(tiled);
  }
  if (!checkShape(out, "the result"))
    return false;
  if (const HostTensor *h = host(0)) {
    if (!checkFold(out))
      return false;
    auto index = offsetsByIndex(out, [&](ArrayRef<int64_t> idx) {
      int64_t off = 0;
      for (size_t d = 0; d < out.size(); ++d)
        off = off * x[d] + idx[d] % x[d];
      return off;
    });
    setHost(0, gatherElements(*h, out, index));
    return true;
  }
  Value v = rt(0);
  if (!v)
    return false;
  for (size_t d = 0; d < x.size(); ++d) {
    if (repeats[d] < 1)
      return fail("repeats must be positive");
    if (repeats[d] > kMaxCopies)
      return fail("repeats " + llvm::Twine(repeats[d]) + " of dim " +
                  llvm::Twine(d) + " exceed Anvil's limit of " +
                  llvm::Twine(kMaxCopies) + " copies of a runtime tensor");
    if (repeats[d] == 1)
      continue;
    llvm::SmallVector<Value> copies(repeats[d], v);
    Shape s(shapeOfValue(v));
    s[d] *= repeats[d];
    v = av::ConcatOp::create(b, loc, f32(s), copies, static_cast<uint64_t>(d));
  }
  setOut(0, v);
  return true;
}

bool GraphImporter::convertResize() {
  const Shape &x = shapeOf(0);
  int64_t rank = x.size();
  StringRef op = node->op_type();
  if (attrStr("mode", "nearest") != "nearest")
    return fail("only mode = nearest is supported");
  // Integer upscaling repeats elements when every output index i reads
  // input index i / scale: asymmetric + floor, or half_pixel-style
  // transforms with rounding.
  if (op == "Resize") {
    std::string ct = attrStr("coordinate_transformation_mode", "half_pixel");
    std::string nm = attrStr("nearest_mode", "round_prefer_floor");
    bool ok = (ct == "asymmetric" && nm == "floor") ||
              ((ct == "half_pixel" || ct == "pytorch_half_pixel") &&
               (nm == "round_prefer_floor" || nm == "round_prefer_ceil"));
    if (!ok)
      return fail("coordinate_transformation_mode '" + ct +
                  "' with nearest_mode '" + nm + "' is not supported");
  }
  std::vector<double> scales;
  int scalesInput = op == "Upsample" || sinceVersion < 11 ? 1 : 2;
  if (op == "Upsample" && sinceVersion < 9) {
    if (auto *a = attr("scales"))
      scales.assign(a->floats().begin(), a->floats().end());
  } else if (has(scalesInput) && numElements(shapeOf(scalesInput)) > 0) {
    const HostTensor *h = host(scalesInput);
    if (!h)
      return fail("scales must be a constant");
    for (int64_t k = 0; k < h->size(); ++k)
      scales.push_back(h->get(k));
  } else if (op == "Resize" && has(3)) {
    Shape sizes;
    if (!hostInts(3, sizes, "sizes"))
      return false;
    if (static_cast<int64_t>(sizes.size()) != rank)
      return fail("sizes must have one entry per dim");
    for (int64_t d = 0; d < rank; ++d) {
      if (x[d] <= 0 || sizes[d] < x[d] || sizes[d] % x[d] != 0)
        return fail("only integer upscaling factors are supported");
      scales.push_back(double(sizes[d] / x[d]));
    }
  }
  if (static_cast<int64_t>(scales.size()) != rank)
    return fail("scales must have one entry per dim");
  Shape out;
  for (int64_t d = 0; d < rank; ++d) {
    double s = scales[d];
    if (!(s >= 1 && s == std::floor(s)))
      return fail("only integer upscaling factors are supported (scale " +
                  std::to_string(s) + ")");
    if (s > double(kMaxCopies))
      return fail("scale " + std::to_string(s) + " of dim " + llvm::Twine(d) +
                  " exceeds Anvil's limit of " + llvm::Twine(kMaxCopies) +
                  " repeats");
    int64_t scaled = 0;
    if (!mulSizes(x[d], static_cast<int64_t>(s), scaled,
                  "scaling dim " + llvm::Twine(d)))
      return false;
    out.push_back(scaled);
  }
  if (!checkShape(out, "the result"))
    return false;
  Value v = rt(0);
  if (!v)
    return false;
  for (int64_t d = 0; d < rank; ++d)
    v = repeatElements(v, d, static_cast<int64_t>(scales[d]));
  setOut(0, v);
  return true;
}

//===----------------------------------------------------------------------===//
// ConvTranspose
//===----------------------------------------------------------------------===//

/// Reverses `v` along `axis`; null (after fail) past kMaxCopies.
Value GraphImporter::reverse(Value v, int64_t axis) {
  int64_t n = shapeOfValue(v)[axis];
  return n == 1 ? v : strided(v, axis, n - 1, -1, n);
}

/// ConvTranspose as a stride-1 convolution: zeros are inserted between input
/// elements (anvil.pad of a unit dim per spatial dim), the result is padded
/// (or cropped) by dilation * (kernel - 1) - pad, and convolved with the
/// spatially flipped weights with input and output channels swapped per
/// group.
bool GraphImporter::convertConvTranspose() {
  const Shape &x = shapeOf(0), &w = shapeOf(1);
  int64_t rank = x.size();
  if (rank != 3 && rank != 4)
    return fail("only 1-D and 2-D transposed convolutions are supported "
                "(input rank " +
                llvm::Twine(rank) + ")");
  if (static_cast<int64_t>(w.size()) != rank)
    return fail("weight rank differs from input rank");
  int64_t sp = rank - 2;
  int64_t group = attrInt("group", 1);
  Shape kernel(w.begin() + 2, w.end());
  Shape strides = attrInts("strides").value_or(Shape(sp, 1));
  Shape dilations = attrInts("dilations").value_or(Shape(sp, 1));
  Shape outPad = attrInts("output_padding").value_or(Shape(sp, 0));
  if (static_cast<int64_t>(strides.size()) != sp ||
      static_cast<int64_t>(dilations.size()) != sp ||
      static_cast<int64_t>(outPad.size()) != sp)
    return fail("strides/dilations/output_padding have the wrong length");
  if (group < 1 || x[1] != w[0] || w[0] % group != 0)
    return fail("weight " + shapeStr(w) + " does not match input " +
                shapeStr(x) + " with group " + llvm::Twine(group));
  // Every size below is a sum of these products: bounding them keeps the
  // frame arithmetic far from overflow.
  for (int64_t d = 0; d < sp; ++d) {
    int64_t unused = 0;
    if (!mulSizes(strides[d], x[2 + d], unused,
                  "stride x input size of dim " + llvm::Twine(d)) ||
        !mulSizes(dilations[d], kernel[d], unused,
                  "dilation x kernel size of dim " + llvm::Twine(d)))
      return false;
    if (outPad[d] < 0 || outPad[d] >= std::max(strides[d], dilations[d]))
      return fail("output_padding " + llvm::Twine(outPad[d]) + " of dim " +
                  llvm::Twine(d) + " must lie in [0, max(stride, dilation))");
  }
  if (auto o = attrInts("output_shape"))
    for (int64_t v : *o)
      if (v < 1 || v > av::kMaxTensorElements)
        return fail("output_shape entry " + llvm::Twine(v) +
                    " is out of range");
  Shape pads(2 * sp, 0);
  std::string autoPad = attrStr("auto_pad", "NOTSET");
  auto outputShape = attrInts("output_shape");
  if (outputShape && outputShape->size() == static_cast<size_t>(rank))
    outputShape = Shape(outputShape->begin() + 2, outputShape->end());
  if (outputShape || autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER") {
    for (int64_t d = 0; d < sp; ++d) {
      int64_t target =
          outputShape && static_cast<int64_t>(outputShape->size()) == sp
              ? (*outputShape)[d]
              : x[2 + d] * strides[d];
      int64_t total = strides[d] * (x[2 + d] - 1) + outPad[d] +
                      (kernel[d] - 1) * dilations[d] + 1 - target;
      // A negative total (output_shape beyond the natural size) extends
      // the end, like output_padding.
      bool lower = autoPad == "SAME_LOWER";
      pads[d] = lower ? total - total / 2 : total / 2;
      pads[d + sp] = total - pads[d];
    }
  } else if (autoPad == "NOTSET" || autoPad.empty()) {
    if (auto p = attrInts("pads")) {
      if (p->size() != static_cast<size_t>(2 * sp))
        return fail("'pads' has the wrong length");
      pads = *p;
    }
  } else if (autoPad != "VALID") {
    return fail("unknown auto_pad '" + autoPad + "'");
  }

  Value v = rt(0);
  if (!v)
    return false;
  // Lift 1-D to 2-D.
  Shape x4(x);
  if (sp == 1) {
    x4.insert(x4.begin() + 2, 1);
    kernel.insert(kernel.begin(), 1);
    strides.insert(strides.begin(), 1);
    dilations.insert(dilations.begin(), 1);
    outPad.insert(outPad.begin(), 0);
    pads = {0, pads[0], 0, pads[1]};
    v = reshape(v, x4);
  }
  // Zero insertion: view [.., H, W] as [.., H, 1, W] and pad the unit dim to
  // `stride`, then merge; the trailing stride - 1 zeros are cropped below.
  Shape grown(x4);
  for (int d = 0; d < 2; ++d) {
    if (strides[d] == 1)
      continue;
    Shape s(shapeOfValue(v));
    Shape split(s);
    split.insert(split.begin() + 3 + d, 1);
    Shape padded(split);
    padded[3 + d] = strides[d];
    Shape zp(2 * split.size(), 0);
    zp[split.size() + 3 + d] = strides[d] - 1;
    v = av::PadOp::create(b, loc, f32(padded), reshape(v, split), zp,
                          av::PadMode::constant, llvm::APFloat(0.0f));
    s[2 + d] *= strides[d];
    v = reshape(v, s);
  }
  // Pad (or crop) to the full-convolution frame.
  Shape framePads(8, 0);
  Shape framed(shapeOfValue(v));
  for (int d = 0; d < 2; ++d) {
    int64_t full = dilations[d] * (kernel[d] - 1);
    framePads[2 + d] = full - pads[d];
    framePads[6 + d] = full - pads[d + 2] + outPad[d] - (strides[d] - 1);
    framed[2 + d] += framePads[2 + d] + framePads[6 + d];
    if (framed[2 + d] < dilations[d] * (kernel[d] - 1) + 1)
      return fail("pads leave no output");
  }
  if (llvm::any_of(framePads, [](int64_t p) { return p != 0; }))
    v = av::PadOp::create(b, loc, f32(framed), v, framePads,
                          av::PadMode::constant, llvm::APFloat(0.0f));

  // Weights: [C, K/g, kh, kw] -> flipped, [K, C/g, kh, kw].
  int64_t c = w[0], kg = w[1], k = kg * group, cg = c / group;
  Shape w4 = {c, kg, kernel[0], kernel[1]};
  Value weight;
  if (const HostTensor *h = host(1)) {
    if (!h->isFloat())
      return fail("weights must be float");
    HostTensor t = HostTensor::zeros(TP::FLOAT, {k, cg, kernel[0], kernel[1]});
    int64_t kh = kernel[0], kw = kernel[1];
    for (int64_t g = 0; g < group; ++g)
      for (int64_t ci = 0; ci < cg; ++ci)
        for (int64_t ko = 0; ko < kg; ++ko)
          for (int64_t r = 0; r < kh; ++r)
            for (int64_t q = 0; q < kw; ++q)
              t.f[(((g * kg + ko) * cg + ci) * kh + r) * kw + q] =
                  h->f[(((g * cg + ci) * kg + ko) * kh + (kh - 1 - r)) * kw +
                       (kw - 1 - q)];
    weight = materialize(t, node->input(1), loc);
  } else {
    Value wv = rtReshaped(1, w4);
    if (!wv)
      return false;
    wv = reverse(wv, 2);
    if (wv)
      wv = reverse(wv, 3);
    if (!wv)
      return false;
    Shape g5 = {group, cg, kg, kernel[0], kernel[1]};
    Shape t5 = {group, kg, cg, kernel[0], kernel[1]};
    wv = av::TransposeOp::create(b, loc, f32(t5), reshape(wv, g5),
                                 ArrayRef<int64_t>{0, 2, 1, 3, 4});
    weight = reshape(wv, {k, cg, kernel[0], kernel[1]});
  }
  Value bias;
  if (has(2)) {
    if (numElements(shapeOf(2)) != k)
      return fail("bias must have " + llvm::Twine(k) + " elements");
    bias = rtReshaped(2, {k});
    if (!bias)
      return false;
  }
  Shape out = {x4[0], k, 0, 0};
  for (int d = 0; d < 2; ++d)
    out[2 + d] = framed[2 + d] - dilations[d] * (kernel[d] - 1);
  Value y = av::Conv2DOp::create(
      b, loc, f32(out), v, weight, bias, ArrayRef<int64_t>{1, 1},
      ArrayRef<int64_t>{0, 0, 0, 0}, dilations, static_cast<uint64_t>(group));
  if (sp == 1)
    y = reshape(y, {out[0], out[1], out[3]});
  setOut(0, y);
  return true;
}

//===----------------------------------------------------------------------===//
// Driver
//===----------------------------------------------------------------------===//

const llvm::StringMap<GraphImporter::Handler> &GraphImporter::handlers() {
  static const llvm::StringMap<Handler> table = [] {
    llvm::StringMap<Handler> t;
    t["Constant"] = &GraphImporter::convertConstant;
    t["Identity"] = &GraphImporter::convertIdentity;
    t["Dropout"] = &GraphImporter::convertDropout;
    t["Cast"] = &GraphImporter::convertCast;
    t["Shape"] = &GraphImporter::convertShape;
    t["Size"] = &GraphImporter::convertSize;
    t["Gather"] = &GraphImporter::convertGather;
    t["Unsqueeze"] = &GraphImporter::convertUnsqueeze;
    t["Squeeze"] = &GraphImporter::convertSqueeze;
    t["Concat"] = &GraphImporter::convertConcat;
    t["Slice"] = &GraphImporter::convertSlice;
    t["Split"] = &GraphImporter::convertSplit;
    t["Reshape"] = &GraphImporter::convertReshape;
    t["Flatten"] = &GraphImporter::convertFlatten;
    t["Transpose"] = &GraphImporter::convertTranspose;
    t["ConstantOfShape"] = &GraphImporter::convertConstantOfShape;
    t["Range"] = &GraphImporter::convertRange;
    t["Expand"] = &GraphImporter::convertExpand;
    for (const char *op :
         {"Add", "Sub", "Mul", "Div", "Pow", "Max", "Min", "Sum", "Mean"})
      t[op] = &GraphImporter::convertBinary;
    for (const char *op :
         {"Equal", "Less", "Greater", "LessOrEqual", "GreaterOrEqual"})
      t[op] = &GraphImporter::convertCompare;
    t["Where"] = &GraphImporter::convertWhere;
    t["Not"] = &GraphImporter::convertNot;
    for (const char *op : {"Relu", "Sigmoid", "Tanh", "LeakyRelu",
                           "HardSigmoid", "HardSwish", "Exp", "Log", "Sqrt",
                           "Erf", "Neg", "Abs", "Reciprocal", "Floor", "Ceil"})
      t[op] = &GraphImporter::convertUnary;
    t["Clip"] = &GraphImporter::convertClip;
    t["Conv"] = &GraphImporter::convertConv;
    t["MaxPool"] = &GraphImporter::convertPool;
    t["AveragePool"] = &GraphImporter::convertPool;
    t["GlobalAveragePool"] = &GraphImporter::convertGlobalPool;
    t["GlobalMaxPool"] = &GraphImporter::convertGlobalPool;
    t["BatchNormalization"] = &GraphImporter::convertBatchNorm;
    t["Gemm"] = &GraphImporter::convertGemm;
    t["MatMul"] = &GraphImporter::convertMatMul;
    t["Softmax"] = &GraphImporter::convertSoftmax;
    t["LogSoftmax"] = &GraphImporter::convertSoftmax;
    t["Pad"] = &GraphImporter::convertPad;
    for (const char *op :
         {"ReduceMean", "ReduceSum", "ReduceMax", "ReduceMin", "ReduceL1",
          "ReduceL2", "ReduceSumSquare", "ReduceLogSum", "ReduceLogSumExp"})
      t[op] = &GraphImporter::convertReduce;
    t["LayerNormalization"] = &GraphImporter::convertLayerNorm;
    t["InstanceNormalization"] = &GraphImporter::convertInstanceNorm;
    t["LRN"] = &GraphImporter::convertLRN;
    t["ConvTranspose"] = &GraphImporter::convertConvTranspose;
    for (const char *op :
         {"Elu", "Selu", "Celu", "Softplus", "Softsign", "PRelu"})
      t[op] = &GraphImporter::convertActivation;
    t["DepthToSpace"] = &GraphImporter::convertDepthSpace;
    t["SpaceToDepth"] = &GraphImporter::convertDepthSpace;
    t["Tile"] = &GraphImporter::convertTile;
    t["Resize"] = &GraphImporter::convertResize;
    t["Upsample"] = &GraphImporter::convertResize;
    return t;
  }();
  return table;
}

void GraphImporter::convertNode(int index) {
  node = &graph.node(index);
  std::string label = node->name().empty()
                          ? node->op_type() + "_" + std::to_string(index)
                          : node->name();
  loc = mlir::NameLoc::get(b.getStringAttr(label), fileLoc);
  const std::string &domain = node->domain(); // "ai.onnx" is "" by now
  auto poison = [&] {
    for (const std::string &out : node->output())
      if (!out.empty()) {
        TensorValue t;
        t.poisoned = true;
        env[out] = t;
      }
  };
  auto record = [&](std::string reason) {
    auto it = opsets.find(domain);
    failures.push_back(
        {label,
         domain.empty() ? node->op_type() : domain + "." + node->op_type(),
         std::move(reason), it == opsets.end() ? 0 : it->second});
    poison();
  };

  // Unsupported op types are always listed; other failures only when the
  // node's inputs are sound.
  const auto &table = handlers();
  auto h = table.find(node->op_type());
  if (!domain.empty() || h == table.end())
    return record("");
  for (int i = 0; i < node->input_size(); ++i) {
    if (node->input(i).empty())
      continue;
    auto it = env.find(node->input(i));
    if (it == env.end())
      return record("input '" + node->input(i) + "' is not defined");
    if (it->second.poisoned)
      return poison();
  }

  const onnx::OpSchema *schema =
      onnx::OpSchemaRegistry::Schema(node->op_type(), opset, "");
  sinceVersion = schema ? schema->SinceVersion() : opset;
  // An empty name stands for an omitted optional input only; the handlers
  // take every other input as present.
  if (schema && !schema->inputs().empty()) {
    const auto &formals = schema->inputs();
    for (int i = 0; i < node->input_size(); ++i) {
      const auto &formal = formals[std::min<size_t>(i, formals.size() - 1)];
      if (node->input(i).empty() &&
          formal.GetOption() != onnx::OpSchema::Optional)
        return record("input " + std::to_string(i) + " ('" +
                      formal.GetName() + "') is required but its name is "
                      "empty");
    }
  }
  failMsg.clear();
  bool ok;
  try {
    ok = (this->*(h->second))();
  } catch (const std::bad_alloc &) {
    return record("out of memory while importing this node");
  } catch (const std::exception &e) {
    return record(std::string("internal error in the importer (") + e.what() +
                  ")");
  }
  if (!ok)
    return record(failMsg.empty() ? "cannot be imported" : failMsg);
  for (int i = 0; i < node->output_size(); ++i) {
    if (outputUsed(i) && !env.count(node->output(i)))
      return record("output " + std::to_string(i) + " is not supported");
    auto it = node->output(i).empty() ? env.end() : env.find(node->output(i));
    if (it == env.end())
      continue;
    std::string what = "output '" + node->output(i) + "' of shape";
    if (!checkShape(it->second.shape, what))
      return record(failMsg);
    if (!it->second.host && numElements(it->second.shape) == 0)
      return record(what + " " + shapeStr(it->second.shape) +
                    " is empty; " + kNoEmptyRuntimeTensors);
  }
}

llvm::Expected<mlir::OwningOpRef<mlir::ModuleOp>> GraphImporter::run() {
  for (const auto &o : model.opset_import())
    opsets[o.domain()] = o.version();
  opset = opsets.count("") ? opsets[""] : 17;

  // Names read by some node or returned: outputs nobody reads may be
  // unsupported (MaxPool indices, BatchNormalization running stats, ...).
  for (const auto &n : graph.node())
    for (const auto &in : n.input())
      consumed.insert(in);
  for (const auto &out : graph.output())
    consumed.insert(out.name());

  // Initializers are constants, including those also listed as inputs.
  llvm::StringSet<> initializerNames;
  for (const auto &t : graph.initializer()) {
    HostTensor h;
    if (auto err = readTensorProto(t, h)) {
      if (!consumed.contains(t.name()))
        continue;
      return error("initializer: " + *err);
    }
    TensorValue tv;
    tv.shape = h.shape;
    tv.dtype = h.dtype;
    tv.host = std::make_shared<const HostTensor>(std::move(h));
    env[t.name()] = std::move(tv);
    initializerNames.insert(t.name());
  }

  mlir::OwningOpRef<mlir::ModuleOp> module = mlir::ModuleOp::create(fileLoc);
  std::string stem = llvm::sys::path::stem(path).str();
  (*module)->setAttr(
      "anvil.model_name",
      b.getStringAttr(sanitize(graph.name().empty() ? StringRef(stem)
                                                    : StringRef(graph.name()),
                               "model")));

  llvm::SmallVector<mlir::Type> argTypes;
  llvm::SmallVector<std::string> argNames;
  for (const auto &in : graph.input()) {
    if (initializerNames.contains(in.name()))
      continue;
    Shape s;
    for (const auto &d : in.type().tensor_type().shape().dim())
      s.push_back(d.dim_value());
    argTypes.push_back(f32(s));
    argNames.push_back(in.name());
  }
  b.setInsertionPointToEnd(module->getBody());
  auto func = mlir::func::FuncOp::create(b, fileLoc, "main",
                                         b.getFunctionType(argTypes, {}));
  mlir::Block *entry = func.addEntryBlock();
  for (size_t i = 0; i < argNames.size(); ++i) {
    func.setArgAttr(i, "anvil.name", b.getStringAttr(argNames[i]));
    TensorValue tv;
    tv.value = entry->getArgument(i);
    auto s = mlir::cast<RankedTensorType>(argTypes[i]).getShape();
    tv.shape.assign(s.begin(), s.end());
    env[argNames[i]] = std::move(tv);
  }
  b.setInsertionPointToEnd(entry);

  for (int i = 0; i < graph.node_size(); ++i)
    convertNode(i);

  if (!failures.empty()) {
    // One message for every node: 'name' (OpType, opset N[: reason]).
    std::string msg = std::to_string(failures.size()) + " unsupported node" +
                      (failures.size() == 1 ? "" : "s") + ": ";
    for (size_t i = 0; i < failures.size(); ++i) {
      const NodeFailure &f = failures[i];
      msg += (i ? ", '" : "'") + f.label + "' (" + f.opType + ", opset " +
             std::to_string(f.opset) +
             (f.reason.empty() ? std::string() : ": " + f.reason) + ")";
    }
    return error(msg);
  }

  llvm::SmallVector<Value> results;
  for (const auto &out : graph.output()) {
    auto it = env.find(out.name());
    if (it == env.end())
      return error("graph output '" + out.name() + "' is not produced");
    TensorValue &t = it->second;
    if (!t.value) {
      if (!t.host || t.host->dtype != TP::FLOAT)
        return error("graph output '" + out.name() + "' has element type " +
                     dataTypeName(t.dtype) +
                     "; runtime tensors must be float (f32)");
      if (t.host->size() == 0)
        return error("graph output '" + out.name() + "' of shape " +
                     shapeStr(t.shape) +
                     " is empty; " + kNoEmptyRuntimeTensors);
      t.value =
          materialize(*t.host, out.name(),
                      mlir::NameLoc::get(b.getStringAttr(out.name()), fileLoc));
    }
    results.push_back(t.value);
  }
  mlir::func::ReturnOp::create(b, fileLoc, results);
  func.setType(
      b.getFunctionType(argTypes, mlir::ValueRange(results).getTypes()));
  for (int i = 0; i < graph.output_size(); ++i)
    func.setResultAttr(i, "anvil.name",
                       b.getStringAttr(graph.output(i).name()));

  std::string diagnostics;
  {
    mlir::ScopedDiagnosticHandler handler(&ctx, [&](mlir::Diagnostic &d) {
      if (!diagnostics.empty())
        diagnostics += "; ";
      diagnostics += d.str();
      return mlir::success();
    });
    if (mlir::failed(mlir::verify(*module)))
      return error("the imported module does not verify: " + diagnostics);
  }
  return module;
}

} // namespace

llvm::Expected<mlir::OwningOpRef<mlir::ModuleOp>>
anvil::importOnnxModel(mlir::MLIRContext &ctx, llvm::StringRef path,
                       const ImportOptions &opts) {
  ctx.loadDialect<mlir::anvil::AnvilDialect, mlir::func::FuncDialect>();
  onnx::ModelProto model;
  if (llvm::Error e = loadModel(path, opts, model))
    return e;
  try {
    GraphImporter importer(ctx, path, model);
    return importer.run();
  } catch (const std::exception &e) {
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   (path + ": " + e.what()).str());
  }
}

llvm::Error anvil::parseShapePin(llvm::StringRef spec, ImportOptions &opts) {
  auto bad = [&](const llvm::Twine &why) {
    return llvm::createStringError(
        llvm::inconvertibleErrorCode(),
        ("bad --shape '" + spec + "': " + why).str());
  };
  size_t eq = spec.rfind('=');
  if (eq == llvm::StringRef::npos || eq == 0)
    return bad("expected NAME=D0xD1x...");
  std::string name = spec.substr(0, eq).str();
  llvm::SmallVector<llvm::StringRef> parts;
  spec.substr(eq + 1).split(parts, 'x');
  std::vector<int64_t> dims;
  for (llvm::StringRef p : parts) {
    int64_t d;
    if (p.trim().getAsInteger(10, d) || d < 0)
      return bad("'" + p + "' is not a positive dim");
    if (d == 0)
      return bad(llvm::Twine("a dim of 0 makes an empty tensor; ") +
                 kNoEmptyRuntimeTensors);
    dims.push_back(d);
  }
  if (opts.shapePins.count(name))
    return bad("input '" + name + "' is pinned twice");
  opts.shapePins[name] = std::move(dims);
  return llvm::Error::success();
}
