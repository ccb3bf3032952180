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
    I32EnumAttrCase<"identity", 13>
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

#endif // ANVIL_ATTRS_TD
