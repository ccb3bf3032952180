//===- Abi.h - Per-ISA inline namespace of the kernel headers --*- C++ -*-===//
//
// A "fat" library compiles the same model in several translation units with
// different -march flags and links them into one .so. Every inline function
// and template of the kernel headers is then defined once per ISA, and the
// linker keeps one copy of each: without a distinct name per ISA it could
// pick the AVX-512 build of, say, parallelFor for the AVX2 code path, which
// faults on an AVX2 CPU. So all code in runtime/kernels lives in
// `anvil::kernels::ANVIL_KERNEL_ABI`, an inline namespace named after the
// compile flags (source code never spells it). Types (shapes, plans,
// ExecContext) stay outside it: they have no code and are shared.
//
//===----------------------------------------------------------------------===//

#ifndef ANVIL_KERNELS_ABI_H
#define ANVIL_KERNELS_ABI_H

#if defined(ANVIL_EMULATE_AVX512)
#define ANVIL_KERNEL_ABI emu // AVX-512 through SIMDe on an AVX2 target
#elif defined(__AVX512F__)
#define ANVIL_KERNEL_ABI v4 // x86-64-v4
#elif defined(__AVX2__) && defined(__FMA__)
#define ANVIL_KERNEL_ABI v3 // x86-64-v3
#else
#define ANVIL_KERNEL_ABI generic // no SIMD flags: the compiler's Shapes.h
#endif

#endif // ANVIL_KERNELS_ABI_H
