//===- CodegenPasses.td - passes of the kernelize phase ----*- tablegen -*-===//
//
// Passes that lower the graph towards kernel calls; they need the module's
// #anvil.target (codegen/Target.h).
//
//===----------------------------------------------------------------------===//

#ifndef ANVIL_CODEGEN_PASSES_TD
#define ANVIL_CODEGEN_PASSES_TD

include "mlir/Pass/PassBase.td"

def SelectKernelsPass : Pass<"anvil-select-kernels", "ModuleOp"> {
  let summary = "record on each op the kernel it calls and its weight layout";
  let description = [{
    For the module's `anvil.target`, chooses each compute op's kernel from the
    registry (codegen/KernelRegistry.h) and records it as `anvil.kernel`
    (e.g. `"conv2d_f32_nchw_implicit_8x48__avx512"`); conv2d and matmul also
    get `anvil.weight_layout`, the packed layout of their weights
    (`"gOihw8o"`, `"Ba64b"`). The emitter prints the call the IR names. A
    module without a target is an error. `winograd=false` (anvilc
    --no-winograd) keeps 3x3 convs off the Winograd path.
  }];
  let options = [
    Option<"winograd", "winograd", "bool", /*default=*/"true",
           "let 3x3 stride-1 convs take the Winograd F(4x4, 3x3) path">
  ];
  let dependentDialects = ["::mlir::anvil::AnvilDialect"];
}

#endif // ANVIL_CODEGEN_PASSES_TD
