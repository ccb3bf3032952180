//===- Pipeline.cpp - Compilation phases and the pass pipeline ------------===//

#include "compiler/Pipeline.h"

#include "codegen/CodegenPasses.h"
#include "dialects/anvil/IR/AnvilDialect.h"
#include "passes/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"
#include "llvm/ADT/StringSwitch.h"

using namespace anvil;

std::optional<Phase> anvil::parsePhase(llvm::StringRef name) {
  return llvm::StringSwitch<std::optional<Phase>>(name)
      .Case("import", Phase::Import)
      .Case("graph", Phase::Graph)
      .Case("kernelize", Phase::Kernelize)
      .Case("plan", Phase::Plan)
      .Case("emit", Phase::Emit)
      .Case("object", Phase::Object)
      .Default(std::nullopt);
}

llvm::StringRef anvil::phaseName(Phase phase) {
  switch (phase) {
  case Phase::Import:
    return "import";
  case Phase::Graph:
    return "graph";
  case Phase::Kernelize:
    return "kernelize";
  case Phase::Plan:
    return "plan";
  case Phase::Emit:
    return "emit";
  case Phase::Object:
    return "object";
  }
  return "unknown";
}

void anvil::addGraphPasses(mlir::OpPassManager &pm,
                           const PipelineOptions &options) {
  if (!options.optimize)
    return;
  // Canonicalize first so the folders see flatten as reshape and constant
  // operands in canonical form; again after folding batch norms, which
  // leaves constant arithmetic and identity ops behind.
  pm.addPass(mlir::createCanonicalizerPass());
  pm.addNestedPass<mlir::func::FuncOp>(mlir::anvil::createFoldConstantsPass());
  pm.addNestedPass<mlir::func::FuncOp>(mlir::anvil::createFoldBatchNormPass());
  pm.addNestedPass<mlir::func::FuncOp>(
      mlir::anvil::createFoldIntoConsumersPass());
  pm.addNestedPass<mlir::func::FuncOp>(
      mlir::anvil::createRecognizeActivationsPass());
  pm.addPass(mlir::createCanonicalizerPass());
  pm.addNestedPass<mlir::func::FuncOp>(
      mlir::anvil::createEliminateDeadCodePass());
  if (options.fuse)
    pm.addNestedPass<mlir::func::FuncOp>(
        mlir::anvil::createFuseEpiloguesPass());
}

void anvil::addKernelizePasses(mlir::OpPassManager &pm,
                               const PipelineOptions &options) {
  mlir::anvil::SelectKernelsPassOptions select;
  select.winograd = options.winograd;
  pm.addPass(mlir::anvil::createSelectKernelsPass(select));
}

void anvil::addPlanPasses(mlir::OpPassManager &pm) {
  pm.addNestedPass<mlir::func::FuncOp>(mlir::anvil::createPlanMemoryPass());
}

void anvil::buildPipeline(mlir::OpPassManager &pm,
                          const PipelineOptions &options) {
  addGraphPasses(pm, options);
  addKernelizePasses(pm, options);
  addPlanPasses(pm);
}

void anvil::registerPipelines() {
  mlir::PassPipelineRegistration<>(
      "anvil-graph", "Anvil's graph phase (the optimizing passes)",
      [](mlir::OpPassManager &pm) { addGraphPasses(pm, PipelineOptions{}); });
  mlir::PassPipelineRegistration<>(
      "anvil-kernelize",
      "Anvil's kernelize phase (anvil-select-kernels for the module's target)",
      [](mlir::OpPassManager &pm) {
        addKernelizePasses(pm, PipelineOptions{});
      });
  mlir::PassPipelineRegistration<>(
      "anvil-plan", "Anvil's plan phase (anvil-plan-memory)",
      [](mlir::OpPassManager &pm) { addPlanPasses(pm); });
  mlir::PassPipelineRegistration<>(
      "anvil-pipeline", "Anvil's whole pass pipeline (graph, kernelize, plan)",
      [](mlir::OpPassManager &pm) { buildPipeline(pm, PipelineOptions{}); });
  mlir::PassPipelineRegistration<>(
      "anvil-pipeline-O0", "Anvil's pass pipeline at -O0 (kernelize and plan only)",
      [](mlir::OpPassManager &pm) {
        buildPipeline(pm, PipelineOptions{/*optimize=*/false});
      });
}

void anvil::registerDialects(mlir::DialectRegistry &registry) {
  registry.insert<mlir::anvil::AnvilDialect, mlir::func::FuncDialect>();
}
