//===- handwritten_model.cpp - an Anvil model library written by hand -----===//
//
// A stand-in for anvilc output so anvil-run's lit tests do not depend on the
// compiler: it implements the generic entry point of INTERFACES.md §5 over
// the real runtime. Inputs a: 2x3, b: 3; outputs "sum:0" = a + b (broadcast
// over rows; the ':' checks file-name sanitizing) and "twice" = 2 * a.
// Defining FAIL_RUN makes run() report an error through the context.
//
//===----------------------------------------------------------------------===//

#include "anvil/Context.h"
#include "anvil/runtime.h"

namespace {

const anvil_tensor_desc_t kInputs[] = {
    {"a", ANVIL_DTYPE_F32, 2, {2, 3}, 24},
    {"b", ANVIL_DTYPE_F32, 1, {3}, 12},
};
const anvil_tensor_desc_t kOutputs[] = {
    {"sum:0", ANVIL_DTYPE_F32, 2, {2, 3}, 24},
    {"twice", ANVIL_DTYPE_F32, 2, {2, 3}, 24},
};

anvil_status_t create(const anvil_context_options_t *options,
                      anvil_context_t **out) {
  return anvil::rt::createContext(options, {64, 0, 0}, out);
}

anvil_status_t run(anvil_context_t *ctx, const void *const *inputs,
                   void *const *outputs) {
  if (!ctx || !inputs || !outputs)
    return ANVIL_STATUS_INVALID_ARGUMENT;
#ifdef FAIL_RUN
  return anvil::rt::fail(ctx, ANVIL_STATUS_INTERNAL, "handwritten failure");
#else
  const float *a = static_cast<const float *>(inputs[0]);
  const float *b = static_cast<const float *>(inputs[1]);
  float *sum = static_cast<float *>(outputs[0]);
  float *twice = static_cast<float *>(outputs[1]);
  for (int i = 0; i < 6; ++i) {
    sum[i] = a[i] + b[i % 3];
    twice[i] = 2 * a[i];
  }
  return ANVIL_STATUS_OK;
#endif
}

const anvil_model_t kModel = {
#ifdef ABI_VERSION
    ABI_VERSION,
#else
    ANVIL_ABI_VERSION,
#endif
    "handwritten",
    2,
    kInputs,
    2,
    kOutputs,
    64,
    64,
    0,
    "x86-64",
    [] { return static_cast<const char *>("x86-64"); },
    create,
    run,
    anvil::rt::destroyContext};

} // namespace

extern "C" __attribute__((visibility("default"))) const anvil_model_t *
anvil_model_get(void) {
  return &kModel;
}
