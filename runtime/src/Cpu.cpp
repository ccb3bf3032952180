//===- Cpu.cpp - What this CPU can execute --------------------------------===//
//
// One table from feature name to cpuid bit and the OS register state it
// needs. Built without any -m flag beyond baseline x86-64, so it runs on the
// CPUs it rejects.
//
//===----------------------------------------------------------------------===//

#include "anvil/Cpu.h"

#include <cpuid.h>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <strings.h>

namespace anvil::rt {
namespace {

/// Where a feature's bit lives.
enum class Reg { Eax, Ebx, Ecx, Edx };
/// The register state (XCR0 bits) the OS must save for a feature.
enum class State {
  None,  ///< scalar or legacy-SSE only
  Avx,   ///< XMM + YMM (XCR0 bits 1, 2)
  Avx512 ///< also opmask, ZMM_Hi256, Hi16_ZMM (bits 5, 6, 7)
};

struct Feature {
  const char *name;
  unsigned leaf, subleaf;
  Reg reg;
  unsigned bit;
  State state;
};

constexpr Feature kFeatures[] = {
    {"fma", 1, 0, Reg::Ecx, 12, State::Avx},
    {"movbe", 1, 0, Reg::Ecx, 22, State::None},
    {"avx", 1, 0, Reg::Ecx, 28, State::Avx},
    {"f16c", 1, 0, Reg::Ecx, 29, State::Avx},
    {"bmi", 7, 0, Reg::Ebx, 3, State::None},
    {"avx2", 7, 0, Reg::Ebx, 5, State::Avx},
    {"bmi2", 7, 0, Reg::Ebx, 8, State::None},
    {"avx512f", 7, 0, Reg::Ebx, 16, State::Avx512},
    {"avx512dq", 7, 0, Reg::Ebx, 17, State::Avx512},
    {"avx512ifma", 7, 0, Reg::Ebx, 21, State::Avx512},
    {"avx512cd", 7, 0, Reg::Ebx, 28, State::Avx512},
    {"avx512bw", 7, 0, Reg::Ebx, 30, State::Avx512},
    {"avx512vl", 7, 0, Reg::Ebx, 31, State::Avx512},
    {"avx512vbmi", 7, 0, Reg::Ecx, 1, State::Avx512},
    {"avx512vbmi2", 7, 0, Reg::Ecx, 6, State::Avx512},
    {"avx512vnni", 7, 0, Reg::Ecx, 11, State::Avx512},
    {"avx512bitalg", 7, 0, Reg::Ecx, 12, State::Avx512},
    {"avx512vpopcntdq", 7, 0, Reg::Ecx, 14, State::Avx512},
    {"avx512fp16", 7, 0, Reg::Edx, 23, State::Avx512},
    {"avxvnni", 7, 1, Reg::Eax, 4, State::Avx},
    {"avx512bf16", 7, 1, Reg::Eax, 5, State::Avx512},
    {"lzcnt", 0x80000001u, 0, Reg::Ecx, 5, State::None},
};

const Feature *findFeature(const char *name) {
  if (!name)
    return nullptr;
  for (const Feature &f : kFeatures)
    if (std::strcmp(f.name, name) == 0)
      return &f;
  return nullptr;
}

bool cpuidBit(unsigned leaf, unsigned subleaf, Reg reg, unsigned bit) {
  unsigned regs[4] = {0, 0, 0, 0};
  // __get_cpuid_count checks the maximum leaf (basic or extended) first.
  if (!__get_cpuid_count(leaf, subleaf, &regs[0], &regs[1], &regs[2],
                         &regs[3]))
    return false;
  return (regs[static_cast<int>(reg)] >> bit) & 1u;
}

/// XCR0, or 0 when the OS has not enabled XSAVE (then no AVX state).
uint64_t xcr0() {
  if (!cpuidBit(1, 0, Reg::Ecx, 27)) // OSXSAVE
    return 0;
  uint32_t lo = 0, hi = 0;
  // xgetbv by its encoding: the file is built without -mxsave.
  __asm__ volatile(".byte 0x0f, 0x01, 0xd0" : "=a"(lo), "=d"(hi) : "c"(0));
  return (uint64_t(hi) << 32) | lo;
}

bool osSaves(State s) {
  if (s == State::None)
    return true;
  uint64_t x = xcr0();
  const uint64_t avx = 0x6, avx512 = 0xE0;
  if ((x & avx) != avx)
    return false;
  return s == State::Avx || (x & avx512) == avx512;
}

} // namespace

IsaCap isaCapFromEnvironment() {
  const char *v = std::getenv("ANVIL_MAX_CPU_ISA");
  if (!v || !*v)
    return IsaCap::None;
  if (!strcasecmp(v, "avx2") || !strcasecmp(v, "x86-64-v3"))
    return IsaCap::Avx2;
  if (!strcasecmp(v, "avx512") || !strcasecmp(v, "x86-64-v4"))
    return IsaCap::Avx512;
  return IsaCap::Invalid;
}

bool isKnownCpuFeature(const char *feature) {
  return findFeature(feature) != nullptr;
}

bool cpuHasFeature(const char *feature, IsaCap cap) {
  const Feature *f = findFeature(feature);
  if (!f)
    return false;
  if (cap == IsaCap::Avx2 && f->state == State::Avx512)
    return false;
  return cpuidBit(f->leaf, f->subleaf, f->reg, f->bit) && osSaves(f->state);
}

} // namespace anvil::rt
