/* The runtime's promises through a model's shared library, as a host
 * application meets them (runtime_promises_so.test): the .so is dlopen'ed
 * and driven only through anvil_model_get() and the exported ANVIL_API
 * functions. Checks, for the generic entry point:
 *   - run never allocates (malloc and friends are replaced in this program,
 *     which the .so's runtime and libstdc++ call too), from the first run;
 *   - the caller's MXCSR comes back unchanged, FTZ/DAZ, directed rounding,
 *     raised flags and unmasked exceptions included, and the outputs are the
 *     bytes of a default-mode run;
 *   - null and not float-aligned pointers are refused with
 *     ANVIL_STATUS_INVALID_ARGUMENT and a message; float-aligned ones work.
 * usage: so_main LIB.so DATA_DIR (x.bin, b.bin of make_promises_model.py) */
#define _GNU_SOURCE
#include "anvil/runtime.h"

#include <dlfcn.h>
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xmmintrin.h>

void *__libc_malloc(size_t);
void *__libc_calloc(size_t, size_t);
void *__libc_realloc(void *, size_t);
void *__libc_memalign(size_t, size_t);
void __libc_free(void *);

static atomic_int counting;
static atomic_long calls;

static void count(void) {
  if (atomic_load_explicit(&counting, memory_order_relaxed))
    atomic_fetch_add_explicit(&calls, 1, memory_order_relaxed);
}
void *malloc(size_t n) {
  count();
  return __libc_malloc(n);
}
void *calloc(size_t n, size_t m) {
  count();
  return __libc_calloc(n, m);
}
void *realloc(void *p, size_t n) {
  count();
  return __libc_realloc(p, n);
}
void free(void *p) {
  if (p)
    count();
  __libc_free(p);
}
int posix_memalign(void **out, size_t align, size_t n) {
  void *p;
  count();
  if (align < sizeof(void *) || (align & (align - 1)))
    return EINVAL;
  p = __libc_memalign(align, n);
  if (!p)
    return ENOMEM;
  *out = p;
  return 0;
}
void *aligned_alloc(size_t align, size_t n) {
  count();
  return __libc_memalign(align < sizeof(void *) ? sizeof(void *) : align, n);
}
void *memalign(size_t align, size_t n) {
  count();
  return __libc_memalign(align < sizeof(void *) ? sizeof(void *) : align, n);
}

static int failures;
static void check(int ok, const char *what) {
  if (!ok) {
    printf("so promises: FAIL: %s\n", what);
    ++failures;
  }
}

static char *readFile(const char *dir, const char *name, size_t bytes) {
  char path[4096];
  FILE *f;
  char *data = __libc_memalign(64, bytes + 64);
  snprintf(path, sizeof(path), "%s/%s", dir, name);
  f = fopen(path, "rb");
  if (!f || fread(data, 1, bytes, f) != bytes) {
    printf("so promises: FAIL: cannot read %zu bytes of %s\n", bytes, path);
    exit(1);
  }
  fclose(f);
  return data;
}

/* Sets `state`, runs, reads the MXCSR, restores the default; no
 * floating-point code of this program runs in between. */
static __attribute__((noinline)) unsigned
runUnder(const anvil_model_t *m, unsigned state, anvil_context_t *ctx,
         const void *const *in, void *const *out, anvil_status_t *st) {
  unsigned after;
  _mm_setcsr(state);
  *st = m->run(ctx, in, out);
  after = _mm_getcsr();
  _mm_setcsr(0x1F80);
  return after;
}

int main(int argc, char **argv) {
  void *lib;
  anvil_model_get_fn get;
  const char *(*lastError)(const anvil_context_t *);
  void (*optionsInit)(anvil_context_options_t *);
  const anvil_model_t *m;
  anvil_context_options_t options;
  anvil_context_t *ctx = NULL;
  char *x, *b, *y, *z, *refY, *refZ;
  const void *in[2];
  void *out[2];
  anvil_status_t st;
  unsigned i;
  static const unsigned states[] = {0x1F80 | 0x8040, 0x1F80 | 0x6000 | 0x8040,
                                    0x1F80 | 0x4000, 0x1F80 | 0x3F,
                                    0x6000 | 0x8000 /* all unmasked */};
  setvbuf(stdout, NULL, _IONBF, 0); /* messages survive a crash */
  if (argc != 3) {
    printf("usage: so_main LIB.so DATA_DIR\n");
    return 2;
  }
  lib = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
  if (!lib) {
    printf("so promises: FAIL: dlopen: %s\n", dlerror());
    return 1;
  }
  get = (anvil_model_get_fn)dlsym(lib, ANVIL_MODEL_GET_SYMBOL);
  lastError = (const char *(*)(const anvil_context_t *))dlsym(
      lib, "anvil_context_last_error");
  optionsInit = (void (*)(anvil_context_options_t *))dlsym(
      lib, "anvil_context_options_init");
  if (!get || !lastError || !optionsInit) {
    printf("so promises: FAIL: missing exports\n");
    return 1;
  }
  m = get();
  if (m->num_inputs != 2 || m->num_outputs != 2) {
    printf("so promises: FAIL: not the promises model\n");
    return 1;
  }
  x = readFile(argv[2], "x.bin", m->inputs[0].num_bytes);
  b = readFile(argv[2], "b.bin", m->inputs[1].num_bytes);
  y = __libc_memalign(64, m->outputs[0].num_bytes + 64);
  z = __libc_memalign(64, m->outputs[1].num_bytes + 64);
  refY = __libc_memalign(64, m->outputs[0].num_bytes);
  refZ = __libc_memalign(64, m->outputs[1].num_bytes);
  optionsInit(&options);
  options.num_threads = 2;
  if (m->create(&options, &ctx) != ANVIL_STATUS_OK) {
    printf("so promises: FAIL: create\n");
    return 1;
  }
  in[0] = x;
  in[1] = b;
  out[0] = refY;
  out[1] = refZ;

  /* No allocation, from the very first run on. */
  for (i = 0; i < 10; ++i) {
    long n;
    atomic_store(&calls, 0);
    atomic_store(&counting, 1);
    st = m->run(ctx, in, out);
    atomic_store(&counting, 0);
    n = atomic_load(&calls);
    check(st == ANVIL_STATUS_OK, "run");
    if (n)
      printf("so promises: run %u made %ld allocator calls\n", i, n);
    check(n == 0, "run allocates");
  }

  /* The caller's floating-point state. */
  out[0] = y;
  out[1] = z;
  for (i = 0; i < sizeof(states) / sizeof(states[0]); ++i) {
    unsigned after;
    memset(y, 0, m->outputs[0].num_bytes);
    after = runUnder(m, states[i], ctx, in, out, &st);
    if (after != states[i])
      printf("so promises: MXCSR %#x came back as %#x\n", states[i], after);
    check(st == ANVIL_STATUS_OK && after == states[i], "MXCSR preserved");
    check(memcmp(y, refY, m->outputs[0].num_bytes) == 0 &&
              memcmp(z, refZ, m->outputs[1].num_bytes) == 0,
          "results independent of the caller's MXCSR");
  }

  /* Null and misaligned pointers; a float-aligned one works. */
  out[0] = NULL;
  check(m->run(ctx, in, out) == ANVIL_STATUS_INVALID_ARGUMENT &&
            strstr(lastError(ctx), "output 0 ('y') is null"),
        "null output refused");
  out[0] = y + 2;
  check(m->run(ctx, in, out) == ANVIL_STATUS_INVALID_ARGUMENT &&
            strstr(lastError(ctx), "output 0 ('y') is not 4-byte aligned"),
        "misaligned output refused");
  memmove(x + 4, x, m->inputs[0].num_bytes);
  in[0] = x + 4;
  out[0] = y + 36;
  check(m->run(ctx, in, out) == ANVIL_STATUS_OK &&
            memcmp(y + 36, refY, m->outputs[0].num_bytes) == 0,
        "float-aligned pointers");
  in[0] = x + 5;
  check(m->run(ctx, in, out) == ANVIL_STATUS_INVALID_ARGUMENT &&
            strstr(lastError(ctx), "input 0 ('x') is not 4-byte aligned"),
        "misaligned input refused");
  check(m->run(NULL, in, out) == ANVIL_STATUS_INVALID_ARGUMENT,
        "null context refused");
  m->destroy(ctx);
  if (failures)
    return 1;
  printf("so promises: ok\n");
  return 0;
}
