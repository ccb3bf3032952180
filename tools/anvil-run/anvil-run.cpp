//===- anvil-run.cpp - load and run any Anvil-compiled model library ------===//
//
// anvil-run LIB.so [--input NAME=FILE | --input FILE]... [--output-dir DIR]
//                  [--threads T] [--bench N [--warmup W]] [--info]
//                  [--profile] [--trace FILE]
// anvil-run --peak [--threads T]
//
// Loads a shared library produced by anvilc through its generic entry point
// (anvil_model_get), feeds it float32 inputs from .npy or ONNX TensorProto
// .pb files, and writes every output to DIR/<name>.npy. Every problem is one
// `anvil-run: error: ...` line and exit status 1.
//
//===----------------------------------------------------------------------===//

#include "anvil/Peak.h"
#include "anvil/runtime.h"
#include "tools/anvil-run/Profile.h"
#include "tools/anvil-run/TensorFile.h"

#include <dlfcn.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <climits>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <filesystem>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

using anvil::run::formatShape;
using anvil::run::HostTensor;

namespace {

/// Thrown to unwind to main with a message; main prints it and exits 1.
struct ToolError {
  std::string message;
};

[[noreturn]] void fail(const std::string &message) { throw ToolError{message}; }

void printUsage(FILE *out) {
  std::fprintf(
      out,
      "usage: anvil-run LIB.so [options] [FILE...]\n"
      "\n"
      "Runs a model library compiled by anvilc.\n"
      "\n"
      "options:\n"
      "  --input NAME=FILE   input tensor NAME from FILE (.npy float32 or\n"
      "                      ONNX TensorProto .pb); repeatable\n"
      "  --input FILE, FILE  the next input not given by name, in model order\n"
      "  --output-dir DIR    write each output to DIR/<name>.npy (characters\n"
      "                      outside [A-Za-z0-9_.-] become '_'); created if\n"
      "                      missing\n"
      "  --threads T         threads per context (0 = one per online CPU)\n"
      "  --bench N           run N timed inferences after warm-up and print\n"
      "                      `latency_ms median=X min=Y max=Z`\n"
      "  --warmup W          warm-up runs before --bench (default 3)\n"
      "  --info              print the model's inputs, outputs and sizes\n"
      "  --profile           (a library built with anvilc --profile) print\n"
      "                      each op's median time over the --bench runs\n"
      "                      (or the one run), GFLOP/s and %% of the FMA\n"
      "                      peak measured afterwards, slowest first\n"
      "  --trace FILE        write the runs' op times as a Chrome/Perfetto\n"
      "                      trace (JSON Trace Event Format); implies\n"
      "                      --profile\n"
      "  --zero-inputs       run with zeros for inputs that have no file\n"
      "  --peak              (no LIB.so) measure this host's fp32 FMA peak\n"
      "                      on T threads (default 1) for the best ISA within\n"
      "                      ANVIL_MAX_CPU_ISA and print `fma_peak isa=I\n"
      "                      threads=T gflops=X`\n"
      "  -h, --help          show this help\n");
}

int64_t parseCount(const std::string &flag, const std::string &value,
                   int64_t minValue, int64_t maxValue = INT32_MAX) {
  if (value.empty())
    fail("missing value for " + flag);
  char *end = nullptr;
  errno = 0;
  long long v = std::strtoll(value.c_str(), &end, 10);
  if (errno != 0 || *end != '\0' || v < minValue || v > maxValue)
    fail("invalid value '" + value + "' for " + flag +
         " (expected an integer from " + std::to_string(minValue) + " to " +
         std::to_string(maxValue) + ")");
  return v;
}

/// Replaces characters outside [A-Za-z0-9_.-] so a tensor name is a safe
/// file name (and never "." or "..").
std::string sanitizeFileName(const std::string &name) {
  std::string out = name;
  for (char &c : out) {
    unsigned char u = static_cast<unsigned char>(c);
    if (!(std::isalnum(u) || c == '_' || c == '.' || c == '-'))
      c = '_';
  }
  if (out.empty() || out == "." || out == "..")
    out = "_" + out;
  return out;
}

/// 64-byte aligned storage for one model input or output.
struct AlignedBuffer {
  void *ptr = nullptr;
  size_t bytes = 0;
  explicit AlignedBuffer(size_t n) : bytes(n) {
    size_t rounded = std::max<size_t>(64, (n + 63) / 64 * 64);
    ptr = std::aligned_alloc(64, rounded);
    if (!ptr)
      fail("out of memory allocating " + std::to_string(n) + " bytes");
    std::memset(ptr, 0, rounded);
  }
  ~AlignedBuffer() { std::free(ptr); }
  AlignedBuffer(const AlignedBuffer &) = delete;
  AlignedBuffer &operator=(const AlignedBuffer &) = delete;
};

struct Options {
  std::string library;
  std::vector<std::string> inputs; // as given: NAME=FILE or FILE
  std::string outputDir;
  int32_t threads = -1; // -1: the runtime's default
  int64_t bench = 0;
  int64_t warmup = 3;
  bool info = false;
  bool zeroInputs = false;
  bool peak = false;
  bool profile = false;
  std::string trace;
};

Options parseArgs(int argc, char **argv) {
  Options opts;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    std::string value;
    bool hasInlineValue = false;
    if (arg.rfind("--", 0) == 0) {
      size_t eq = arg.find('=');
      if (eq != std::string::npos) {
        value = arg.substr(eq + 1);
        arg = arg.substr(0, eq);
        hasInlineValue = true;
      }
    }
    auto takeValue = [&]() -> std::string {
      if (hasInlineValue)
        return value;
      if (i + 1 >= argc)
        fail("missing value for " + arg);
      return argv[++i];
    };
    if (arg == "-h" || arg == "--help") {
      printUsage(stdout);
      std::exit(0);
    } else if (arg == "--input" || arg == "-i") {
      opts.inputs.push_back(takeValue());
    } else if (arg == "--output-dir" || arg == "-o") {
      opts.outputDir = takeValue();
      if (opts.outputDir.empty())
        fail("empty value for --output-dir");
    } else if (arg == "--threads") {
      opts.threads = static_cast<int32_t>(
          parseCount(arg, takeValue(), 0, ANVIL_MAX_THREADS));
    } else if (arg == "--bench") {
      opts.bench = parseCount(arg, takeValue(), 1);
    } else if (arg == "--warmup") {
      opts.warmup = parseCount(arg, takeValue(), 0);
    } else if (arg == "--info") {
      opts.info = true;
    } else if (arg == "--zero-inputs") {
      opts.zeroInputs = true;
    } else if (arg == "--peak") {
      opts.peak = true;
    } else if (arg == "--profile") {
      opts.profile = true;
    } else if (arg == "--trace") {
      opts.trace = takeValue();
      if (opts.trace.empty())
        fail("empty value for --trace");
      opts.profile = true;
    } else if (arg.size() > 1 && arg[0] == '-') {
      fail("unknown option '" + std::string(argv[i]) + "' (see --help)");
    } else if (opts.library.empty()) {
      opts.library = arg;
    } else {
      // Further positional arguments are input files, in command-line order
      // together with --input.
      opts.inputs.push_back(arg);
    }
  }
  if (opts.peak) {
    if (!opts.library.empty() || !opts.inputs.empty() || opts.info ||
        opts.bench || !opts.outputDir.empty() || opts.profile)
      fail("--peak takes no model and no other option than --threads");
    return opts;
  }
  if (opts.library.empty())
    fail("no model library given (usage: anvil-run LIB.so --input NAME=FILE "
         "... --output-dir DIR)");
  return opts;
}

/// The loaded library and the few runtime entry points anvil-run calls.
struct LoadedModel {
  void *handle = nullptr;
  const anvil_model_t *model = nullptr;
  const char *(*lastError)(const anvil_context_t *) = nullptr;
  const char *(*lastCreateError)(void) = nullptr;
  const char *(*statusString)(anvil_status_t) = nullptr;
  void (*optionsInit)(anvil_context_options_t *) = nullptr;
  /// The library's own anvil_context_profile (libraries from before it
  /// existed do not export it).
  anvil_status_t (*profile)(const anvil_context_t *,
                            const anvil_profile_entry_t **, int32_t *) =
      nullptr;
};

std::string describeStatus(const LoadedModel &lm, anvil_status_t status,
                           const anvil_context_t *ctx) {
  std::string s = lm.statusString ? lm.statusString(status)
                                  : ("status " + std::to_string(status));
  // A context's own message, or (create failed) the thread's create error.
  const char *msg = ctx && lm.lastError        ? lm.lastError(ctx)
                    : !ctx && lm.lastCreateError ? lm.lastCreateError()
                                                 : nullptr;
  if (msg && *msg)
    s += std::string(": ") + msg;
  return s;
}

LoadedModel loadModel(const std::string &path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec))
    fail("cannot open model library '" + path + "': no such file");
  // dlopen searches the library path for names without a slash.
  std::string openPath =
      path.find('/') == std::string::npos ? "./" + path : path;
  LoadedModel lm;
  lm.handle = dlopen(openPath.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!lm.handle) {
    const char *err = dlerror();
    fail("cannot load model library '" + path +
         "': " + (err ? err : "unknown"));
  }
  auto get = reinterpret_cast<anvil_model_get_fn>(
      dlsym(lm.handle, ANVIL_MODEL_GET_SYMBOL));
  if (!get)
    fail("'" + path + "' is not an Anvil model library: it does not export " +
         ANVIL_MODEL_GET_SYMBOL + " (was it compiled with anvilc -o X.so?)");
  lm.model = get();
  if (!lm.model)
    fail("'" + path + "': " + ANVIL_MODEL_GET_SYMBOL + "() returned null");
  if (lm.model->abi_version != ANVIL_ABI_VERSION)
    fail("'" + path + "' was built for Anvil ABI version " +
         std::to_string(lm.model->abi_version) + ", this anvil-run supports " +
         std::to_string(ANVIL_ABI_VERSION) + "; recompile it with this anvilc");
  // Prefer the library's own runtime helpers (the context came from its copy
  // of the runtime); fall back to the copy linked into anvil-run.
  lm.lastError = reinterpret_cast<decltype(lm.lastError)>(
      dlsym(lm.handle, "anvil_context_last_error"));
  lm.statusString = reinterpret_cast<decltype(lm.statusString)>(
      dlsym(lm.handle, "anvil_status_string"));
  lm.optionsInit = reinterpret_cast<decltype(lm.optionsInit)>(
      dlsym(lm.handle, "anvil_context_options_init"));
  lm.lastCreateError = reinterpret_cast<decltype(lm.lastCreateError)>(
      dlsym(lm.handle, "anvil_last_create_error"));
  lm.profile = reinterpret_cast<decltype(lm.profile)>(
      dlsym(lm.handle, "anvil_context_profile"));
  if (!lm.lastCreateError)
    lm.lastCreateError = &anvil_last_create_error;
  if (!lm.lastError)
    lm.lastError = &anvil_context_last_error;
  if (!lm.statusString)
    lm.statusString = &anvil_status_string;
  if (!lm.optionsInit)
    lm.optionsInit = &anvil_context_options_init;

  const anvil_model_t &m = *lm.model;
  if (!m.create || !m.run || !m.destroy || m.num_inputs < 0 ||
      m.num_outputs < 0 || (m.num_inputs && !m.inputs) ||
      (m.num_outputs && !m.outputs))
    fail("'" + path + "': malformed model descriptor");
  auto checkDesc = [&](const anvil_tensor_desc_t &d, const char *kind,
                       int index) {
    std::string what = std::string(kind) + " " + std::to_string(index);
    if (d.dtype != ANVIL_DTYPE_F32)
      fail("'" + path + "': " + what + " has unsupported dtype " +
           std::to_string(d.dtype));
    if (d.rank < 0 || d.rank > ANVIL_MAX_RANK)
      fail("'" + path + "': " + what + " has invalid rank " +
           std::to_string(d.rank));
    uint64_t count = 1;
    for (int r = 0; r < d.rank; ++r) {
      if (d.shape[r] < 0)
        fail("'" + path + "': " + what + " has a negative dim");
      count *= static_cast<uint64_t>(d.shape[r]);
    }
    if (count * 4 != d.num_bytes)
      fail("'" + path + "': " + what + " reports " +
           std::to_string(d.num_bytes) + " bytes for shape " +
           formatShape(d.shape, d.rank));
  };
  for (int i = 0; i < m.num_inputs; ++i)
    checkDesc(m.inputs[i], "input", i);
  for (int i = 0; i < m.num_outputs; ++i)
    checkDesc(m.outputs[i], "output", i);
  return lm;
}

std::string descName(const anvil_tensor_desc_t &d, int index) {
  if (d.name && *d.name)
    return d.name;
  std::string s = "#";
  s += std::to_string(index);
  return s;
}

void printInfo(const anvil_model_t &m) {
  std::printf("model: %s (abi %u)\n", m.name ? m.name : "(unnamed)",
              m.abi_version);
  for (int i = 0; i < m.num_inputs; ++i)
    std::printf("input %d: %s f32 %s (%llu bytes)\n", i,
                descName(m.inputs[i], i).c_str(),
                formatShape(m.inputs[i].shape, m.inputs[i].rank).c_str(),
                static_cast<unsigned long long>(m.inputs[i].num_bytes));
  for (int i = 0; i < m.num_outputs; ++i)
    std::printf("output %d: %s f32 %s (%llu bytes)\n", i,
                descName(m.outputs[i], i).c_str(),
                formatShape(m.outputs[i].shape, m.outputs[i].rank).c_str(),
                static_cast<unsigned long long>(m.outputs[i].num_bytes));
  std::printf("arena: %llu bytes (naive %llu bytes)\n",
              static_cast<unsigned long long>(m.arena_bytes),
              static_cast<unsigned long long>(m.naive_arena_bytes));
  std::printf("weights: %llu bytes\n",
              static_cast<unsigned long long>(m.weights_bytes));
  const char *active = m.active_target ? m.active_target() : nullptr;
  std::printf("targets: %s\n", m.targets ? m.targets : "(unknown)");
  std::printf("active target: %s\n",
              active ? active : "none (this CPU runs no variant)");
}

/// Maps the --input arguments onto the model's inputs: NAME=FILE by name,
/// bare FILEs to the remaining inputs in order. Returns one path per input.
std::vector<std::string> assignInputs(const anvil_model_t &m,
                                      const std::vector<std::string> &args) {
  std::map<std::string, int> byName;
  for (int i = 0; i < m.num_inputs; ++i)
    if (m.inputs[i].name)
      byName.emplace(m.inputs[i].name, i);
  std::vector<std::string> paths(m.num_inputs);
  std::vector<std::string> positional;
  for (const std::string &arg : args) {
    // Names may themselves contain '=': try every split point, leftmost first.
    bool named = false;
    for (size_t eq = arg.find('='); eq != std::string::npos;
         eq = arg.find('=', eq + 1)) {
      auto it = byName.find(arg.substr(0, eq));
      if (it == byName.end())
        continue;
      if (!paths[it->second].empty())
        fail("input '" + it->first + "' given more than once");
      paths[it->second] = arg.substr(eq + 1);
      if (paths[it->second].empty())
        fail("empty file name for input '" + it->first + "'");
      named = true;
      break;
    }
    if (named)
      continue;
    std::error_code ec;
    size_t eq = arg.find('=');
    if (eq != std::string::npos && !std::filesystem::exists(arg, ec)) {
      std::string known;
      for (int i = 0; i < m.num_inputs; ++i)
        known += (i ? ", " : "") + descName(m.inputs[i], i);
      fail("the model has no input named '" + arg.substr(0, eq) +
           "' (inputs: " + (known.empty() ? "none" : known) + ")");
    }
    positional.push_back(arg);
  }
  size_t next = 0;
  for (int i = 0; i < m.num_inputs && next < positional.size(); ++i)
    if (paths[i].empty())
      paths[i] = positional[next++];
  if (next < positional.size())
    fail("too many input files: the model has " + std::to_string(m.num_inputs) +
         " input(s); '" + positional[next] + "' is left over");
  return paths;
}

void loadInput(const anvil_tensor_desc_t &d, int index, const std::string &path,
               AlignedBuffer &buffer) {
  std::string name = descName(d, index);
  HostTensor t;
  std::string error;
  if (!anvil::run::readTensorFile(path, t, error))
    fail("input '" + name + "': '" + path + "': " + error);
  bool sameShape = t.shape.size() == static_cast<size_t>(d.rank) &&
                   std::equal(t.shape.begin(), t.shape.end(), d.shape);
  if (!sameShape) {
    uint64_t want = d.num_bytes / 4;
    fail("input '" + name + "': '" + path + "' has shape " +
         formatShape(t.shape) + " (" + std::to_string(t.data.size()) +
         " elements) but the model expects " + formatShape(d.shape, d.rank) +
         " (" + std::to_string(want) + " elements)");
  }
  if (t.data.size() * 4 != d.num_bytes)
    fail("input '" + name + "': '" + path + "' has " +
         std::to_string(t.data.size()) + " elements, the model expects " +
         std::to_string(d.num_bytes / 4));
  if (d.num_bytes)
    std::memcpy(buffer.ptr, t.data.data(), d.num_bytes);
}

double elapsedMs(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::milli>(
             std::chrono::steady_clock::now() - start)
      .count();
}

/// Threads a context gets for --threads T (-1: the default, 1 for --peak).
int resolveThreads(int32_t threads, int32_t fallback) {
  if (threads < 0)
    return fallback;
  return threads == 0 ? int(std::max(1u, std::thread::hardware_concurrency()))
                      : threads;
}

/// The FMA loop of anvil/Peak.h on `threads` threads for `seconds`.
anvil::rt::FmaPeak hostPeak(int threads, double seconds) {
  anvil::rt::IsaCap cap = anvil::rt::isaCapFromEnvironment();
  if (cap == anvil::rt::IsaCap::Invalid)
    fail("ANVIL_MAX_CPU_ISA='" + std::string(std::getenv("ANVIL_MAX_CPU_ISA")) +
         "' is not " + anvil::rt::kIsaCapValues);
  return anvil::rt::measureFmaPeak(threads, seconds, cap);
}

/// --peak: about one second of the FMA loop.
int measurePeak(int32_t threadsOption) {
  const int threads = resolveThreads(threadsOption, 1);
  anvil::rt::FmaPeak p = hostPeak(threads, 1.0);
  if (p.gflops <= 0)
    fail("this CPU has no AVX2+FMA to measure");
  std::printf("fma_peak isa=%s threads=%d gflops=%.1f\n", p.isa, threads,
              p.gflops);
  return 0;
}

int runTool(int argc, char **argv) {
  Options opts = parseArgs(argc, argv);
  if (opts.peak)
    return measurePeak(opts.threads);
  LoadedModel lm = loadModel(opts.library);
  const anvil_model_t &m = *lm.model;

  if (opts.info) {
    printInfo(m);
    if (opts.inputs.empty() && opts.bench == 0 && opts.outputDir.empty())
      return 0;
  }

  // Inputs.
  std::vector<std::unique_ptr<AlignedBuffer>> inputs;
  std::vector<const void *> inputPtrs;
  std::vector<std::string> paths = assignInputs(m, opts.inputs);
  std::string missing;
  for (int i = 0; i < m.num_inputs; ++i)
    if (paths[i].empty())
      missing += (missing.empty() ? "" : ", ") + descName(m.inputs[i], i);
  if (!missing.empty() && !opts.zeroInputs)
    fail("no file given for input(s) " + missing +
         " (use --input NAME=FILE, or --zero-inputs for zeros)");
  for (int i = 0; i < m.num_inputs; ++i) {
    inputs.push_back(std::make_unique<AlignedBuffer>(m.inputs[i].num_bytes));
    if (!paths[i].empty())
      loadInput(m.inputs[i], i, paths[i], *inputs.back());
    inputPtrs.push_back(inputs.back()->ptr);
  }

  // Outputs: decide the file names before running so a bad --output-dir or a
  // name clash fails early.
  std::vector<std::unique_ptr<AlignedBuffer>> outputs;
  std::vector<void *> outputPtrs;
  for (int i = 0; i < m.num_outputs; ++i) {
    outputs.push_back(std::make_unique<AlignedBuffer>(m.outputs[i].num_bytes));
    outputPtrs.push_back(outputs.back()->ptr);
  }
  std::vector<std::string> outputFiles;
  if (!opts.outputDir.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(opts.outputDir, ec);
    if (!std::filesystem::is_directory(opts.outputDir, ec))
      fail("cannot create output directory '" + opts.outputDir + "'");
    std::set<std::string> used;
    for (int i = 0; i < m.num_outputs; ++i) {
      std::string base = sanitizeFileName(descName(m.outputs[i], i));
      std::string file = base;
      for (int k = 1; used.count(file); ++k)
        file = base + "_" + std::to_string(k);
      used.insert(file);
      outputFiles.push_back(
          (std::filesystem::path(opts.outputDir) / (file + ".npy")).string());
    }
  }

  anvil_context_options_t ctxOptions;
  std::memset(&ctxOptions, 0, sizeof(ctxOptions));
  lm.optionsInit(&ctxOptions);
  if (opts.threads >= 0)
    ctxOptions.num_threads = opts.threads;
  anvil_context_t *ctx = nullptr;
  anvil_status_t st = m.create(&ctxOptions, &ctx);
  if (st != ANVIL_STATUS_OK || !ctx)
    fail("cannot create a context: " + describeStatus(lm, st, ctx));
  struct ContextGuard {
    const anvil_model_t &m;
    anvil_context_t *ctx;
    ~ContextGuard() { m.destroy(ctx); }
  } guard{m, ctx};

  const anvil_profile_entry_t *profileEntries = nullptr;
  int32_t numProfileEntries = 0;
  if (opts.profile) {
    if (!lm.profile ||
        lm.profile(ctx, &profileEntries, &numProfileEntries) !=
            ANVIL_STATUS_OK ||
        numProfileEntries <= 0)
      fail("'" + opts.library +
           "' times no ops: compile it with anvilc --profile for --profile "
           "and --trace");
  }
  anvil::run::ProfileRecorder recorder;
  auto runOnce = [&]() {
    anvil_status_t s = m.run(ctx, inputPtrs.data(), outputPtrs.data());
    if (s != ANVIL_STATUS_OK)
      fail("inference failed: " + describeStatus(lm, s, ctx));
  };
  // After a timed run, outside its timing: the op times it recorded.
  auto record = [&]() {
    if (opts.profile && !recorder.addRun(profileEntries, numProfileEntries))
      fail("'" + opts.library + "' reported another number of ops");
  };

  if (opts.bench > 0) {
    for (int64_t i = 0; i < opts.warmup; ++i)
      runOnce();
    std::vector<double> times;
    times.reserve(opts.bench);
    for (int64_t i = 0; i < opts.bench; ++i) {
      auto start = std::chrono::steady_clock::now();
      runOnce();
      times.push_back(elapsedMs(start));
      record();
    }
    std::sort(times.begin(), times.end());
    size_t n = times.size();
    double median =
        n % 2 ? times[n / 2] : 0.5 * (times[n / 2 - 1] + times[n / 2]);
    std::printf("latency_ms median=%.3f min=%.3f max=%.3f\n", median,
                times.front(), times.back());
  } else {
    runOnce();
    record();
  }

  if (opts.profile) {
    const int threads = resolveThreads(ctxOptions.num_threads, 1);
    // The best ISA within the same ANVIL_MAX_CPU_ISA cap the variant was
    // picked under.
    anvil::rt::FmaPeak peak = hostPeak(threads, 0.5);
    recorder.printReport(stdout, threads, peak.isa, peak.gflops);
    if (!opts.trace.empty()) {
      std::string error;
      if (!recorder.writeTrace(opts.trace, m.name ? m.name : "", error))
        fail("cannot write trace '" + opts.trace + "': " + error);
      std::printf("trace: %s (%zu runs)\n", opts.trace.c_str(),
                  recorder.numRuns());
    }
  }

  if (!opts.outputDir.empty()) {
    for (int i = 0; i < m.num_outputs; ++i) {
      std::string error;
      if (!anvil::run::writeNpy(
              outputFiles[i], m.outputs[i].shape, m.outputs[i].rank,
              static_cast<const float *>(outputPtrs[i]), error))
        fail("output '" + descName(m.outputs[i], i) + "': '" + outputFiles[i] +
             "': " + error);
    }
  } else if (opts.bench == 0) {
    // No output directory: a one-line summary per output.
    for (int i = 0; i < m.num_outputs; ++i) {
      const float *p = static_cast<const float *>(outputPtrs[i]);
      uint64_t count = m.outputs[i].num_bytes / 4;
      double sum = 0, lo = INFINITY, hi = -INFINITY;
      for (uint64_t k = 0; k < count; ++k) {
        sum += p[k];
        lo = std::min<double>(lo, p[k]);
        hi = std::max<double>(hi, p[k]);
      }
      std::printf("output %s %s: min=%g max=%g mean=%g\n",
                  descName(m.outputs[i], i).c_str(),
                  formatShape(m.outputs[i].shape, m.outputs[i].rank).c_str(),
                  count ? lo : 0.0, count ? hi : 0.0,
                  count ? sum / count : 0.0);
    }
  }
  return 0;
}

} // namespace

int main(int argc, char **argv) {
  try {
    return runTool(argc, argv);
  } catch (const ToolError &e) {
    std::fflush(stdout);
    std::fprintf(stderr, "anvil-run: error: %s\n", e.message.c_str());
  } catch (const std::bad_alloc &) {
    std::fflush(stdout);
    std::fprintf(stderr, "anvil-run: error: out of memory\n");
  } catch (const std::exception &e) {
    std::fflush(stdout);
    std::fprintf(stderr, "anvil-run: error: %s\n", e.what());
  }
  return 1;
}
