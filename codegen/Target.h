//===- Target.h - The CPU targets generated code is built for ---*- C++ -*-===//
//
// One definition of what a target is and of everything derived from it: the
// ISA level and vector shape the kernels are instantiated for, the CPU
// features a library checks before it runs, and the clang++ flags that build
// it. anvilc parses `--target=NAME[,NAME...]` into Targets and records each
// in the IR as `#anvil.target<...>` (targetToAttr); passes and the emitter
// read it back (targetFromAttr) and never look at the host.
//
//===----------------------------------------------------------------------===//

#ifndef ANVIL_CODEGEN_TARGET_H
#define ANVIL_CODEGEN_TARGET_H

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <string>
#include <vector>

namespace anvil::codegen {

/// The instruction-set levels Anvil has kernels for.
enum class Isa {
  Avx2,  ///< x86-64-v3: AVX2 + FMA, 8 floats per vector, 16 registers
  Avx512 ///< x86-64-v4: AVX-512 F/BW/CD/DQ/VL, 16 floats, 32 registers
};

/// `avx2` / `avx512`: the ISA's name in kernel names and the IR.
llvm::StringRef isaName(Isa isa);
/// `Avx2` / `Avx512`: the ISA's trait struct in runtime/kernels/Vec.h.
llvm::StringRef isaTraitName(Isa isa);
/// Floats per vector register and number of vector registers.
int isaLanes(Isa isa);
int isaRegisters(Isa isa);

struct Target {
  /// The name as given (`x86-64-v4`, `znver3+avx512vnni`), `native` resolved
  /// to the host's CPU name.
  std::string name;
  Isa isa = Isa::Avx512;
  /// CPU to tune for (-mtune); empty for the generic x86-64-vN levels.
  std::string tune;
  /// Features beyond the ISA level that the kernels may use (e.g.
  /// avx512vnni), sorted.
  std::vector<std::string> extraFeatures;
  /// `x86-64-v4+emulated`: the AVX-512 kernels (16 lanes, 32 registers,
  /// AVX-512 weight packing) built for x86-64-v3 with every AVX-512
  /// intrinsic emulated by SIMDe (runtime/kernels/Vec.h). Runs on any AVX2
  /// CPU, slowly: it is how an AVX2-only host tests the AVX-512 code paths.
  bool emulated = false;

  int lanes() const { return isaLanes(isa); }
  int registers() const { return isaRegisters(isa); }
  /// Every CPU feature the generated code may execute (the level's and the
  /// extras), in the runtime's spelling (runtime/src/Cpu.cpp): what a
  /// library checks at create.
  std::vector<std::string> requiredFeatures() const;
  /// The clang++ flags that select this target (-march, -mtune, -m<feature>).
  std::vector<std::string> clangFlags() const;
  /// `x86-64-v4 (avx512, 16 lanes, 32 registers, +avx512vnni)`.
  std::string describe() const;
};

/// Parses one target: `native`, `x86-64-v3`, `x86-64-v4`, a clang CPU name
/// (`znver3`, `icelake-server`, ...), each optionally followed by
/// `+feature` suffixes; `x86-64-v4+emulated` (see Target::emulated). Errors
/// say what is accepted.
llvm::Expected<Target> parseTarget(llvm::StringRef spec);
/// Parses a comma-separated list (at least one, no duplicates), ordered best
/// first: native AVX-512 before AVX2 before emulated, more features first.
/// A fat library's runtime picks the first variant the CPU can run.
llvm::Expected<std::vector<Target>> parseTargets(llvm::StringRef list);

/// The module attribute that holds the target.
constexpr llvm::StringLiteral kTargetAttrName = "anvil.target";

/// Target <-> `#anvil.target<...>`.
mlir::Attribute targetToAttr(mlir::MLIRContext *ctx, const Target &target);
llvm::Expected<Target> targetFromAttr(mlir::Attribute attr);
/// The target recorded on `module`; an error naming the attribute if absent.
llvm::Expected<Target> moduleTarget(mlir::ModuleOp module);

} // namespace anvil::codegen

#endif // ANVIL_CODEGEN_TARGET_H
