//===- Context.cpp - Context creation and error reporting ------*- C++ -*-===//
//
// Implements anvil::rt::createContext and the C entry points that do not
// belong to a particular model.
//
//===----------------------------------------------------------------------===//

#include "anvil/Context.h"

#include <cstdlib>
#include <cstring>
#include <new>
#include <system_error>
#include <unistd.h>

/// Buffers are cache-line aligned so kernels can use aligned vector loads and
/// so threads' scratch slices never share a line.
static constexpr uint64_t kAlign = 64;

/// A sanity bound on num_threads: more threads than this is surely a bug
/// (an uninitialized options struct), not a request.
static constexpr int32_t kMaxThreads = 4096;

struct anvil_context {
  anvil::ThreadPool *pool = nullptr;
  char *arena = nullptr;
  float *scratch = nullptr;
  int64_t scratchFloatsPerThread = 0;
  char *pack = nullptr;
  char lastError[512] = {0};
};

namespace {

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
  }
  return "unknown status";
}

extern "C" const char *
anvil_context_last_error(const anvil_context_t *context) {
  if (!context)
    return "null context";
  return context->lastError;
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
  delete context;
}

ContextView view(anvil_context_t *context) {
  if (!context)
    return ContextView{nullptr, nullptr, nullptr, 0, nullptr};
  return ContextView{context->pool, context->arena, context->scratch,
                     context->scratchFloatsPerThread, context->pack};
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

} // namespace anvil::rt
