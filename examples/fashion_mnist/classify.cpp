//===- classify.cpp - Fashion-MNIST through Anvil's C ABI -------*- C++ -*-===//
//
// Classifies the 10,000 Fashion-MNIST test images with the library that
//   anvilc examples/fashion_mnist/model.onnx -o <dir>/libfashion_mnist.so
// produces, through its generated header (fashion_mnist.h) and the C ABI
// (anvil/runtime.h). Reports accuracy and throughput, and compares with the
// accuracy and predictions that train.py recorded for PyTorch.
//
// Build (tools/demo.sh does this):
//   clang++ -std=c++20 -O2 -I<dir> -I runtime/include classify.cpp
//       -L<dir> -lfashion_mnist -Wl,-rpath,<dir>
//       build/lib/libanvil_runtime.a -lpthread -o classify
// (the runtime archive provides anvil_context_options_init,
// anvil_status_string and anvil_context_last_error).
//
// Exit status: 0 when Anvil's accuracy is within --tolerance percentage points
// of PyTorch's, 1 when it is not, 2 on usage, I/O or library errors.
//
//===----------------------------------------------------------------------===//

#include "fashion_mnist.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>
#include <vector>

namespace {

constexpr int kRows = 28, kCols = 28, kPixels = kRows * kCols, kClasses = 10;

// The preprocessing of train.py: x = (pixel / 255 - kMean) / kStd, in float32.
constexpr float kMean = 0.2860f;
constexpr float kStd = 0.3530f;

const char *const kClassNames[kClasses] = {
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
    "Sandal",      "Shirt",   "Sneaker",  "Bag",   "Ankle boot"};

static_assert(fashion_mnist_NUM_INPUTS == 1 && fashion_mnist_NUM_OUTPUTS == 1,
              "the model takes one image and returns one logits tensor");
static_assert(fashion_mnist_INPUT_0_BYTES == kPixels * sizeof(float),
              "the model input must be 1x1x28x28 float32");
static_assert(fashion_mnist_OUTPUT_0_BYTES == kClasses * sizeof(float),
              "the model output must be 1x10 float32");

[[noreturn]] void die(const std::string &message) {
  std::fprintf(stderr, "classify: error: %s\n", message.c_str());
  std::exit(2);
}

std::string readFile(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    die("cannot open " + path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

uint32_t bigEndian32(const std::string &data, size_t offset) {
  auto b = [&](size_t i) { return uint32_t(uint8_t(data[offset + i])); };
  return b(0) << 24 | b(1) << 16 | b(2) << 8 | b(3);
}

/// Reads an uncompressed IDX file of unsigned bytes and checks its dims.
std::vector<uint8_t> readIdx(const std::string &path,
                             const std::vector<uint32_t> &innerDims,
                             uint32_t &count) {
  std::string data = readFile(path);
  if (data.size() >= 2 && uint8_t(data[0]) == 0x1f && uint8_t(data[1]) == 0x8b)
    die(path + " is gzip-compressed; gunzip it first");
  size_t rank = innerDims.size() + 1;
  if (data.size() < 4 + 4 * rank || data[0] != 0 || data[1] != 0 ||
      data[2] != 0x08 || size_t(uint8_t(data[3])) != rank)
    die(path + ": not an IDX file of unsigned bytes with " +
        std::to_string(rank) + " dimensions");
  count = bigEndian32(data, 4);
  uint64_t elements = count;
  for (size_t i = 0; i < innerDims.size(); ++i) {
    uint32_t d = bigEndian32(data, 8 + 4 * i);
    if (d != innerDims[i])
      die(path + ": dimension " + std::to_string(i + 1) + " is " +
          std::to_string(d) + ", expected " + std::to_string(innerDims[i]));
    elements *= d;
  }
  size_t header = 4 + 4 * rank;
  if (data.size() != header + elements)
    die(path + ": truncated or oversized (" + std::to_string(data.size()) +
        " bytes)");
  return std::vector<uint8_t>(data.begin() + header, data.end());
}

/// Reads a 1-D uint8 .npy file (what numpy.save writes for uint8 [N]).
std::vector<uint8_t> readNpyU8(const std::string &path) {
  std::string data = readFile(path);
  if (data.size() < 10 || data.compare(0, 6, "\x93NUMPY") != 0)
    die(path + ": not a .npy file");
  size_t headerLen, start;
  if (data[6] == 1) {
    headerLen = size_t(uint8_t(data[8])) | size_t(uint8_t(data[9])) << 8;
    start = 10;
  } else {
    if (data.size() < 12)
      die(path + ": truncated .npy header");
    headerLen = size_t(uint8_t(data[8])) | size_t(uint8_t(data[9])) << 8 |
                size_t(uint8_t(data[10])) << 16 |
                size_t(uint8_t(data[11])) << 24;
    start = 12;
  }
  if (data.size() < start + headerLen)
    die(path + ": truncated .npy header");
  std::string header = data.substr(start, headerLen);
  if (header.find("'|u1'") == std::string::npos ||
      header.find("'fortran_order': False") == std::string::npos)
    die(path + ": expected a C-order uint8 array, header " + header);
  return std::vector<uint8_t>(data.begin() + start + headerLen, data.end());
}

/// Finds `"key": <integer>` in a small, trusted JSON file (accuracy.json).
std::optional<long> jsonInteger(const std::string &json,
                                const std::string &key) {
  size_t at = json.find("\"" + key + "\"");
  if (at == std::string::npos)
    return std::nullopt;
  at = json.find(':', at);
  if (at == std::string::npos)
    return std::nullopt;
  char *end = nullptr;
  long v = std::strtol(json.c_str() + at + 1, &end, 10);
  if (end == json.c_str() + at + 1)
    return std::nullopt;
  return v;
}

/// Stops with the library's status and the context's message.
void check(anvil_status_t status, const anvil_context_t *context,
           const char *what) {
  if (status == ANVIL_STATUS_OK)
    return;
  std::string message =
      std::string(what) + " failed: " + anvil_status_string(status);
  if (context && *anvil_context_last_error(context))
    message += std::string(": ") + anvil_context_last_error(context);
  else if (!context && *anvil_last_create_error())
    message += std::string(": ") + anvil_last_create_error();
  die(message);
}

void usage() {
  std::fprintf(
      stderr,
      "usage: classify --images FILE --labels FILE [options]\n"
      "  --images FILE       t10k-images-idx3-ubyte (uncompressed IDX)\n"
      "  --labels FILE       t10k-labels-idx1-ubyte (uncompressed IDX)\n"
      "  --reference FILE    accuracy.json written by train.py\n"
      "  --predictions FILE  pytorch_predictions.npy written by train.py\n"
      "  --threads N         threads of the context (default 0: all CPUs)\n"
      "  --tolerance PP      allowed accuracy difference to PyTorch in\n"
      "                      percentage points (default 0.05)\n");
  std::exit(2);
}

} // namespace

int main(int argc, char **argv) {
  std::string imagesPath, labelsPath, referencePath, predictionsPath;
  int threads = 0;
  double tolerance = 0.05;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc)
        usage();
      return argv[++i];
    };
    if (arg == "--images")
      imagesPath = value();
    else if (arg == "--labels")
      labelsPath = value();
    else if (arg == "--reference")
      referencePath = value();
    else if (arg == "--predictions")
      predictionsPath = value();
    else if (arg == "--threads")
      threads = std::atoi(value().c_str());
    else if (arg == "--tolerance")
      tolerance = std::atof(value().c_str());
    else
      usage();
  }
  if (imagesPath.empty() || labelsPath.empty())
    usage();

  // --- Data: raw pixels and labels, preprocessed once, outside the timing.
  uint32_t numImages = 0, numLabels = 0;
  std::vector<uint8_t> pixels = readIdx(imagesPath, {kRows, kCols}, numImages);
  std::vector<uint8_t> labels = readIdx(labelsPath, {}, numLabels);
  if (numImages != numLabels || numImages == 0)
    die("images (" + std::to_string(numImages) + ") and labels (" +
        std::to_string(numLabels) + ") do not match");
  float lut[256];
  for (int p = 0; p < 256; ++p)
    lut[p] = (float(p) / 255.0f - kMean) / kStd;
  std::vector<float> inputs(size_t(numImages) * kPixels);
  for (size_t i = 0; i < inputs.size(); ++i)
    inputs[i] = lut[pixels[i]];

  // --- The model, introspected through its descriptor.
  const anvil_model_t *model = fashion_mnist_model();
  if (model->abi_version != ANVIL_ABI_VERSION)
    die("library ABI version " + std::to_string(model->abi_version) +
        ", this program was built for " + std::to_string(ANVIL_ABI_VERSION));
  const anvil_tensor_desc_t &in = model->inputs[0];
  const anvil_tensor_desc_t &out = model->outputs[0];
  std::printf("model: %s, input \"%s\" [", model->name, in.name);
  for (int d = 0; d < in.rank; ++d)
    std::printf("%s%lld", d ? "x" : "", (long long)in.shape[d]);
  std::printf("], output \"%s\" [", out.name);
  for (int d = 0; d < out.rank; ++d)
    std::printf("%s%lld", d ? "x" : "", (long long)out.shape[d]);
  std::printf("]\n  weights %llu bytes, arena %llu bytes (naive %llu bytes)\n",
              (unsigned long long)model->weights_bytes,
              (unsigned long long)model->arena_bytes,
              (unsigned long long)model->naive_arena_bytes);
  const char *active = model->active_target();
  std::printf("  built for %s; this CPU runs the %s variant\n",
              model->targets, active ? active : "(no)");

  anvil_context_options_t options;
  anvil_context_options_init(&options);
  options.num_threads = threads;
  anvil_context_t *context = nullptr;
  check(fashion_mnist_create(&options, &context), nullptr,
        "fashion_mnist_create");

  float logits[kClasses];
  auto classify = [&](uint32_t image) {
    const void *ins[1] = {inputs.data() + size_t(image) * kPixels};
    void *outs[1] = {logits};
    check(fashion_mnist_run(context, ins, outs), context, "fashion_mnist_run");
    return int(std::max_element(logits, logits + kClasses) - logits);
  };

  // Warm up (first touch of the arena, threads waking up); not timed.
  for (uint32_t i = 0; i < std::min<uint32_t>(numImages, 20); ++i)
    classify(i);

  // --- The timed loop: one image per run, as an application would.
  using Clock = std::chrono::steady_clock;
  std::vector<uint8_t> predictions(numImages);
  std::vector<double> latencyUs(numImages);
  auto loopStart = Clock::now();
  for (uint32_t i = 0; i < numImages; ++i) {
    auto t0 = Clock::now();
    predictions[i] = uint8_t(classify(i));
    latencyUs[i] =
        std::chrono::duration<double, std::micro>(Clock::now() - t0).count();
  }
  double seconds =
      std::chrono::duration<double>(Clock::now() - loopStart).count();
  fashion_mnist_destroy(context);

  long correct = 0;
  for (uint32_t i = 0; i < numImages; ++i)
    correct += predictions[i] == labels[i];
  double accuracy = 100.0 * double(correct) / numImages;
  std::sort(latencyUs.begin(), latencyUs.end());

  std::printf("\nfirst predictions:\n");
  for (uint32_t i = 0; i < std::min<uint32_t>(numImages, 6); ++i)
    std::printf("  image %u: %-11s (label %s)%s\n", i,
                kClassNames[predictions[i]], kClassNames[labels[i]],
                predictions[i] == labels[i] ? "" : "  <- wrong");

  std::printf("\nanvil accuracy:   %.2f %% (%ld/%u)\n", accuracy, correct,
              numImages);
  std::printf(
      "images/s:         %.0f  (batch 1, threads: %s, %u images in %.3f s)\n",
      numImages / seconds,
      threads ? std::to_string(threads).c_str() : "default", numImages,
      seconds);
  std::printf("latency:          median %.1f us, p99 %.1f us\n",
              latencyUs[latencyUs.size() / 2],
              latencyUs[std::min<size_t>(latencyUs.size() - 1,
                                         latencyUs.size() * 99 / 100)]);

  int status = 0;
  if (!referencePath.empty()) {
    std::string json = readFile(referencePath);
    std::optional<long> refCorrect = jsonInteger(json, "correct");
    std::optional<long> refTotal = jsonInteger(json, "total");
    if (!refCorrect || !refTotal || *refTotal != long(numImages))
      die(referencePath + ": no \"correct\" and \"total\" (= " +
          std::to_string(numImages) + ") entries");
    double refAccuracy = 100.0 * double(*refCorrect) / double(*refTotal);
    double diff = accuracy - refAccuracy;
    std::printf("pytorch accuracy: %.2f %% (%ld/%ld)\n", refAccuracy,
                *refCorrect, *refTotal);
    std::printf("difference:       %+.2f percentage points (tolerance %.2f)\n",
                diff, tolerance);
    if (std::fabs(diff) > tolerance + 1e-9) {
      std::printf("FAIL: Anvil's accuracy differs from PyTorch's by more than "
                  "%.2f percentage points\n",
                  tolerance);
      status = 1;
    }
  }
  if (!predictionsPath.empty()) {
    std::vector<uint8_t> reference = readNpyU8(predictionsPath);
    if (reference.size() != numImages)
      die(predictionsPath + " holds " + std::to_string(reference.size()) +
          " predictions, expected " + std::to_string(numImages));
    long agree = 0, differ = 0;
    std::string differing;
    for (uint32_t i = 0; i < numImages; ++i) {
      if (predictions[i] == reference[i]) {
        ++agree;
      } else if (++differ <= 10) {
        differing += " " + std::to_string(i);
      } else if (differ == 11) {
        differing += " ...";
      }
    }
    std::printf("agreement:        %.2f %% of predictions equal PyTorch's "
                "(%ld/%u)%s%s\n",
                100.0 * double(agree) / numImages, agree, numImages,
                agree == long(numImages) ? "" : "; differ at images",
                differing.c_str());
  }
  if (status == 0 && !referencePath.empty())
    std::printf("PASS\n");
  return status;
}
