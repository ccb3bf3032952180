//===- Driver.cpp - The anvilc compilation driver -------------------------===//

#include "compiler/Driver.h"

#include "codegen/Emitter.h"
#include "codegen/KernelRegistry.h"
#include "codegen/Target.h"
#include "codegen/Toolchain.h"
#include "compiler/Pipeline.h"
#include "compiler/ScratchDirectory.h"

#ifdef ANVIL_HAVE_ONNX_IMPORTER
#include "compiler/onnx/Importer.h"
#include "dialects/anvil/IR/AnvilOps.h"
#endif

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/ADT/MapVector.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Signals.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

#include <chrono>

using namespace anvil;
namespace fs = llvm::sys::fs;
namespace path = llvm::sys::path;

namespace {

llvm::Error makeError(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

using Clock = std::chrono::steady_clock;
double secondsSince(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

/// What the compilation finally writes.
enum class OutputKind { Mlir, Cpp, SharedLibrary, Object };

/// `-v` after the graph passes: the conv2d / matmul ops, the post-ops fused
/// into them and the elementwise ops still running on their own.
void printFusionSummary(mlir::ModuleOp module) {
  int64_t compute = 0, posts = 0, alone = 0;
  module.walk([&](mlir::Operation *op) {
    if (auto c = llvm::dyn_cast<mlir::anvil::Conv2DOp>(op)) {
      ++compute;
      posts += c.getPostOps().size();
    } else if (auto m = llvm::dyn_cast<mlir::anvil::MatmulOp>(op)) {
      ++compute;
      posts += m.getPostOps().size();
    } else if (llvm::isa<mlir::anvil::UnaryOp, mlir::anvil::BinaryOp>(op)) {
      ++alone;
    }
  });
  llvm::errs() << "fusion: " << posts << " post-ops in " << compute
               << " conv2d/matmul ops; " << alone
               << " elementwise ops on their own\n";
}

/// -v after kernel selection: how many conv2d ops take each path, e.g.
/// `conv2d paths (x86-64-v4): 7 Winograd, 22 Gemm, 6 ChannelVector`.
void printConvPathSummary(mlir::ModuleOp module, llvm::StringRef target) {
  llvm::MapVector<llvm::StringRef, int64_t> counts; // first-seen order
  module.walk([&](mlir::anvil::Conv2DOp op) {
    auto name = op->getAttrOfType<mlir::StringAttr>(codegen::kKernelAttr);
    const codegen::Conv2DKernel *k =
        name ? codegen::findConv2DKernel(name.getValue()) : nullptr;
    ++counts[k ? codegen::conv2dPathEnumerator(k->plan.path) : "unknown"];
  });
  llvm::errs() << "conv2d paths (" << target << "):";
  if (counts.empty())
    llvm::errs() << " no conv2d";
  llvm::ListSeparator sep(",");
  for (auto &[path, n] : counts)
    llvm::errs() << sep << " " << n << " " << path;
  llvm::errs() << "\n";
}

/// Collects error diagnostics so that they become one `anvilc: error:`
/// message; warnings and remarks are printed only with -v.
class DiagnosticCollector {
public:
  DiagnosticCollector(mlir::MLIRContext &ctx, bool verbose)
      : handler(&ctx, [this, verbose](mlir::Diagnostic &d) {
          std::string loc = codegen::describeLocation(d.getLocation());
          std::string text = (loc.empty() ? "" : loc + ": ") + d.str();
          for (const mlir::Diagnostic &note : d.getNotes())
            text += "\n  note: " + note.str();
          if (d.getSeverity() == mlir::DiagnosticSeverity::Error)
            errors.push_back(text);
          else if (verbose)
            llvm::errs() << "anvilc: "
                         << (d.getSeverity() ==
                                     mlir::DiagnosticSeverity::Warning
                                 ? "warning: "
                                 : "note: ")
                         << text << "\n";
          return mlir::success();
        }) {}

  /// All errors so far, or `fallback` when none was reported.
  llvm::Error take(const llvm::Twine &fallback) {
    std::string message =
        errors.empty() ? fallback.str() : llvm::join(errors, "\n");
    errors.clear();
    return makeError(message);
  }

private:
  std::vector<std::string> errors;
  mlir::ScopedDiagnosticHandler handler;
};

/// Whether anvilc may put a file at `out`: nothing there yet, or a regular
/// file that is not the input model (`--emit=mlir -o model.onnx` would
/// replace the model; `-o /dev/null` would replace the device with a file).
llvm::Error checkReplaceable(llvm::StringRef out, llvm::StringRef input) {
  fs::file_status st;
  if (fs::status(out, st) || st.type() == fs::file_type::file_not_found)
    return llvm::Error::success(); // nothing there (or nothing we can see)
  if (st.type() != fs::file_type::regular_file)
    return makeError("the output '" + out +
                     "' exists and is not a regular file; anvilc replaces "
                     "only regular files");
  bool same = false;
  if (!input.empty() && input != "-" && !fs::equivalent(out, input, same) &&
      same)
    return makeError("the output '" + out +
                     "' is the input model; choose another output");
  return llvm::Error::success();
}

/// Files written next to their final path under a temporary name and
/// renamed into place only when everything succeeded; removed otherwise.
/// Each final path must pass checkReplaceable against `input`.
class AtomicOutputs {
public:
  explicit AtomicOutputs(llvm::StringRef input) : input(input.str()) {}

  ~AtomicOutputs() {
    for (auto &[tmp, final] : pending) {
      fs::remove(tmp);
      llvm::sys::DontRemoveFileOnSignal(tmp);
    }
  }

  /// A fresh temporary path in the directory of `finalPath`.
  llvm::Expected<std::string> reserve(llvm::StringRef finalPath) {
    if (llvm::Error e = checkReplaceable(finalPath, input))
      return e;
    llvm::SmallString<256> model(finalPath);
    llvm::SmallString<64> name(".");
    name += path::filename(finalPath);
    name += ".tmp-%%%%%%%%";
    path::remove_filename(model);
    path::append(model, name);
    llvm::SmallString<256> tmp;
    int fd;
    if (std::error_code ec = fs::createUniqueFile(model, fd, tmp))
      return makeError("cannot write '" + finalPath + "': " + ec.message());
    fs::closeFile(fd);
    llvm::sys::RemoveFileOnSignal(tmp);
    pending.emplace_back(tmp.str().str(), finalPath.str());
    return tmp.str().str();
  }

  /// Reserves a temporary file for `finalPath` and writes `data` into it.
  llvm::Error write(llvm::StringRef finalPath, llvm::StringRef data) {
    auto tmp = reserve(finalPath);
    if (!tmp)
      return tmp.takeError();
    std::error_code ec;
    llvm::raw_fd_ostream os(*tmp, ec);
    if (!ec) {
      os << data;
      os.close();
      if (os.has_error())
        ec = os.error();
    }
    if (ec)
      return makeError("cannot write '" + finalPath + "': " + ec.message());
    return llvm::Error::success();
  }

  /// Renames every temporary file to its final path.
  llvm::Error commit() {
    for (auto &[tmp, final] : pending) {
      if (std::error_code ec = fs::rename(tmp, final))
        return makeError("cannot write '" + final + "': " + ec.message());
      llvm::sys::DontRemoveFileOnSignal(tmp);
    }
    pending.clear();
    return llvm::Error::success();
  }

private:
  std::string input;
  std::vector<std::pair<std::string, std::string>> pending;
};

/// Writes text to stdout ("-") or atomically to a file.
llvm::Error writeText(llvm::StringRef output, llvm::StringRef text,
                      llvm::StringRef input) {
  if (output == "-") {
    llvm::outs() << text;
    llvm::outs().flush();
    return llvm::Error::success();
  }
  AtomicOutputs outs(input);
  if (auto err = outs.write(output, text))
    return err;
  return outs.commit();
}

llvm::StringRef kindName(OutputKind kind) {
  switch (kind) {
  case OutputKind::Mlir:
    return "MLIR";
  case OutputKind::Cpp:
    return "C++ source";
  case OutputKind::SharedLibrary:
    return "shared library";
  case OutputKind::Object:
    return "object file";
  }
  return "";
}

/// Decides the last phase and the output kind from --emit, --compile-to and
/// the output's extension.
llvm::Error decideOutput(const CompileOptions &o, Phase &last,
                         OutputKind &kind) {
  llvm::StringRef ext = path::extension(o.output);
  bool binaryExt = ext == ".so" || ext == ".o";
  switch (o.emit) {
  case EmitKind::Mlir:
    if (o.compileTo && *o.compileTo > Phase::Plan)
      return makeError("--emit=mlir cannot be combined with --compile-to=" +
                       phaseName(*o.compileTo));
    last = o.compileTo.value_or(Phase::Plan);
    kind = OutputKind::Mlir;
    break;
  case EmitKind::Cpp:
    if (o.compileTo && *o.compileTo != Phase::Emit)
      return makeError("--emit=cpp cannot be combined with --compile-to=" +
                       phaseName(*o.compileTo));
    last = Phase::Emit;
    kind = OutputKind::Cpp;
    break;
  case EmitKind::Default:
    last = o.compileTo.value_or(Phase::Object);
    if (last <= Phase::Plan)
      kind = OutputKind::Mlir;
    else if (last == Phase::Emit)
      kind = OutputKind::Cpp;
    else if (ext == ".so")
      kind = OutputKind::SharedLibrary;
    else if (ext == ".o")
      kind = OutputKind::Object;
    else if (o.output == "-")
      return makeError("cannot write a shared library or object file to "
                       "stdout; use --emit=cpp or --emit=mlir");
    else
      return makeError("cannot tell what to write from the output name '" +
                       o.output +
                       "': use .so (shared library) or .o (object file), or "
                       "--emit=cpp / --emit=mlir");
    break;
  }
  if (o.output != "-")
    if (llvm::Error e = checkReplaceable(o.output, o.input))
      return e;
  if ((kind == OutputKind::Mlir || kind == OutputKind::Cpp) && binaryExt)
    return makeError("the output '" + o.output + "' names a binary, but " +
                     kindName(kind) +
                     " is requested; choose another extension");
  return llvm::Error::success();
}

/// `model.so` -> "model"; `libnet-v2.so` -> "net_v2".
std::string sanitizeName(llvm::StringRef raw) {
  std::string name;
  for (char c : raw)
    name += (llvm::isAlnum(c) || c == '_') ? c : '_';
  if (name.empty())
    return "model";
  if (llvm::isDigit(name.front()))
    name = "_" + name;
  return name;
}

/// Loads the input: ONNX through the importer, `.mlir` through the parser.
llvm::Expected<mlir::OwningOpRef<mlir::ModuleOp>>
loadInput(mlir::MLIRContext &ctx, const CompileOptions &o,
          DiagnosticCollector &diags) {
  if (path::extension(o.input) == ".mlir") {
    if (!o.shapePins.empty())
      return makeError("--shape applies to ONNX inputs, not to '" + o.input +
                       "'");
    bool regular = false;
    if (!llvm::sys::fs::is_regular_file(o.input, regular) && !regular)
      return makeError("cannot open '" + o.input + "': not a regular file");
    auto buffer = llvm::MemoryBuffer::getFile(o.input);
    if (!buffer)
      return makeError("cannot open '" + o.input +
                       "': " + buffer.getError().message());
    llvm::SourceMgr sm;
    sm.AddNewSourceBuffer(std::move(*buffer), llvm::SMLoc());
    auto module = mlir::parseSourceFile<mlir::ModuleOp>(sm, &ctx);
    if (!module)
      return diags.take("cannot parse '" + o.input + "'");
    return module;
  }
#ifdef ANVIL_HAVE_ONNX_IMPORTER
  ImportOptions importOptions;
  for (const std::string &pin : o.shapePins)
    if (auto err = parseShapePin(pin, importOptions))
      return err;
  auto module = importOnnxModel(ctx, o.input, importOptions);
  if (!module)
    return module.takeError();
  return std::move(*module);
#else
  return makeError("cannot import '" + o.input +
                   "': this anvilc was built without the ONNX importer");
#endif
}

std::string formatSeconds(double s) {
  return llvm::formatv("{0:F2} s", s).str();
}

} // namespace

std::string anvil::modelNameFromOutput(llvm::StringRef output) {
  llvm::StringRef stem = path::stem(output);
  // `model.weights.o` -> stem "model.weights": keep all of it.
  if (stem.starts_with("lib") && stem.size() > 3)
    stem = stem.drop_front(3);
  return sanitizeName(stem);
}

llvm::Expected<std::vector<std::string>>
anvil::compileFlagsFor(llvm::StringRef targets) {
  auto parsed = codegen::parseTargets(targets);
  if (!parsed)
    return parsed.takeError();
  if (parsed->size() != 1)
    return makeError("--print-compile-flags takes one target, not '" +
                     targets + "'");
  return codegen::compileFlags(codegen::Toolchain::fromBuild(),
                               parsed->front());
}

llvm::Error anvil::compile(const CompileOptions &o) {
  Clock::time_point start = Clock::now();
  auto phaseDone = [&](llvm::StringRef phase, Clock::time_point t,
                       const std::string &detail = "") {
    if (o.verbose)
      llvm::errs() << "phase " << phase << ": "
                   << formatSeconds(secondsSince(t))
                   << (detail.empty() ? "" : "  (" + detail + ")") << "\n";
  };

  Phase last;
  OutputKind kind;
  if (auto err = decideOutput(o, last, kind))
    return err;
  if (!o.name.empty())
    if (std::string problem = codegen::modelNameProblem(o.name);
        !problem.empty())
      return makeError("invalid --name '" + o.name + "': " + problem);

  mlir::DialectRegistry registry;
  registerDialects(registry);
  mlir::MLIRContext ctx(registry);
  ctx.loadAllAvailableDialects();
  DiagnosticCollector diags(ctx, o.verbose);

  // import
  Clock::time_point t = Clock::now();
  auto loaded = loadInput(ctx, o, diags);
  if (!loaded)
    return loaded.takeError();
  mlir::OwningOpRef<mlir::ModuleOp> module = std::move(*loaded);
  if (mlir::failed(mlir::verify(*module)))
    return diags.take("'" + o.input + "' does not verify");
  phaseDone("import", t, o.input);

  // The targets: one module per target, each carrying its #anvil.target
  // before any pass that depends on it runs.
  std::string targetSpec = o.targets;
  if (targetSpec.empty() && !(*module)->hasAttr(codegen::kTargetAttrName))
    targetSpec = "native";
  std::vector<codegen::Target> targets;
  if (!targetSpec.empty()) {
    auto parsed = codegen::parseTargets(targetSpec);
    if (!parsed)
      return parsed.takeError();
    targets = std::move(*parsed);
  } else {
    auto own = codegen::moduleTarget(*module);
    if (!own)
      return makeError("'" + o.input + "': " + llvm::toString(own.takeError()));
    targets.push_back(std::move(*own));
  }
  if (targets.size() > 1 && kind == OutputKind::Mlir)
    return makeError("IR output holds one target; --target=" + targetSpec +
                     " names " + std::to_string(targets.size()));
  if (o.verbose)
    for (const codegen::Target &tg : targets)
      llvm::errs() << "target: " << tg.describe() << "\n";

  // graph (once), then kernelize and plan per target.
  if (o.from > Phase::Import && path::extension(o.input) != ".mlir")
    return makeError("--from=" + phaseName(o.from) +
                     " needs .mlir input, not '" + o.input + "'");
  if (o.from > Phase::Plan)
    return makeError("--from=" + phaseName(o.from) +
                     " is not a phase with IR input (import, graph, "
                     "kernelize or plan)");
  if (last >= Phase::Graph && o.from < Phase::Graph) {
    t = Clock::now();
    mlir::PassManager pm(&ctx);
    addGraphPasses(pm, o.pipeline);
    if (mlir::failed(pm.run(*module)))
      return diags.take("the graph passes failed on '" + o.input + "'");
    phaseDone("graph", t, o.pipeline.optimize ? "" : "-O0: skipped");
    if (o.verbose)
      printFusionSummary(*module);
  }
  std::vector<mlir::OwningOpRef<mlir::ModuleOp>> variants;
  for (const codegen::Target &tg : targets) {
    mlir::OwningOpRef<mlir::ModuleOp> v =
        targets.size() == 1 ? std::move(module) : module->clone();
    (*v)->setAttr(codegen::kTargetAttrName,
                  codegen::targetToAttr(&ctx, tg));
    if (o.profile)
      (*v)->setAttr(codegen::kProfileAttrName, mlir::UnitAttr::get(&ctx));
    std::string forTarget =
        targets.size() == 1 ? "" : " for target " + tg.name;
    if (last >= Phase::Kernelize && o.from < Phase::Kernelize) {
      t = Clock::now();
      mlir::PassManager pm(&ctx);
      addKernelizePasses(pm, o.pipeline);
      if (mlir::failed(pm.run(*v)))
        return diags.take("kernel selection failed on '" + o.input + "'" +
                          forTarget);
      phaseDone("kernelize", t, tg.name);
      if (o.verbose)
        printConvPathSummary(*v, tg.name);
    }
    if (last >= Phase::Plan && o.from < Phase::Plan) {
      t = Clock::now();
      mlir::PassManager pm(&ctx);
      addPlanPasses(pm);
      if (mlir::failed(pm.run(*v)))
        return diags.take("memory planning failed on '" + o.input + "'" +
                          forTarget);
      phaseDone("plan", t, tg.name);
    }
    variants.push_back(std::move(v));
  }
  mlir::ModuleOp first = *variants.front();
  auto printArena = [&](uint64_t arena, uint64_t naive) {
    if (!o.verbose)
      return;
    double saved = naive ? 100.0 * (1.0 - double(arena) / double(naive)) : 0.0;
    llvm::errs() << "arena: " << arena << " bytes (naive " << naive
                 << " bytes, " << llvm::formatv("{0:F1}", saved)
                 << "% saved)\n";
  };
  auto summary = [&](llvm::StringRef name) {
    if (o.verbose)
      llvm::errs() << "compiled " << name << " in "
                   << formatSeconds(secondsSince(start)) << " -> "
                   << (o.output == "-" ? "<stdout>" : o.output) << " ("
                   << kindName(kind) << ")\n";
  };

  std::string name = o.name;
  if (name.empty()) {
    if (o.output != "-")
      name = modelNameFromOutput(o.output);
    else if (auto attr =
                 first->getAttrOfType<mlir::StringAttr>("anvil.model_name"))
      name = sanitizeName(attr.getValue());
    else
      name = "model";
    if (std::string problem = codegen::modelNameProblem(name);
        !problem.empty() && kind != OutputKind::Mlir)
      return makeError("the model name '" + name +
                       "' (from the output file name or the graph) cannot "
                       "be used: " + problem + "; choose one with --name");
  }

  if (kind == OutputKind::Mlir) {
    if (last >= Phase::Plan)
      if (auto f = first.lookupSymbol<mlir::func::FuncOp>("main"))
        if (auto a = f->getAttrOfType<mlir::IntegerAttr>("anvil.arena_bytes")) {
          auto n = f->getAttrOfType<mlir::IntegerAttr>("anvil.naive_bytes");
          printArena(a.getInt(), n ? n.getInt() : a.getInt());
        }
    std::string text;
    llvm::raw_string_ostream os(text);
    first->print(os);
    if (auto err = writeText(o.output, text, o.input))
      return err;
    summary(name);
    return llvm::Error::success();
  }

  // emit
  t = Clock::now();
  std::unique_ptr<ScratchDirectory> scratch;
  if (kind != OutputKind::Cpp) {
    auto s = ScratchDirectory::create();
    if (!s)
      return s.takeError();
    scratch = std::move(*s);
  }

  // Where the source, header and blob go.
  std::string cppPath, headerPath, weightsPath;
  if (kind == OutputKind::Cpp) {
    if (o.output != "-") {
      llvm::SmallString<256> base(o.output);
      if (path::extension(base) == ".cpp" || path::extension(base) == ".cc" ||
          path::extension(base) == ".cxx")
        path::replace_extension(base, "");
      cppPath = o.output;
      headerPath = (base + ".h").str();
      weightsPath = (base + ".weights.bin").str();
    } else {
      weightsPath = name + ".weights.bin";
    }
  } else {
    cppPath = scratch->file(name + ".cpp");
    headerPath = scratch->file(name + ".h");
    weightsPath = scratch->file(name + ".weights.bin");
  }
  llvm::SmallString<256> absWeights(weightsPath);
  if (o.output != "-" || kind != OutputKind::Cpp)
    fs::make_absolute(absWeights);

  llvm::SmallVector<mlir::ModuleOp> variantOps;
  for (auto &v : variants)
    variantOps.push_back(*v);
  auto emitted = codegen::emitModel(
      variantOps,
      codegen::EmitOptions{name, absWeights.str().str(), o.defaultThreads});
  if (!emitted)
    return emitted.takeError();
  int64_t calls = 0;
  for (const codegen::EmittedVariant &v : emitted->variants)
    calls += v.numKernelCalls;
  phaseDone("emit", t,
            std::to_string(calls) + " kernel calls, weights " +
                std::to_string(emitted->weights.size()) + " bytes");

  auto printStats = [&] {
    const codegen::EmittedVariant &best = emitted->variants.front();
    printArena(best.arenaBytes, best.naiveArenaBytes);
    if (o.verbose)
      for (const codegen::EmittedVariant &v : emitted->variants)
        llvm::errs() << "variant " << v.target.name
                     << ": scratch: " << v.scratchFloatsPerThread
                     << " floats per thread, run-time packed weights: "
                     << v.packBytes << " bytes\n";
    if (o.verbose)
      llvm::errs() << "weights: " << emitted->weights.size() << " bytes\n";
  };
  // NAME.cpp (the entry) and NAME.TAG.cpp per variant, next to each other.
  auto variantPath = [&](llvm::StringRef entryPath,
                         const codegen::EmittedVariant &v) {
    llvm::SmallString<256> p(entryPath);
    path::replace_extension(p, "");
    return (p + "." + v.tag + ".cpp").str();
  };

  if (kind == OutputKind::Cpp) {
    if (o.output == "-") {
      llvm::outs() << emitted->source;
      for (const codegen::EmittedVariant &v : emitted->variants)
        llvm::outs() << "\n" << v.source;
      llvm::outs().flush();
    } else {
      AtomicOutputs outs(o.input);
      if (auto err = outs.write(cppPath, emitted->source))
        return err;
      for (const codegen::EmittedVariant &v : emitted->variants)
        if (auto err = outs.write(variantPath(cppPath, v), v.source))
          return err;
      if (auto err = outs.write(headerPath, emitted->header))
        return err;
      auto tmp = outs.reserve(weightsPath);
      if (!tmp)
        return tmp.takeError();
      if (auto err = emitted->weights.writeTo(*tmp))
        return err;
      if (auto err = outs.commit())
        return err;
    }
    printStats();
    summary(name);
    return llvm::Error::success();
  }

  // object
  if (auto err = emitted->weights.writeTo(weightsPath))
    return err;
  std::vector<codegen::TranslationUnit> units;
  units.push_back({cppPath, codegen::TranslationUnit::Entry, std::nullopt});
  std::vector<std::pair<std::string, const std::string *>> files = {
      {cppPath, &emitted->source}, {headerPath, &emitted->header}};
  for (const codegen::EmittedVariant &v : emitted->variants) {
    std::string p = variantPath(cppPath, v);
    files.emplace_back(p, &v.source);
    units.push_back({p, codegen::TranslationUnit::Variant, v.target});
  }
  for (auto &[p, text] : files) {
    std::error_code ec;
    llvm::raw_fd_ostream os(p, ec);
    if (ec)
      return makeError("cannot write '" + p + "': " + ec.message());
    os << *text;
  }
  t = Clock::now();
  AtomicOutputs outs(o.input);
  auto tmpOut = outs.reserve(o.output);
  if (!tmpOut)
    return tmpOut.takeError();
  codegen::Toolchain tc = codegen::Toolchain::fromBuild();
  if (auto err = codegen::buildLibrary(
          tc, units, *tmpOut,
          kind == OutputKind::SharedLibrary ? codegen::OutputKind::SharedLibrary
                                            : codegen::OutputKind::Object,
          scratch->path(), o.verbose))
    return err;
  phaseDone("object", t, llvm::sys::path::filename(tc.clangxx).str());
  {
    // The C header goes next to the object or library: DIR/NAME.h.
    llvm::SmallString<256> h(o.output);
    path::remove_filename(h);
    path::append(h, name + ".h");
    if (auto err = outs.write(h, emitted->header))
      return err;
  }
  if (auto err = outs.commit())
    return err;
  printStats();
  summary(name);
  return llvm::Error::success();
}
