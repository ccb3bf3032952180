/* Two models in one program (two_models.test): the same network compiled
 * as `first` for the host and as `second` for x86-64-v3, both objects linked
 * into this C program with one static runtime; both run on the same input
 * and must agree. */
#include "first.h"
#include "second.h"

#include <math.h>
#include <stdio.h>

int main(void) {
  float x[first_INPUT_0_BYTES / sizeof(float)];
  float a[first_OUTPUT_0_BYTES / sizeof(float)];
  float b[second_OUTPUT_0_BYTES / sizeof(float)];
  anvil_context_t *ca = NULL, *cb = NULL;
  const void *in[1];
  void *out[1];
  unsigned i, n = sizeof(a) / sizeof(a[0]);
  if (first_INPUT_0_BYTES != second_INPUT_0_BYTES || sizeof(a) != sizeof(b)) {
    printf("two models: FAIL: the two headers describe other tensors\n");
    return 1;
  }
  for (i = 0; i < sizeof(x) / sizeof(x[0]); ++i)
    x[i] = (float)((int)(i * 7 % 11) - 5) * 0.125f;
  if (first_create(NULL, &ca) != ANVIL_STATUS_OK ||
      second_create(NULL, &cb) != ANVIL_STATUS_OK) {
    printf("two models: FAIL: create: %s\n", anvil_last_create_error());
    return 1;
  }
  in[0] = x;
  out[0] = a;
  if (first_run(ca, in, out) != ANVIL_STATUS_OK)
    return 1;
  out[0] = b;
  if (second_run(cb, in, out) != ANVIL_STATUS_OK)
    return 1;
  for (i = 0; i < n; ++i)
    if (fabsf(a[i] - b[i]) > 1e-5f * (1.0f + fabsf(a[i]))) {
      printf("two models: FAIL: output %u: %g vs %g\n", i, a[i], b[i]);
      return 1;
    }
  printf("two models: ok, %s (%s) and %s (%s) agree on %u outputs\n",
         first_model()->name, first_model()->active_target(),
         second_model()->name, second_model()->active_target(), n);
  first_destroy(ca);
  second_destroy(cb);
  return 0;
}
