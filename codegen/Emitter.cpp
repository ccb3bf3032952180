//===- Emitter.cpp - Planned anvil module to C++ --------------------------===//
//
// One walk over the planned function body. Each value gets a C++ pointer
// expression for its storage (caller input, weights blob entry, arena offset,
// caller output, or, for reshape/flatten, the storage of its input), and each
// compute op becomes one kernel call whose shape struct is a literal template
// argument, emitted by its family's file (ModelEmitter.h lists them).
// Constant conv/matmul weights are packed at compile time with the packing
// routine of runtime/kernels/Shapes.h; weights that arrive at run time are
// packed by the generated code into the context's pack area.
//
//===----------------------------------------------------------------------===//

#include "codegen/Emitter.h"

#include "codegen/ModelEmitter.h"

#include <dlfcn.h>

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
using namespace anvil::codegen::detail;

namespace anvil::codegen::detail {

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
/// The ONNX nodes an op computes, `conv1 + relu1` (fused locations list
/// every node); "" when its location names none.
std::string nodeNames(Operation *op) {
  std::vector<std::string> files;
  llvm::SmallVector<std::string> names;
  collectLoc(op->getLoc(), files, names);
  return llvm::join(names, " + ");
}

std::string opComment(Operation *op) {
  std::string s = op->getName().getStringRef().str();
  if (std::string names = nodeNames(op); !names.empty())
    s += " " + names;
  return s;
}

ProfileOp ModelEmitter::profileOp(Operation *op) const {
  ProfileOp p;
  p.name = nodeNames(op);
  if (llvm::isa<mlir::func::ReturnOp>(op)) {
    p.name = "graph outputs";
    p.op = "copy";
    p.kernel = "copy";
    return p;
  }
  p.op = op->getName().getStringRef().str();
  auto addPostOps = [&](mlir::ArrayAttr posts) {
    for (auto step : posts.getAsRange<ad::PostOpAttr>())
      p.op += " + " + (step.getIsBinary()
                           ? ad::stringifyBinaryKind(step.getBinaryKind())
                           : ad::stringifyUnaryKind(step.getUnaryKind()))
                          .str();
  };
  if (auto k = op->getAttrOfType<mlir::StringAttr>(kKernelAttr))
    p.kernel = k.getValue().str();
  // The shapes were checked when the call was emitted.
  if (auto conv = llvm::dyn_cast<ad::Conv2DOp>(op)) {
    addPostOps(conv.getPostOps());
    if (auto s = conv2dShapeOf(conv))
      p.flops = ak::conv2dFlops(*s);
    else
      llvm::consumeError(s.takeError());
  } else if (auto mm = llvm::dyn_cast<ad::MatmulOp>(op)) {
    addPostOps(mm.getPostOps());
    if (auto s = matmulShapeOf(mm))
      p.flops = ak::matmulFlops(*s);
    else
      llvm::consumeError(s.takeError());
  }
  return p;
}

std::string typeString(mlir::Type type) {
  std::string s;
  llvm::raw_string_ostream os(s);
  type.print(os);
  return s;
}

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
  if (auto module = func->getParentOfType<mlir::ModuleOp>())
    profiled = module->hasAttr(kProfileAttrName);
  mlir::Block &block = func.getBody().front();
  if (auto ret = llvm::dyn_cast<mlir::func::ReturnOp>(block.getTerminator()))
    for (auto [j, v] : llvm::enumerate(ret.getOperands()))
      if (returnCount[v]++ == 0)
        returnIndex[v] = j;

  for (Operation &op : block) {
    size_t before = body.str().size();
    if (auto err = emitOp(&op))
      return err;
    if (body.str().size() == before) // constants and views emit nothing
      continue;
    if (profiled) {
      body.line("anvil::rt::profileEnd(view, " +
                std::to_string(out.profile.size()) + ");");
      out.profile.push_back(profileOp(&op));
    }
    opEnds.push_back(body.str().size());
  }

  out.scratchFloatsPerThread = (out.scratchFloatsPerThread + 15) / 16 * 16;
  out.source = buildSource();
  return llvm::Error::success();
}

//===----------------------------------------------------------------------===//
// The variant's translation unit
//===----------------------------------------------------------------------===//

/// Op calls per generated function in large graphs (buildSource). Small
/// enough that clang optimizes each function quickly, large enough that the
/// calls between them cost nothing next to the kernels.
constexpr size_t kOpsPerPart = 64;

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
  // What every function holding op calls starts with: the execution
  // context, the arena, and the input and output pointers by index.
  auto locals = [&] {
    w.line("const anvil::kernels::ExecContext ec{view.pool, view.scratch, "
           "view.scratchFloatsPerThread};");
    w.line("[[maybe_unused]] char *const arena = view.arena;");
    w.line("[[maybe_unused]] char *const pack = view.pack;");
    for (auto [i, d] : llvm::enumerate(inputs))
      w.line("[[maybe_unused]] const float *const in" + std::to_string(i) +
                 " = static_cast<const float *>(inputs[" + std::to_string(i) +
                 "]);",
             d.name + " " + shapeText(d.shape));
    for (auto [i, d] : llvm::enumerate(outputs))
      w.line("[[maybe_unused]] float *const out" + std::to_string(i) +
                 " = static_cast<float *>(outputs[" + std::to_string(i) +
                 "]);",
             d.name + " " + shapeText(d.shape));
    w.blank();
  };
  // The op calls from `begin` to `end` of the body, indented one level.
  auto calls = [&](size_t begin, size_t end) {
    llvm::SmallVector<llvm::StringRef> lines;
    llvm::StringRef(body.str()).slice(begin, end).split(lines, '\n', -1,
                                                         false);
    for (llvm::StringRef l : lines)
      w.line(l);
  };
  // Large graphs: the op calls go into functions of kOpsPerPart ops each,
  // because clang's optimization time grows faster than linearly with the
  // size of one function; the last part also holds the output copies.
  llvm::SmallVector<size_t> cuts = {0};
  for (size_t k = kOpsPerPart; k < opEnds.size(); k += kOpsPerPart)
    cuts.push_back(opEnds[k - 1]);
  cuts.push_back(body.str().size());
  size_t parts = cuts.size() - 1;
  if (parts > 1) {
    w.line("namespace {");
    for (size_t p = 0; p < parts; ++p) {
      w.comment("Ops " + std::to_string(p * kOpsPerPart + 1) + " to " +
                std::to_string(std::min((p + 1) * kOpsPerPart, opEnds.size())) +
                " of " + std::to_string(opEnds.size()) + ".");
      w.open("__attribute__((noinline)) void part" + std::to_string(p) +
             "(const anvil::rt::ContextView &view, const void *const *inputs, "
             "void *const *outputs)");
      locals();
      calls(cuts[p], cuts[p + 1]);
      w.close();
    }
    w.line("} // namespace");
    w.blank();
  }
  w.comment("Called by " + n +
            "_run once the context (made for this variant) and the "
            "pointers are checked.");
  w.open("extern \"C\" __attribute__((visibility(\"hidden\"))) anvil_status_t " +
         runSymbol(n, out.tag) + kRunSignature);
  w.line("const anvil::rt::ContextView view = anvil::rt::view(context);");
  if (profiled)
    w.line("anvil::rt::profileStart(view);");
  if (parts > 1) {
    for (size_t p = 0; p < parts; ++p)
      w.line("part" + std::to_string(p) + "(view, inputs, outputs);");
  } else {
    locals();
    calls(0, body.str().size());
  }
  w.line("return ANVIL_STATUS_OK;");
  w.close();
  return w.str();
}

} // namespace anvil::codegen::detail

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

PublicSymbols anvil::codegen::publicSymbols(llvm::StringRef name) {
  return {(name + "_model").str(), (name + "_create").str(),
          (name + "_run").str(), (name + "_destroy").str()};
}

std::string anvil::codegen::modelNameProblem(llvm::StringRef name) {
  if (!isValidModelName(name))
    return "the model name must be a C identifier";
  PublicSymbols p = publicSymbols(name);
  for (const std::string *sym : {&p.model, &p.create, &p.run, &p.destroy})
    if (dlsym(RTLD_DEFAULT, sym->c_str()))
      return "it would define " + *sym +
             ", which a system library (the C library or one it loads) "
             "already defines";
  return "";
}

llvm::Expected<EmittedModel>
anvil::codegen::emitModel(llvm::ArrayRef<mlir::ModuleOp> modules,
                          const EmitOptions &options) {
  if (std::string problem = modelNameProblem(options.name); !problem.empty())
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   "invalid model name '" + options.name +
                                       "': " + problem);
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
      return err;
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
  return out;
}

std::string anvil::codegen::sanitizedTag(llvm::StringRef targetName) {
  std::string tag;
  for (char c : targetName)
    tag += llvm::isAlnum(c) ? c : '_';
  return tag;
}
