//===- anvilc.cpp - The Anvil compiler driver -------------------*- C++ -*-===//
//
// anvilc MODEL.onnx -o OUT.{so,o} [options]: a thin command line over
// anvil::compile (compiler/Driver.h). Errors are one `anvilc: error:` message
// on stderr and exit code 1; stdout stays quiet unless text goes to `-o -`.
//
//===----------------------------------------------------------------------===//

#include "compiler/Driver.h"

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/raw_ostream.h"

#include <optional>
#include <string>

namespace {

constexpr const char *kUsage = R"(usage: anvilc MODEL -o OUT [options]

Compiles an ONNX model (.onnx, or ONNX text format .onnxtxt) into a shared
library (OUT.so, self-contained, exports anvil_model_get) or an object file
(OUT.o; link it with libanvil_runtime.a). Both come with the C header NAME.h
next to them.
A MODEL ending in .mlir is parsed as anvil IR instead of imported.

options:
  -o OUT                   output file; `-` writes text output to stdout
  --shape NAME=DIMS        pin the shape of graph input NAME (e.g. 1x3x224x224);
                           repeatable
  --emit=cpp               write OUT.cpp, OUT.h and OUT.weights.bin
  --emit=mlir              write the IR after the passes
  --target=NAME[,NAME...]  the CPU to build for (default: native, this
                           host): x86-64-v3 (AVX2+FMA), x86-64-v4 (AVX-512),
                           a clang CPU name (znver3, znver4, icelake-server,
                           sapphirerapids, ...), each with optional
                           +feature suffixes (+avx512vnni, +avx512bf16)
  --print-compile-flags    print the clang++ flags generated code for the
                           --target is built with, one per line, and exit
  --compile-to=PHASE       stop after PHASE: import, graph, kernelize, plan
                           (IR), emit (C++), object (default)
  --from=PHASE             the .mlir input is the output of PHASE (import,
                           graph, kernelize, plan); its passes are skipped,
                           so with plan the input's own memory plan is used
  --name NAME              model name (C identifier) prefixing NAME_create,
                           NAME_run, ...; default: the output file stem
  --threads-default T      threads a context gets when the caller asks for 0
  --O0                     skip the optimizing passes (memory planning runs)
  --no-fusion              do not fuse elementwise ops into conv2d and
                           matmul epilogues (anvil-fuse-epilogues)
  --no-winograd            compute 3x3 stride-1 convs directly, not as
                           Winograd F(4x4, 3x3)
  --profile                time every op in the generated library (read by
                           anvil_context_profile; anvil-run --profile)
  -v                       print phase timings, the arena size and a summary
  -h, --help               print this help
)";

int fail(const std::string &message) {
  llvm::errs() << "anvilc: error: " << message << "\n";
  return 1;
}

} // namespace

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  anvil::CompileOptions options;
  bool haveOutput = false;
  bool printFlags = false;

  for (int i = 1; i < argc; ++i) {
    llvm::StringRef arg = argv[i];
    // `--opt=value`, `--opt value` (and `-o value`, `-ovalue`).
    auto value = [&](llvm::StringRef flag,
                     std::string &out) -> std::optional<bool> {
      if (arg == flag) {
        if (i + 1 >= argc) {
          fail("missing value after '" + flag.str() + "'");
          return false;
        }
        out = argv[++i];
        return true;
      }
      if (arg.starts_with(flag)) {
        llvm::StringRef rest = arg.drop_front(flag.size());
        if ((flag == "-o" && !rest.empty() && rest[0] != '=') ||
            rest.consume_front("=")) {
          out = rest.str();
          return true;
        }
      }
      return std::nullopt;
    };
    std::string v;
    std::optional<bool> r;
    if (arg == "-h" || arg == "--help") {
      llvm::outs() << kUsage;
      return 0;
    }
    if (arg == "-v" || arg == "--verbose") {
      options.verbose = true;
    } else if (arg == "--O0" || arg == "-O0") {
      options.pipeline.optimize = false;
    } else if (arg == "--O2" || arg == "-O2" || arg == "--O3" || arg == "-O3") {
      options.pipeline.optimize = true;
    } else if (arg == "--no-fusion") {
      options.pipeline.fuse = false;
    } else if (arg == "--no-winograd") {
      options.pipeline.winograd = false;
    } else if (arg == "--profile") {
      options.profile = true;
    } else if ((r = value("-o", v))) {
      if (!*r)
        return 1;
      if (haveOutput)
        return fail("more than one output given ('" + options.output +
                    "' and '" + v + "')");
      options.output = v;
      haveOutput = true;
    } else if ((r = value("--shape", v))) {
      if (!*r)
        return 1;
      options.shapePins.push_back(v);
    } else if ((r = value("--emit", v))) {
      if (!*r)
        return 1;
      if (v == "cpp")
        options.emit = anvil::EmitKind::Cpp;
      else if (v == "mlir")
        options.emit = anvil::EmitKind::Mlir;
      else
        return fail("invalid value '" + v + "' for --emit (cpp or mlir)");
    } else if ((r = value("--compile-to", v))) {
      if (!*r)
        return 1;
      options.compileTo = anvil::parsePhase(v);
      if (!options.compileTo)
        return fail("invalid value '" + v +
                    "' for --compile-to (import, graph, kernelize, plan, "
                    "emit or object)");
    } else if ((r = value("--from", v))) {
      if (!*r)
        return 1;
      std::optional<anvil::Phase> from = anvil::parsePhase(v);
      if (!from || *from > anvil::Phase::Plan)
        return fail("invalid value '" + v +
                    "' for --from (import, graph, kernelize or plan)");
      options.from = *from;
    } else if ((r = value("--target", v))) {
      if (!*r)
        return 1;
      if (v.empty())
        return fail("empty value for --target");
      options.targets = v;
    } else if (arg == "--print-compile-flags") {
      printFlags = true;
    } else if ((r = value("--name", v))) {
      if (!*r)
        return 1;
      if (v.empty())
        return fail("empty value for --name");
      options.name = v;
    } else if ((r = value("--threads-default", v))) {
      if (!*r)
        return 1;
      int t = 0;
      if (llvm::StringRef(v).getAsInteger(10, t) || t < 0 || t > 4096)
        return fail("invalid value '" + v + "' for --threads-default");
      options.defaultThreads = t;
    } else if (arg.starts_with("-") && arg != "-") {
      return fail("unknown option '" + arg.str() + "' (see anvilc --help)");
    } else {
      if (!options.input.empty())
        return fail("more than one input given ('" + options.input + "' and '" +
                    arg.str() + "')");
      options.input = arg.str();
    }
  }
  if (printFlags) {
    auto flags = anvil::compileFlagsFor(
        options.targets.empty() ? "native" : options.targets);
    if (!flags)
      return fail(llvm::toString(flags.takeError()));
    for (const std::string &f : *flags)
      llvm::outs() << f << "\n";
    return 0;
  }
  if (options.input.empty())
    return fail("no input model given (usage: anvilc MODEL -o OUT; see "
                "anvilc --help)");
  if (!haveOutput)
    return fail("no output given: use -o OUT.so or -o OUT.o");

  if (llvm::Error err = anvil::compile(options)) {
    std::string message = llvm::toString(std::move(err));
    return fail(message);
  }
  return 0;
}
