//===- ImporterFuzzer.cpp - libFuzzer harness for the ONNX importer -------===//
//
// Model bytes -> the path anvilc takes: compiler/onnx's loader (protobuf or
// text parsing, external data confined to the model's folder, the checks that
// protect libonnx, the checker, shape inference) -> the importer -> the
// verifier -> the graph, kernelize (for x86-64-v4) and plan phases. A clean
// error is the expected outcome for most inputs; a crash, a sanitizer report,
// a failed assert, a leak or an out-of-memory is a finding.
//
// Inputs starting with '<' or '#' are ONNX's text format (.onnxtxt), others
// binary protobuf (.onnx). The bytes go to a file in a private temporary
// folder (the loader reads a path), so external data can only name files in
// that folder. Binary inputs are mutated as models (ModelMutator.h) two
// times in three, as bytes otherwise. ANVIL_FUZZ_VERBOSE=1 prints each
// input's outcome.
//
//===----------------------------------------------------------------------===//

#include "codegen/Target.h"
#include "compiler/Pipeline.h"
#include "compiler/onnx/Importer.h"
#include "test/fuzz/ModelMutator.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <random>
#include <string>

namespace {

struct FuzzState {
  std::string dir;         // private temporary folder for the model file
  std::string binaryPath;  // dir/model.onnx
  std::string textPath;    // dir/model.onnxtxt
  std::optional<anvil::codegen::Target> target;
  bool verbose = false;
};

FuzzState *state = nullptr;

void removeTempDir() {
  if (!state)
    return;
  llvm::sys::fs::remove(state->binaryPath);
  llvm::sys::fs::remove(state->textPath);
  llvm::sys::fs::remove(state->dir);
}

void report(const char *stage, const std::string &message) {
  if (state->verbose)
    llvm::errs() << "fuzz-importer: " << stage << ": " << message << "\n";
}

} // namespace

/// LLVM's headers poison the unused tail of a BumpPtrAllocator slab when
/// built with ASan; libMLIR.so, built without it, then allocates from the
/// same slab without unpoisoning: false use-after-poison reports. Manual
/// poisoning off; every other check stays on.
extern "C" const char *__asan_default_options() {
  return "allow_user_poisoning=0";
}
extern "C" const char *__ubsan_default_options() {
  return "print_stacktrace=1";
}

extern "C" int LLVMFuzzerInitialize(int *argc, char ***argv) {
  state = new FuzzState;
  state->verbose = std::getenv("ANVIL_FUZZ_VERBOSE") != nullptr;
  llvm::SmallString<128> dir;
  if (std::error_code ec =
          llvm::sys::fs::createUniqueDirectory("anvil-fuzz-importer", dir)) {
    llvm::errs() << "fuzz-importer: cannot create a temporary folder: "
                 << ec.message() << "\n";
    std::exit(1);
  }
  state->dir = dir.str().str();
  state->binaryPath = state->dir + "/model.onnx";
  state->textPath = state->dir + "/model.onnxtxt";
  std::atexit(removeTempDir);
  auto targets = anvil::codegen::parseTargets("x86-64-v4");
  if (!targets) {
    llvm::errs() << "fuzz-importer: "
                 << llvm::toString(targets.takeError()) << "\n";
    std::exit(1);
  }
  state->target = targets->front();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  bool text = size > 0 && (data[0] == '<' || data[0] == '#');
  const std::string &path = text ? state->textPath : state->binaryPath;
  {
    std::error_code ec;
    llvm::raw_fd_ostream os(path, ec, llvm::sys::fs::OF_None);
    if (ec) {
      llvm::errs() << "fuzz-importer: cannot write " << path << ": "
                   << ec.message() << "\n";
      std::abort();
    }
    os.write(reinterpret_cast<const char *>(data), size);
  }

  // A fresh single-threaded context per input: nothing carries over between
  // inputs, and no thread pool is created and destroyed each time.
  mlir::DialectRegistry registry;
  anvil::registerDialects(registry);
  mlir::MLIRContext ctx(registry, mlir::MLIRContext::Threading::DISABLED);
  std::string diagnostics;
  mlir::ScopedDiagnosticHandler handler(&ctx, [&](mlir::Diagnostic &d) {
    diagnostics += d.str() + "; ";
    return mlir::success();
  });

  auto module = anvil::importOnnxModel(ctx, path, anvil::ImportOptions{});
  if (!module) {
    report("import", llvm::toString(module.takeError()));
    return 0;
  }
  if (mlir::failed(mlir::verify(**module))) {
    // importOnnxModel promises a verified module.
    llvm::errs() << "fuzz-importer: the imported module does not verify: "
                 << diagnostics << "\n";
    std::abort();
  }

  mlir::PassManager graph(&ctx);
  anvil::addGraphPasses(graph, anvil::PipelineOptions{});
  if (mlir::failed(graph.run(**module))) {
    report("graph", diagnostics);
    return 0;
  }
  (**module)->setAttr(anvil::codegen::kTargetAttrName,
                      anvil::codegen::targetToAttr(&ctx, *state->target));
  mlir::PassManager lower(&ctx);
  anvil::addKernelizePasses(lower, anvil::PipelineOptions{});
  anvil::addPlanPasses(lower);
  if (mlir::failed(lower.run(**module))) {
    report("kernelize/plan", diagnostics);
    return 0;
  }
  report("ok", diagnostics);
  return 0;
}

extern "C" size_t LLVMFuzzerMutate(uint8_t *data, size_t size, size_t maxSize);

extern "C" size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size,
                                          size_t maxSize, unsigned seed) {
  std::minstd_rand rng(seed);
  bool text = size > 0 && (data[0] == '<' || data[0] == '#');
  onnx::ModelProto model;
  if (text || rng() % 3 == 0 ||
      !model.ParseFromArray(data, static_cast<int>(size)) ||
      !anvil::fuzz::mutateModel(model, static_cast<uint32_t>(rng())))
    return LLVMFuzzerMutate(data, size, maxSize);
  std::string bytes;
  if (!model.SerializeToString(&bytes) || bytes.size() > maxSize)
    return LLVMFuzzerMutate(data, size, maxSize);
  std::memcpy(data, bytes.data(), bytes.size());
  return bytes.size();
}
