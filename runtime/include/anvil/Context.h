//===- Context.h - Per-inference state for generated code ------*- C++ -*-===//
//
// The definition behind the opaque anvil_context_t: a thread pool plus every
// buffer one inference needs, allocated once so that run() never allocates.
// Used only by generated code (and the runtime's own tests).
//
//===----------------------------------------------------------------------===//

#ifndef ANVIL_CONTEXT_H
#define ANVIL_CONTEXT_H

#include "anvil/ThreadPool.h"
#include "anvil/runtime.h"

#include <cstdint>

namespace anvil::rt {

/// What a model needs per context, computed by the code generator.
struct ContextLayout {
  uint64_t arenaBytes;             ///< activations (the memory plan)
  uint64_t scratchFloatsPerThread; ///< kernel scratch, per thread
  uint64_t packBytes;              ///< run-time packed weights (graph inputs)
};

/// Allocates the 64-byte aligned arena, per-thread scratch and the packing
/// area once, and starts the threads. options may be null (defaults).
/// Returns INVALID_ARGUMENT for a null out or bad options, OUT_OF_MEMORY when
/// an allocation fails, INTERNAL when threads cannot be started; *out is null
/// on failure. Never throws.
anvil_status_t createContext(const anvil_context_options_t *options,
                             const ContextLayout &layout,
                             anvil_context_t **out);

/// Joins the threads and frees everything; null is a no-op.
void destroyContext(anvil_context_t *context);

/// Borrowed pointers into a context. Every buffer is 64-byte aligned (null
/// only for a zero-byte pack area); thread t owns
/// scratch + t * scratchFloatsPerThread, and scratchFloatsPerThread is a
/// multiple of 16 so every thread's slice stays aligned.
/// profile: the context's copy of its variant's numProfileEntries profile
/// entries (null and 0 for a library compiled without --profile).
struct ContextView {
  ThreadPool *pool;
  char *arena;
  float *scratch;
  int64_t scratchFloatsPerThread;
  char *pack;
  anvil_profile_entry_t *profile;
  int32_t numProfileEntries;
};
ContextView view(anvil_context_t *context);

/// What a library compiled with --profile calls: profileStart as its run
/// begins, profileEnd(view, k) after op k, which also starts op k + 1. One
/// clock read each (CLOCK_MONOTONIC); no-ops without profile entries.
void profileStart(const ContextView &view);
void profileEnd(const ContextView &view, int32_t op);

/// The entry point of one compiled variant of a model.
using RunFn = anvil_status_t (*)(anvil_context_t *context,
                                 const void *const *inputs,
                                 void *const *outputs);

/// One variant of a model, compiled for one target (a fat library has
/// several, best first). Emitted as constant data by the code generator.
struct ModelVariant {
  const char *target;          ///< the target's name, e.g. "x86-64-v4"
  const char *isa;             ///< its ISA level: "avx2" or "avx512"
  const char *const *features; ///< CPU features it executes (Cpu.h names)
  int32_t numFeatures;
  ContextLayout layout;
  RunFn run;
  /// The ops the variant times (anvilc --profile), with zero times; each
  /// context gets its own copy to fill. Null and 0 without --profile.
  const anvil_profile_entry_t *profile;
  int32_t numProfileEntries;
};

/// Picks the first variant this CPU can run (cpuid and the OS's xgetbv
/// state, capped by the ANVIL_MAX_CPU_ISA environment variable) and creates
/// a context for it. UNSUPPORTED_CPU (or INVALID_ARGUMENT for a bad
/// ANVIL_MAX_CPU_ISA) when none can, with a message for
/// anvil_last_create_error naming each variant's missing features; every
/// other failure as createContext. Call this before anything compiled for
/// the variant's target runs.
anvil_status_t createModelContext(const char *modelName,
                                  const ModelVariant *variants,
                                  int32_t numVariants,
                                  const anvil_context_options_t *options,
                                  anvil_context_t **out);

/// The variant createModelContext picked for this CPU, or null.
const ModelVariant *pickVariant(const ModelVariant *variants,
                                int32_t numVariants);

/// Runs the variant the context was created for, in the kernels' floating-
/// point environment: round to nearest even, no FTZ/DAZ, every exception
/// masked; the caller's MXCSR (modes and sticky flags) is saved on entry
/// and restored on return, so run neither depends on nor changes it.
/// INVALID_ARGUMENT for a null context or one createModelContext did not
/// make, and (without a message, as the context's belongs to the run in
/// progress) while another thread runs the same context.
anvil_status_t runModel(anvil_context_t *context, const void *const *inputs,
                        void *const *outputs);

/// runModel for the model whose variants are `variants`: a context that
/// another model's create made (its arena and scratch sized for that model)
/// is refused with INVALID_ARGUMENT and a message naming `createName` (the
/// model's create function). What generated NAME_run calls once it checked
/// the pointers.
anvil_status_t runModel(anvil_context_t *context, const ModelVariant *variants,
                        int32_t numVariants, const char *createName,
                        const void *const *inputs, void *const *outputs);

/// Records a message for anvil_context_last_error and returns status. The
/// message is copied (truncated to a fixed buffer; no allocation).
anvil_status_t fail(anvil_context_t *context, anvil_status_t status,
                    const char *message);

} // namespace anvil::rt

#endif // ANVIL_CONTEXT_H
