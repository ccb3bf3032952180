//===- embed_main.cpp - an application embedding an anvilc object file ----===//
//
// Links against model.o (anvilc -o model.o, with its header model.h) and the
// static runtime: no shared library, no dlopen. Runs conv_relu.onnx from
// make_models.py and checks every output against a naive reference computed
// here from the same weight formulas.
//
//===----------------------------------------------------------------------===//

#include "model.h"

#include <cmath>
#include <cstdio>
#include <cstring>

namespace {

constexpr int kC = 2, kH = 5, kW = 5, kK = 3, kR = 3, kS = 3;

// Keep in sync with make_models.py.
float inputAt(int i) { return static_cast<float>((i * 7) % 11 - 5) * 0.125f; }
float weightAt(int i) { return static_cast<float>((i * 5) % 13 - 6) * 0.0625f; }
float biasAt(int k) { return 0.25f * static_cast<float>(k) - 0.25f; }

int check(bool ok, const char *what) {
  if (!ok)
    std::fprintf(stderr, "embed: FAIL: %s\n", what);
  return ok ? 0 : 1;
}

} // namespace

int main() {
  static_assert(model_NUM_INPUTS == 1 && model_NUM_OUTPUTS == 1,
                "conv_relu has one input and one output");
  static_assert(model_INPUT_0_BYTES == sizeof(float) * kC * kH * kW);
  static_assert(model_OUTPUT_0_BYTES == sizeof(float) * kK * kH * kW);

  const anvil_model_t *m = model_model();
  int errors = 0;
  errors += check(m && m->abi_version == ANVIL_ABI_VERSION, "abi version");
  errors += check(m && m->num_inputs == 1 && m->inputs[0].rank == 4 &&
                      std::strcmp(m->inputs[0].name, "x") == 0,
                  "input descriptor");
  errors += check(m && m->num_outputs == 1 &&
                      std::strcmp(m->outputs[0].name, "y") == 0,
                  "output descriptor");

  alignas(64) static float x[kC * kH * kW];
  alignas(64) static float y[kK * kH * kW];
  for (int i = 0; i < kC * kH * kW; ++i)
    x[i] = inputAt(i);

  anvil_context_options_t options;
  anvil_context_options_init(&options);
  options.num_threads = 2;
  anvil_context_t *ctx = nullptr;
  if (model_create(&options, &ctx) != ANVIL_STATUS_OK || !ctx) {
    std::fprintf(stderr, "embed: FAIL: model_create\n");
    return 1;
  }
  const void *inputs[] = {x};
  void *outputs[] = {y};
  // Run twice: a context is reusable and the result must not change.
  for (int iter = 0; iter < 2; ++iter) {
    std::memset(y, 0xff, sizeof(y));
    anvil_status_t st = model_run(ctx, inputs, outputs);
    if (st != ANVIL_STATUS_OK) {
      std::fprintf(stderr, "embed: FAIL: model_run: %s: %s\n",
                   anvil_status_string(st), anvil_context_last_error(ctx));
      model_destroy(ctx);
      return 1;
    }
    for (int k = 0; k < kK; ++k)
      for (int oh = 0; oh < kH; ++oh)
        for (int ow = 0; ow < kW; ++ow) {
          float acc = biasAt(k);
          for (int c = 0; c < kC; ++c)
            for (int r = 0; r < kR; ++r)
              for (int s = 0; s < kS; ++s) {
                int ih = oh + r - 1, iw = ow + s - 1;
                if (ih < 0 || ih >= kH || iw < 0 || iw >= kW)
                  continue;
                acc += inputAt((c * kH + ih) * kW + iw) *
                       weightAt(((k * kC + c) * kR + r) * kS + s);
              }
          float want = acc > 0 ? acc : 0;
          float got = y[(k * kH + oh) * kW + ow];
          if (!(std::fabs(got - want) <= 1e-5f + 1e-4f * std::fabs(want))) {
            std::fprintf(stderr, "embed: FAIL: y[0,%d,%d,%d] = %g, want %g\n",
                         k, oh, ow, got, want);
            ++errors;
          }
        }
  }
  // Null arguments are refused with a status, not a crash.
  errors +=
      check(model_run(ctx, nullptr, outputs) == ANVIL_STATUS_INVALID_ARGUMENT,
            "run with null inputs");
  model_destroy(ctx);
  if (errors)
    return 1;
  std::printf("embed: ok, %d outputs match\n", kK * kH * kW);
  return 0;
}
