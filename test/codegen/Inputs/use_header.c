/* A C program using a model through its generated header (object_and_header.test). */
#include "mynet.h"

#include <stdio.h>

int main(void) {
  float x[8], y[8];
  const anvil_model_t *m = mynet_model();
  anvil_context_t *ctx = NULL;
  const void *inputs[1];
  void *outputs[1];
  int i;
  printf("model %s: %d input(s), %d output(s), arena %llu bytes\n", m->name,
         (int)m->num_inputs, (int)m->num_outputs,
         (unsigned long long)m->arena_bytes);
  for (i = 0; i < 8; ++i)
    x[i] = (float)i;
  if (mynet_create(NULL, &ctx) != ANVIL_STATUS_OK)
    return 1;
  inputs[0] = x;
  outputs[0] = y;
  if (mynet_run(ctx, inputs, outputs) != ANVIL_STATUS_OK)
    return 1;
  for (i = 0; i < 8; ++i)
    printf("y[%d] = %.3f\n", i, y[i]);
  printf("null inputs -> status %d\n", (int)mynet_run(ctx, NULL, outputs));
  mynet_destroy(ctx);
  return 0;
}
