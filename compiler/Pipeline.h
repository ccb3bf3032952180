//===- Pipeline.h - Compilation phases and the pass pipeline ----*- C++ -*-===//
//
// The one place where Anvil's pass pipeline is assembled. A compilation runs
// through named phases; `anvilc --compile-to=<phase>` stops after one and
// prints the IR (or, for emit, the C++):
//
//   import  ONNX -> anvil dialect (compiler/onnx)
//   graph   canonicalize, anvil-fold-constants, anvil-fold-batch-norm,
//           anvil-fold-into-consumers, anvil-recognize-activations,
//           canonicalize, anvil-eliminate-dead-code,
//           anvil-fuse-epilogues (not with --no-fusion)  (skipped at -O0)
//   kernelize anvil-select-kernels: each op's kernel and weight layout
//           for the module's #anvil.target                (always;
//           winograd=false with --no-winograd)
//   plan    anvil-plan-memory                         (always)
//   emit    C++ source, header and weights blob (codegen/)
//   object  clang++ -> .o / .so
//
//===----------------------------------------------------------------------===//

#ifndef ANVIL_COMPILER_PIPELINE_H
#define ANVIL_COMPILER_PIPELINE_H

#include "mlir/IR/DialectRegistry.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/ADT/StringRef.h"

#include <optional>

namespace anvil {

/// The phases of a compilation, in order.
enum class Phase { Import, Graph, Kernelize, Plan, Emit, Object };

/// `import`, `graph`, `kernelize`, `plan`, `emit`, `object` -> Phase.
std::optional<Phase> parsePhase(llvm::StringRef name);
llvm::StringRef phaseName(Phase phase);

/// What changes the pipeline.
struct PipelineOptions {
  /// false for -O0: only the passes codegen needs (the memory plan) run.
  bool optimize = true;
  /// false for --no-fusion: no anvil-fuse-epilogues.
  bool fuse = true;
  /// false for --no-winograd: anvil-select-kernels{winograd=false}.
  bool winograd = true;
};

/// Adds the graph phase: the optimizing passes (none at -O0).
void addGraphPasses(mlir::OpPassManager &pm, const PipelineOptions &options);
/// Adds the kernelize phase: anvil-select-kernels.
void addKernelizePasses(mlir::OpPassManager &pm,
                        const PipelineOptions &options);
/// Adds the plan phase: anvil-plan-memory.
void addPlanPasses(mlir::OpPassManager &pm);
/// Adds the graph, kernelize and plan phases.
void buildPipeline(mlir::OpPassManager &pm, const PipelineOptions &options);

/// Registers the phases as textual pipelines (`anvil-graph`,
/// `anvil-kernelize`, `anvil-plan`, `anvil-pipeline`, `anvil-pipeline-O0`)
/// so anvil-opt and lit can run them.
void registerPipelines();

/// The dialects a compilation uses (anvil, func).
void registerDialects(mlir::DialectRegistry &registry);

} // namespace anvil

#endif // ANVIL_COMPILER_PIPELINE_H
