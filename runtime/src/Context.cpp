//===- Context.cpp - Context creation and error reporting ------*- C++ -*-===//
//
// Implements anvil::rt::createContext and the C entry points that do not
// belong to a particular model.
//
//===----------------------------------------------------------------------===//

#include "anvil/Context.h"
#include "anvil/Cpu.h"

#include "FpEnv.h"

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>
#include <system_error>
#include <time.h>
#include <unistd.h>

/// Buffers are cache-line aligned so kernels can use aligned vector loads and
/// so threads' scratch slices never share a line.
static constexpr uint64_t kAlign = 64;

/// The bound on num_threads (runtime.h).
static constexpr int32_t kMaxThreads = ANVIL_MAX_THREADS;

struct anvil_context {
  anvil::ThreadPool *pool = nullptr;
  char *arena = nullptr;
  float *scratch = nullptr;
  int64_t scratchFloatsPerThread = 0;
  char *pack = nullptr;
  /// The variant createModelContext picked (null for contexts made by
  /// createContext alone).
  const anvil::rt::ModelVariant *variant = nullptr;
  /// This context's copy of the variant's profile entries (--profile).
  anvil_profile_entry_t *profile = nullptr;
  int32_t numProfileEntries = 0;
  /// Set while a run is in progress: a second, concurrent run on the same
  /// context (which would share its arena and re-enter its pool) is refused.
  std::atomic<bool> running{false};
  char lastError[512] = {0};
};

namespace {

/// anvil_last_create_error's message, per thread (create has no context to
/// hold it).
thread_local char tlsCreateError[1024];

/// Appends to a fixed buffer, truncating.
void append(char *buf, size_t size, const char *text) {
  size_t used = std::strlen(buf);
  if (used + 1 < size)
    std::snprintf(buf + used, size - used, "%s", text ? text : "");
}

uint64_t roundUp(uint64_t v, uint64_t m) { return (v + m - 1) / m * m; }

/// aligned_alloc with overflow checks; size 0 still returns a block so every
/// view pointer but pack is non-null.
void *allocAligned(uint64_t bytes) {
  if (bytes > UINT64_MAX - kAlign)
    return nullptr;
  uint64_t size = roundUp(bytes ? bytes : kAlign, kAlign);
  void *p = nullptr;
  if (posix_memalign(&p, kAlign, size) != 0)
    return nullptr;
  return p;
}

int onlineCpus() {
  long n = sysconf(_SC_NPROCESSORS_ONLN);
  if (n < 1)
    return 1;
  return n > kMaxThreads ? kMaxThreads : static_cast<int>(n);
}

} // namespace

extern "C" void anvil_context_options_init(anvil_context_options_t *options) {
  if (!options)
    return;
  options->num_threads = 0;
  // Long enough to bridge the gap between two kernels of one inference, short
  // enough that an idle context stops burning a core almost at once.
  options->spin_us = 200;
}

extern "C" const char *anvil_status_string(anvil_status_t status) {
  switch (status) {
  case ANVIL_STATUS_OK:
    return "ok";
  case ANVIL_STATUS_INVALID_ARGUMENT:
    return "invalid argument";
  case ANVIL_STATUS_OUT_OF_MEMORY:
    return "out of memory";
  case ANVIL_STATUS_INTERNAL:
    return "internal error";
  case ANVIL_STATUS_ABI_MISMATCH:
    return "ABI version mismatch";
  case ANVIL_STATUS_UNSUPPORTED_CPU:
    return "unsupported CPU";
  }
  return "unknown status";
}

extern "C" const char *anvil_last_create_error(void) {
  return tlsCreateError;
}

extern "C" const char *
anvil_context_last_error(const anvil_context_t *context) {
  if (!context)
    return "null context";
  return context->lastError;
}

extern "C" anvil_status_t
anvil_context_profile(const anvil_context_t *context,
                      const anvil_profile_entry_t **entries, int32_t *count) {
  if (!context || !entries || !count)
    return ANVIL_STATUS_INVALID_ARGUMENT;
  *entries = context->profile;
  *count = context->numProfileEntries;
  return ANVIL_STATUS_OK;
}

namespace anvil::rt {

anvil_status_t createContext(const anvil_context_options_t *options,
                             const ContextLayout &layout,
                             anvil_context_t **out) {
  if (!out)
    return ANVIL_STATUS_INVALID_ARGUMENT;
  *out = nullptr;
  anvil_context_options_t opts;
  anvil_context_options_init(&opts);
  if (options)
    opts = *options;
  if (opts.num_threads < 0 || opts.num_threads > kMaxThreads ||
      opts.spin_us < 0)
    return ANVIL_STATUS_INVALID_ARGUMENT;
  int threads = opts.num_threads == 0 ? onlineCpus() : opts.num_threads;

  // Reject sizes whose totals would overflow before trying to allocate them.
  uint64_t perThread = roundUp(layout.scratchFloatsPerThread, 16);
  if (layout.scratchFloatsPerThread > (UINT64_MAX >> 8) ||
      perThread > UINT64_MAX / 4 / static_cast<uint64_t>(threads) ||
      perThread > static_cast<uint64_t>(INT64_MAX))
    return ANVIL_STATUS_OUT_OF_MEMORY;

  anvil_context *ctx = nullptr;
  try {
    ctx = new anvil_context();
    ctx->arena = static_cast<char *>(allocAligned(layout.arenaBytes));
    ctx->scratch = static_cast<float *>(
        allocAligned(perThread * 4 * static_cast<uint64_t>(threads)));
    ctx->scratchFloatsPerThread = static_cast<int64_t>(perThread);
    if (layout.packBytes)
      ctx->pack = static_cast<char *>(allocAligned(layout.packBytes));
    if (!ctx->arena || !ctx->scratch || (layout.packBytes && !ctx->pack)) {
      destroyContext(ctx);
      return ANVIL_STATUS_OUT_OF_MEMORY;
    }
    ctx->pool = new ThreadPool(threads, opts.spin_us);
  } catch (const std::bad_alloc &) {
    destroyContext(ctx);
    return ANVIL_STATUS_OUT_OF_MEMORY;
  } catch (...) {
    // std::system_error from thread creation, or anything unexpected.
    destroyContext(ctx);
    return ANVIL_STATUS_INTERNAL;
  }
  *out = ctx;
  return ANVIL_STATUS_OK;
}

void destroyContext(anvil_context_t *context) {
  if (!context)
    return;
  delete context->pool;
  std::free(context->arena);
  std::free(context->scratch);
  std::free(context->pack);
  delete[] context->profile;
  delete context;
}

ContextView view(anvil_context_t *context) {
  if (!context)
    return ContextView{nullptr, nullptr, nullptr, 0, nullptr, nullptr, 0};
  return ContextView{context->pool,
                     context->arena,
                     context->scratch,
                     context->scratchFloatsPerThread,
                     context->pack,
                     context->profile,
                     context->numProfileEntries};
}

namespace {
uint64_t monotonicNs() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return uint64_t(ts.tv_sec) * 1000000000u + uint64_t(ts.tv_nsec);
}
} // namespace

void profileStart(const ContextView &view) {
  if (view.profile)
    view.profile[0].begin_ns = monotonicNs();
}

void profileEnd(const ContextView &view, int32_t op) {
  if (!view.profile || op < 0 || op >= view.numProfileEntries)
    return;
  const uint64_t now = monotonicNs();
  view.profile[op].end_ns = now;
  if (op + 1 < view.numProfileEntries)
    view.profile[op + 1].begin_ns = now;
}

anvil_status_t fail(anvil_context_t *context, anvil_status_t status,
                    const char *message) {
  if (context) {
    const char *m = message ? message : anvil_status_string(status);
    std::strncpy(context->lastError, m, sizeof(context->lastError) - 1);
    context->lastError[sizeof(context->lastError) - 1] = '\0';
  }
  return status;
}

namespace {

/// The first of the variants whose features this CPU has within `cap`.
const ModelVariant *firstRunnable(const ModelVariant *variants,
                                  int32_t numVariants, IsaCap cap) {
  if (cap == IsaCap::Invalid || !variants)
    return nullptr;
  for (int32_t v = 0; v < numVariants; ++v) {
    bool ok = true;
    for (int32_t i = 0; i < variants[v].numFeatures && ok; ++i)
      ok = cpuHasFeature(variants[v].features[i], cap);
    if (ok)
      return &variants[v];
  }
  return nullptr;
}

} // namespace

const ModelVariant *pickVariant(const ModelVariant *variants,
                                int32_t numVariants) {
  return firstRunnable(variants, numVariants, isaCapFromEnvironment());
}

anvil_status_t createModelContext(const char *modelName,
                                  const ModelVariant *variants,
                                  int32_t numVariants,
                                  const anvil_context_options_t *options,
                                  anvil_context_t **out) {
  tlsCreateError[0] = '\0';
  auto say = [](const char *text) {
    append(tlsCreateError, sizeof(tlsCreateError), text);
  };
  if (!out) {
    say("out_context is null");
    return ANVIL_STATUS_INVALID_ARGUMENT;
  }
  *out = nullptr;
  const IsaCap cap = isaCapFromEnvironment();
  if (cap == IsaCap::Invalid) {
    say("ANVIL_MAX_CPU_ISA='");
    say(std::getenv("ANVIL_MAX_CPU_ISA"));
    say("' is not ");
    say(kIsaCapValues);
    return ANVIL_STATUS_INVALID_ARGUMENT;
  }
  const ModelVariant *picked = firstRunnable(variants, numVariants, cap);
  if (!picked) {
    say("model '");
    say(modelName ? modelName : "?");
    say("' cannot run on this CPU:");
    for (int32_t v = 0; v < numVariants; ++v) {
      say(v ? "; its " : " its ");
      say(variants[v].target);
      say(" variant needs");
      const char *sep = " ";
      for (int32_t i = 0; i < variants[v].numFeatures; ++i)
        if (!cpuHasFeature(variants[v].features[i], cap)) {
          say(sep);
          say(variants[v].features[i]);
          sep = ", ";
        }
    }
    if (cap == IsaCap::Avx2)
      say(" (ANVIL_MAX_CPU_ISA caps this process at avx2)");
    return ANVIL_STATUS_UNSUPPORTED_CPU;
  }
  anvil_status_t st = createContext(options, picked->layout, out);
  if (st == ANVIL_STATUS_OK && picked->profile &&
      picked->numProfileEntries > 0) {
    anvil_profile_entry_t *copy = new (std::nothrow)
        anvil_profile_entry_t[size_t(picked->numProfileEntries)];
    if (copy) {
      std::memcpy(copy, picked->profile,
                  sizeof(*copy) * size_t(picked->numProfileEntries));
      (*out)->profile = copy;
      (*out)->numProfileEntries = picked->numProfileEntries;
    } else {
      destroyContext(*out);
      *out = nullptr;
      st = ANVIL_STATUS_OUT_OF_MEMORY;
    }
  }
  if (st != ANVIL_STATUS_OK) {
    say("creating a context failed: ");
    say(anvil_status_string(st));
    return st;
  }
  (*out)->variant = picked;
  return ANVIL_STATUS_OK;
}

anvil_status_t runModel(anvil_context_t *context, const void *const *inputs,
                        void *const *outputs) {
  if (!context)
    return ANVIL_STATUS_INVALID_ARGUMENT;
  if (!context->variant)
    return fail(context, ANVIL_STATUS_INVALID_ARGUMENT,
                "the context was not created by this model's create");
  // No message: the context's message buffer may be in use by the run in
  // progress.
  if (context->running.exchange(true, std::memory_order_acquire))
    return ANVIL_STATUS_INVALID_ARGUMENT;
  anvil_status_t status;
  {
    // The caller's MXCSR is restored on every return, its flags included.
    fpenv::KernelScope fp;
    status = context->variant->run(context, inputs, outputs);
  }
  context->running.store(false, std::memory_order_release);
  return status;
}

anvil_status_t runModel(anvil_context_t *context, const ModelVariant *variants,
                        int32_t numVariants, const char *createName,
                        const void *const *inputs, void *const *outputs) {
  if (!context)
    return ANVIL_STATUS_INVALID_ARGUMENT;
  bool ours = false;
  for (int32_t v = 0; v < numVariants && !ours; ++v)
    ours = context->variant == &variants[v];
  if (!ours) {
    char message[sizeof(context->lastError)] = "";
    append(message, sizeof(message), "the context was not created by ");
    append(message, sizeof(message),
           createName ? createName : "this model's create");
    return fail(context, ANVIL_STATUS_INVALID_ARGUMENT, message);
  }
  return runModel(context, inputs, outputs);
}

} // namespace anvil::rt
