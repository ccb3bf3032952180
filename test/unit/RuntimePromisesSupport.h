//===- RuntimePromisesSupport.h - the promise tests model ------*- C++ -*-===//
//
// Shared by the runtime promise tests (RuntimePromisesTests, and the
// sanitizer builds RuntimeLeakAsanTests and RuntimeRaceTsanTests): the model
// `promises` that make_promises_model.py writes and anvilc compiles at build
// time (conv -> relu -> matmul with a run-time packed B -> sigmoid, and x *
// 0.5), its inputs and numpy's float64 reference, read from ANVIL_PROMISES_DIR.
//
//===----------------------------------------------------------------------===//

#ifndef ANVIL_TEST_RUNTIMEPROMISESSUPPORT_H
#define ANVIL_TEST_RUNTIMEPROMISESSUPPORT_H

#include "promises.h"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#ifndef ANVIL_PROMISES_DIR
#error "ANVIL_PROMISES_DIR names the directory of promises.o and its data"
#endif

namespace promises {

constexpr int kNumInputs = promises_NUM_INPUTS;
constexpr int kNumOutputs = promises_NUM_OUTPUTS;
constexpr uint64_t kInputBytes[] = {promises_INPUT_0_BYTES,
                                    promises_INPUT_1_BYTES};
constexpr uint64_t kOutputBytes[] = {promises_OUTPUT_0_BYTES,
                                     promises_OUTPUT_1_BYTES};
static_assert(kNumInputs == 2 && kNumOutputs == 2,
              "promises: inputs x, b; outputs y, z");

/// A 64-byte aligned buffer with room for an offset of up to 64 bytes, so a
/// test can place the tensor at any alignment.
class Buffer {
public:
  explicit Buffer(uint64_t bytes) : bytes_(bytes) {
    if (posix_memalign(&base_, 64, bytes + 128) != 0)
      std::abort();
    std::memset(base_, 0, bytes + 128);
  }
  ~Buffer() { std::free(base_); }
  Buffer(const Buffer &) = delete;
  Buffer &operator=(const Buffer &) = delete;
  char *at(unsigned offset = 0) { return static_cast<char *>(base_) + offset; }
  uint64_t bytes() const { return bytes_; }

private:
  void *base_ = nullptr;
  uint64_t bytes_;
};

/// Reads ANVIL_PROMISES_DIR/name, which must hold exactly `bytes` bytes.
inline std::vector<char> readData(const char *name, uint64_t bytes) {
  std::string path = ANVIL_PROMISES_DIR;
  path += '/';
  path += name;
  std::vector<char> data(bytes);
  FILE *f = std::fopen(path.c_str(), "rb");
  if (!f) {
    std::fprintf(stderr, "cannot open %s\n", path.c_str());
    std::abort();
  }
  size_t got = std::fread(data.data(), 1, bytes, f);
  bool atEnd = std::fgetc(f) == EOF;
  std::fclose(f);
  if (got != bytes || !atEnd) {
    std::fprintf(stderr, "%s does not hold %llu bytes\n", path.c_str(),
                 static_cast<unsigned long long>(bytes));
    std::abort();
  }
  return data;
}

/// The inputs (x.bin, b.bin) in 64-byte aligned buffers.
struct Inputs {
  Buffer x{kInputBytes[0]}, b{kInputBytes[1]};
  Inputs() {
    std::vector<char> xd = readData("x.bin", kInputBytes[0]);
    std::vector<char> bd = readData("b.bin", kInputBytes[1]);
    std::memcpy(x.at(), xd.data(), xd.size());
    std::memcpy(b.at(), bd.data(), bd.size());
  }
};

/// Output buffers, filled with a byte pattern that no output holds.
struct Outputs {
  Buffer y{kOutputBytes[0]}, z{kOutputBytes[1]};
  void poison() {
    std::memset(y.at(), 0xA5, y.bytes());
    std::memset(z.at(), 0xA5, z.bytes());
  }
  bool poisoned() {
    for (Buffer *buf : {&y, &z})
      for (uint64_t i = 0; i < buf->bytes(); ++i)
        if (static_cast<unsigned char>(buf->at()[i]) != 0xA5)
          return false;
    return true;
  }
  bool same(Outputs &o) {
    return std::memcmp(y.at(), o.y.at(), y.bytes()) == 0 &&
           std::memcmp(z.at(), o.z.at(), z.bytes()) == 0;
  }
};

/// Creates a context of the promises model, or null (the status printed).
inline anvil_context_t *create(int threads, int spinUs = -1) {
  anvil_context_options_t options;
  anvil_context_options_init(&options);
  options.num_threads = threads;
  if (spinUs >= 0)
    options.spin_us = spinUs;
  anvil_context_t *ctx = nullptr;
  anvil_status_t st = promises_create(&options, &ctx);
  if (st != ANVIL_STATUS_OK) {
    std::fprintf(stderr, "promises_create: %s: %s\n", anvil_status_string(st),
                 anvil_last_create_error());
    return nullptr;
  }
  return ctx;
}

/// One run on the aligned buffers.
inline anvil_status_t run(anvil_context_t *ctx, Inputs &in, Outputs &out) {
  const void *inputs[] = {in.x.at(), in.b.at()};
  void *outputs[] = {out.y.at(), out.z.at()};
  return promises_run(ctx, inputs, outputs);
}

} // namespace promises

#endif // ANVIL_TEST_RUNTIMEPROMISESSUPPORT_H
