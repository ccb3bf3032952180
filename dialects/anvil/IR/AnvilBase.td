//===- AnvilBase.td - anvil dialect definition -------------*- tablegen -*-===//
//
// The anvil dialect: graph-level neural-network ops on static ranked tensors,
// at the granularity of one tuned kernel each.
//
//===----------------------------------------------------------------------===//

#ifndef ANVIL_BASE_TD
#define ANVIL_BASE_TD

include "mlir/IR/OpBase.td"
include "mlir/IR/AttrTypeBase.td"

def Anvil_Dialect : Dialect {
  let name = "anvil";
  let summary = "Graph-level neural-network ops for the Anvil compiler";
  let description = [{
    Ops work on statically shaped ranked tensors in logical layout (NCHW for
    images). Weights are `dense_resource` blobs held by `anvil.constant`.
  }];
  let cppNamespace = "::mlir::anvil";
  let useDefaultAttributePrinterParser = 1;
  let hasConstantMaterializer = 1;
}

class Anvil_Op<string mnemonic, list<Trait> traits = []>
    : Op<Anvil_Dialect, mnemonic, traits>;

/// A ranked tensor with a static shape (checked in each op's verifier).
def Anvil_Tensor : RankedTensorOf<[AnyType]>;

#endif // ANVIL_BASE_TD
