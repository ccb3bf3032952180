//===- AnvilAttrs.td - anvil enums and attributes ----------*- tablegen -*-===//

#ifndef ANVIL_ATTRS_TD
#define ANVIL_ATTRS_TD

include "dialects/anvil/IR/AnvilBase.td"
include "mlir/IR/EnumAttr.td"

def Anvil_UnaryKind : I32EnumAttr<"UnaryKind", "elementwise unary function", [
    I32EnumAttrCase<"relu", 0>,
    I32EnumAttrCase<"clip", 1>,        // alpha = min, beta = max
    I32EnumAttrCase<"sigmoid", 2>,
    I32EnumAttrCase<"tanh", 3>,
    I32EnumAttrCase<"leaky_relu", 4>,  // alpha = slope for x < 0
    I32EnumAttrCase<"hard_sigmoid", 5>,// max(0, min(1, alpha * x + beta))
    I32EnumAttrCase<"hard_swish", 6>,
    I32EnumAttrCase<"exp", 7>,
    I32EnumAttrCase<"log", 8>,
    I32EnumAttrCase<"sqrt", 9>,
    I32EnumAttrCase<"erf", 10>,
    I32EnumAttrCase<"neg", 11>,
    I32EnumAttrCase<"abs", 12>,
    I32EnumAttrCase<"identity", 13>,
    I32EnumAttrCase<"silu", 14>,       // x * sigmoid(x)
    I32EnumAttrCase<"gelu_erf", 15>    // x / 2 * (1 + erf(x / sqrt(2)))
  ]> {
  let cppNamespace = "::mlir::anvil";
  let genSpecializedAttr = 0;
}
def Anvil_UnaryKindAttr : EnumAttr<Anvil_Dialect, Anvil_UnaryKind, "unary_kind">;

def Anvil_BinaryKind : I32EnumAttr<"BinaryKind", "elementwise binary function", [
    I32EnumAttrCase<"add", 0>,
    I32EnumAttrCase<"sub", 1>,
    I32EnumAttrCase<"mul", 2>,
    I32EnumAttrCase<"div", 3>,
    I32EnumAttrCase<"max", 4>,
    I32EnumAttrCase<"min", 5>,
    I32EnumAttrCase<"pow", 6>
  ]> {
  let cppNamespace = "::mlir::anvil";
  let genSpecializedAttr = 0;
}
def Anvil_BinaryKindAttr : EnumAttr<Anvil_Dialect, Anvil_BinaryKind, "binary_kind">;

def Anvil_PadMode : I32EnumAttr<"PadMode", "padding mode", [
    I32EnumAttrCase<"constant", 0>,
    I32EnumAttrCase<"reflect", 1>,
    I32EnumAttrCase<"edge", 2>
  ]> {
  let cppNamespace = "::mlir::anvil";
  let genSpecializedAttr = 0;
}
def Anvil_PadModeAttr : EnumAttr<Anvil_Dialect, Anvil_PadMode, "pad_mode">;

//===----------------------------------------------------------------------===//
// Fused epilogues
//===----------------------------------------------------------------------===//

def Anvil_PostOpAttr : AttrDef<Anvil_Dialect, "PostOp"> {
  let mnemonic = "post";
  let summary = "one step of the epilogue fused into a conv2d or matmul";
  let description = [{
    The fusion pass (anvil-fuse-epilogues) moves elementwise ops that
    consume a conv2d or matmul result into the op's `post_ops` list; the
    kernel applies them, in order, to each result element after the bias:
    a unary function (with its alpha/beta, as `anvil.unary`), or a binary
    function whose left operand is the running value and whose right
    operand is post operand number `operand` of the op, broadcast the ways
    the kernels support (postOperandLayout).

    ```mlir
    post_ops = [#anvil.post<add, 0>, #anvil.post<clip, 0.0, 6.0>, #anvil.post<relu>]
    ```
  }];
  let parameters = (ins
    "bool":$isBinary,
    "::mlir::anvil::UnaryKind":$unaryKind,
    "::mlir::anvil::BinaryKind":$binaryKind,
    APFloatParameter<"unary parameter alpha">:$alpha,
    APFloatParameter<"unary parameter beta">:$beta,
    "int64_t":$operand
  );
  let hasCustomAssemblyFormat = 1;
  let genVerifyDecl = 1;
  let extraClassDeclaration = [{
    /// v = kind(v; alpha, beta).
    static PostOpAttr unaryStep(::mlir::MLIRContext *ctx, UnaryKind kind,
                                float alpha, float beta);
    /// v = kind(v, post operand `operand`).
    static PostOpAttr binaryStep(::mlir::MLIRContext *ctx, BinaryKind kind,
                                 int64_t operand);
  }];
}

def Anvil_PostOpArrayAttr
    : TypedArrayAttrBase<Anvil_PostOpAttr, "list of fused epilogue steps">;

//===----------------------------------------------------------------------===//
// The target
//===----------------------------------------------------------------------===//

def Anvil_TargetAttr : AttrDef<Anvil_Dialect, "Target"> {
  let mnemonic = "target";
  let summary = "the CPU target a module is compiled for";
  let description = [{
    Set on the module by anvilc from `--target` (codegen/Target.h parses the
    names); every decision that depends on the CPU derives from it: the ISA
    the kernels are instantiated for, vector lanes and registers (register
    tiles, weight packing), the features a library checks at create, and the
    clang++ flags.

    ```mlir
    module attributes {anvil.target = #anvil.target<name = "znver4",
        isa = "avx512", lanes = 16, registers = 32, tune = "znver4",
        features = ["avx512bf16", "avx512vnni"]>} { ... }
    ```

    `emulated = true` (only with isa avx512 and no features) marks the
    AVX-512 kernels built for x86-64-v3 with SIMDe: `x86-64-v4+emulated`.
  }];
  let parameters = (ins
    StringRefParameter<"target name as given to anvilc">:$name,
    StringRefParameter<"ISA level: avx2 or avx512">:$isa,
    "int64_t":$lanes,
    "int64_t":$registers,
    StringRefParameter<"CPU to tune for, empty for generic">:$tune,
    "::mlir::ArrayAttr":$features,
    DefaultValuedParameter<"bool", "false",
        "AVX-512 kernels emulated on x86-64-v3 (SIMDe)">:$emulated
  );
  let assemblyFormat = "`<` struct(params) `>`";
  let genVerifyDecl = 1;
}

#endif // ANVIL_ATTRS_TD
