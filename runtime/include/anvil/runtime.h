//===- runtime.h - Anvil C ABI for generated models ---------*- C++ -*-===//
//
// The stable C interface between a compiled model library and its callers
// (applications, anvil-run). Plain C: no C++ types; no exception, assert or
// abort crosses it.
//
//===----------------------------------------------------------------------===//

#ifndef ANVIL_RUNTIME_H
#define ANVIL_RUNTIME_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Marks the runtime's C entry points: they stay visible in a model's shared
 *  library (everything else in it is hidden), so an application needs only
 *  the .so, not a second copy of the runtime. */
#if defined(__GNUC__)
#define ANVIL_API __attribute__((visibility("default")))
#else
#define ANVIL_API
#endif

/** Bumped whenever a struct below changes layout or meaning. */
#define ANVIL_ABI_VERSION 2

/** Every fallible entry point returns one of these. */
typedef enum anvil_status {
  ANVIL_STATUS_OK = 0,
  ANVIL_STATUS_INVALID_ARGUMENT = 1,
  ANVIL_STATUS_OUT_OF_MEMORY = 2,
  ANVIL_STATUS_INTERNAL = 3,
  ANVIL_STATUS_ABI_MISMATCH = 4,
  /** No variant of the library can run on this CPU (or within the
   *  ANVIL_MAX_CPU_ISA cap); anvil_last_create_error names what is missing. */
  ANVIL_STATUS_UNSUPPORTED_CPU = 5
} anvil_status_t;

typedef enum anvil_dtype { ANVIL_DTYPE_F32 = 1 } anvil_dtype_t;

#define ANVIL_MAX_RANK 8

/** The alignment run requires of every input and output pointer: that of
 *  their elements (f32). Pointers that are not are refused with
 *  ANVIL_STATUS_INVALID_ARGUMENT; any float-aligned pointer gives the same
 *  results. ANVIL_PREFERRED_TENSOR_ALIGNMENT (a cache line) is faster: no
 *  vector load or store then splits a line. */
#define ANVIL_TENSOR_ALIGNMENT 4
#define ANVIL_PREFERRED_TENSOR_ALIGNMENT 64

/** Describes one model input or output. Immutable, owned by the model. */
typedef struct anvil_tensor_desc {
  const char *name;
  anvil_dtype_t dtype;
  int32_t rank;
  int64_t shape[ANVIL_MAX_RANK];
  uint64_t num_bytes;
} anvil_tensor_desc_t;

/** The most threads a context takes (more is refused as INVALID_ARGUMENT:
 *  surely an uninitialized options struct, not a request). */
#define ANVIL_MAX_THREADS 4096

/** Options for creating a context; fill with anvil_context_options_init. */
typedef struct anvil_context_options {
  int32_t num_threads; /* 0 = one per online CPU; at most ANVIL_MAX_THREADS */
  int32_t spin_us;     /* how long an idle worker spins before sleeping */
} anvil_context_options_t;

/** Sets the defaults: all online CPUs, a short spin before sleeping. */
ANVIL_API void anvil_context_options_init(anvil_context_options_t *options);

/** Per-inference state (threads, arena). Opaque. Not thread safe: one
 *  inference at a time per context (a run that starts while another thread
 *  runs the same context returns ANVIL_STATUS_INVALID_ARGUMENT at once,
 *  without a message); distinct contexts may run concurrently. */
typedef struct anvil_context anvil_context_t;

/** Introspection and entry points of one compiled model. Immutable. */
typedef struct anvil_model {
  uint32_t abi_version;
  const char *name;
  int32_t num_inputs;
  const anvil_tensor_desc_t *inputs;
  int32_t num_outputs;
  const anvil_tensor_desc_t *outputs;
  uint64_t arena_bytes;
  uint64_t naive_arena_bytes;
  uint64_t weights_bytes;
  /** The targets the library was built for, best first, comma-separated
   *  (e.g. "x86-64-v4,x86-64-v3"). */
  const char *targets;
  /** The target of the variant create() picks on this CPU (after the
   *  ANVIL_MAX_CPU_ISA cap), or NULL when none can run here. */
  const char *(*active_target)(void);
  anvil_status_t (*create)(const anvil_context_options_t *options,
                           anvil_context_t **out_context);
  anvil_status_t (*run)(anvil_context_t *context, const void *const *inputs,
                        void *const *outputs);
  void (*destroy)(anvil_context_t *context);
} anvil_model_t;

/** A static, human-readable name for a status (never null). */
ANVIL_API const char *anvil_status_string(anvil_status_t status);

/** The message recorded by the last failing call on this context, or "" if
 *  none (never null; valid until the next call on the context). */
ANVIL_API const char *anvil_context_last_error(const anvil_context_t *context);

/** The message of the last *_create call on this thread that failed, or ""
 *  (never null). Says, for ANVIL_STATUS_UNSUPPORTED_CPU, which CPU features
 *  each variant lacks. Valid until the next create on this thread. */
ANVIL_API const char *anvil_last_create_error(void);

/** One op of a library compiled with `anvilc --profile` and its times in a
 *  context's last run. The strings are static (owned by the library). */
typedef struct anvil_profile_entry {
  const char *name;   /* the ONNX nodes it computes, "conv1 + relu1" */
  const char *op;     /* the anvil op and its fused post-ops,
                         "anvil.conv2d + relu" */
  const char *kernel; /* the kernel the compiler chose for it */
  double flops;       /* floating-point operations per run; 0 for ops whose
                         work is not counted in flops (data movement) */
  uint64_t begin_ns;  /* CLOCK_MONOTONIC at its start and end in the last */
  uint64_t end_ns;    /* run; both 0 before the first run */
} anvil_profile_entry_t;

/** The ops of the context's last run, in execution order (the output
 *  copies last): *count entries at *entries, valid until the context is
 *  destroyed and overwritten by each run. A library compiled without
 *  --profile gives *count 0 and *entries NULL (its code takes no
 *  timestamps). INVALID_ARGUMENT for a null argument. */
ANVIL_API anvil_status_t
anvil_context_profile(const anvil_context_t *context,
                      const anvil_profile_entry_t **entries, int32_t *count);

/* Exported by every generated shared library (the generic entry point). */
typedef const anvil_model_t *(*anvil_model_get_fn)(void);
#define ANVIL_MODEL_GET_SYMBOL "anvil_model_get"

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* ANVIL_RUNTIME_H */
