//===- AnvilOps.td - anvil op definitions ------------------*- tablegen -*-===//
//
// Every op works on statically shaped ranked tensors and has a verifier that
// rejects bad shapes with a located diagnostic. Attributes use ONNX's
// conventions (NCHW, pads as [top, left, bottom, right]) so the importer maps
// nodes one to one.
//
//===----------------------------------------------------------------------===//

#ifndef ANVIL_OPS_TD
#define ANVIL_OPS_TD

include "dialects/anvil/IR/AnvilBase.td"
include "dialects/anvil/IR/AnvilAttrs.td"
include "mlir/Interfaces/SideEffectInterfaces.td"
include "mlir/IR/BuiltinAttributeInterfaces.td"
include "mlir/IR/OpBase.td"
include "mlir/Interfaces/InferTypeOpInterface.td"

//===----------------------------------------------------------------------===//
// Constants
//===----------------------------------------------------------------------===//

def Anvil_ConstantOp : Anvil_Op<"constant",
    [ConstantLike, Pure, AllTypesMatch<["value", "result"]>]> {
  let summary = "a constant tensor (weights are dense_resource blobs)";
  let description = [{
    ```mlir
    %w = anvil.constant dense_resource<conv1.weight> : tensor<64x3x7x7xf32>
    ```
  }];
  let arguments = (ins ElementsAttr:$value);
  let results = (outs Anvil_Tensor:$result);
  let assemblyFormat = "attr-dict $value";
  let hasFolder = 1;
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Compute-heavy ops
//===----------------------------------------------------------------------===//

def Anvil_Conv2DOp : Anvil_Op<"conv2d", [Pure, AttrSizedOperandSegments]> {
  let summary = "2-D convolution, NCHW input, KCRS weights, optional bias";
  let description = [{
    Grouped convolution (`groups` = C for depthwise). `pads` is
    [top, left, bottom, right]. Weight shape is [K, C / groups, R, S].
    `post_ops` (#anvil.post) are applied to the result after the bias; their
    binary steps read `post_operands`.
    ```mlir
    %y = anvil.conv2d %x, %w, %b {strides = array<i64: 2, 2>,
           pads = array<i64: 3, 3, 3, 3>, dilations = array<i64: 1, 1>,
           groups = 1 : i64}
         : (tensor<1x3x224x224xf32>, tensor<64x3x7x7xf32>, tensor<64xf32>)
           -> tensor<1x64x112x112xf32>
    ```
  }];
  let arguments = (ins Anvil_Tensor:$input, Anvil_Tensor:$weight,
                   Optional<Anvil_Tensor>:$bias,
                   Variadic<Anvil_Tensor>:$post_operands,
                   DenseI64ArrayAttr:$strides, DenseI64ArrayAttr:$pads,
                   DenseI64ArrayAttr:$dilations, I64Attr:$groups,
                   DefaultValuedAttr<Anvil_PostOpArrayAttr, "{}">:$post_ops);
  let results = (outs Anvil_Tensor:$result);
  let assemblyFormat = [{
    $input `,` $weight (`,` $bias^)? (`post` `(` $post_operands^ `)`)? attr-dict
      `:` functional-type(operands, results)
  }];
  let builders = [
    // Without post-ops (the importer's and the folds').
    OpBuilder<(ins "Type":$result, "Value":$input, "Value":$weight,
                   "Value":$bias, "ArrayRef<int64_t>":$strides,
                   "ArrayRef<int64_t>":$pads, "ArrayRef<int64_t>":$dilations,
                   "uint64_t":$groups), [{
      build($_builder, $_state, result, input, weight, bias, ValueRange{},
            strides, pads, dilations, groups, $_builder.getArrayAttr({}));
    }]>
  ];
  let hasVerifier = 1;
}

def Anvil_MatmulOp : Anvil_Op<"matmul", [Pure, AttrSizedOperandSegments]> {
  let summary = "batched matrix product with numpy batch broadcasting (MatMul, Gemm)";
  let description = [{
    `result = alpha * op(a) x op(b) (+ bias)` where op transposes the last two
    dims when `transpose_a` / `transpose_b` is set. Both operands have rank >=
    2; leading (batch) dims broadcast. `bias`, when present, has shape [N].
    `post_ops` as for `anvil.conv2d`.
    ```mlir
    %y = anvil.matmul %x, %w, %b {transpose_b = true}
         : (tensor<1x512xf32>, tensor<10x512xf32>, tensor<10xf32>) -> tensor<1x10xf32>
    ```
  }];
  let arguments = (ins Anvil_Tensor:$a, Anvil_Tensor:$b,
                   Optional<Anvil_Tensor>:$bias,
                   Variadic<Anvil_Tensor>:$post_operands,
                   DefaultValuedAttr<BoolAttr, "false">:$transpose_a,
                   DefaultValuedAttr<BoolAttr, "false">:$transpose_b,
                   DefaultValuedAttr<F32Attr, "1.0f">:$alpha,
                   DefaultValuedAttr<Anvil_PostOpArrayAttr, "{}">:$post_ops);
  let results = (outs Anvil_Tensor:$result);
  let assemblyFormat = [{
    $a `,` $b (`,` $bias^)? (`post` `(` $post_operands^ `)`)? attr-dict
      `:` functional-type(operands, results)
  }];
  let builders = [
    // Without post-ops (the importer's).
    OpBuilder<(ins "Type":$result, "Value":$a, "Value":$b, "Value":$bias,
                   "bool":$transpose_a, "bool":$transpose_b,
                   "APFloat":$alpha), [{
      build($_builder, $_state, result, a, b, bias, ValueRange{}, transpose_a,
            transpose_b, alpha, $_builder.getArrayAttr({}));
    }]>
  ];
  let hasVerifier = 1;
}

def Anvil_BatchNormOp : Anvil_Op<"batch_norm", [Pure]> {
  let summary = "batch normalization (inference): per-channel affine over dim 1";
  let description = [{
    `y = (x - mean) / sqrt(var + epsilon) * scale + bias`, channels at dim 1.
  }];
  let arguments = (ins Anvil_Tensor:$input, Anvil_Tensor:$scale,
                   Anvil_Tensor:$bias, Anvil_Tensor:$mean, Anvil_Tensor:$var,
                   F32Attr:$epsilon);
  let results = (outs Anvil_Tensor:$result);
  let assemblyFormat = [{
    $input `,` $scale `,` $bias `,` $mean `,` $var attr-dict `:`
      functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Pooling
//===----------------------------------------------------------------------===//

class Anvil_PoolOp<string mnemonic, string what> : Anvil_Op<mnemonic, [Pure]> {
  let summary = what # " pooling over the spatial dims of an NCHW tensor";
  let description = [{
    `pads` is [top, left, bottom, right]; the output size rounds down, or up
    when `ceil_mode` is set (a window must start inside the input or the
    leading padding).
  }];
  let results = (outs Anvil_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  let hasVerifier = 1;
}

def Anvil_MaxPoolOp : Anvil_PoolOp<"max_pool", "max"> {
  let arguments = (ins Anvil_Tensor:$input, DenseI64ArrayAttr:$kernel_shape,
                   DenseI64ArrayAttr:$strides, DenseI64ArrayAttr:$pads,
                   DenseI64ArrayAttr:$dilations,
                   DefaultValuedAttr<BoolAttr, "false">:$ceil_mode);
}

def Anvil_AvgPoolOp : Anvil_PoolOp<"avg_pool", "average"> {
  let arguments = (ins Anvil_Tensor:$input, DenseI64ArrayAttr:$kernel_shape,
                   DenseI64ArrayAttr:$strides, DenseI64ArrayAttr:$pads,
                   DefaultValuedAttr<BoolAttr, "false">:$ceil_mode,
                   DefaultValuedAttr<BoolAttr, "false">:$count_include_pad);
}

def Anvil_GlobalAvgPoolOp : Anvil_Op<"global_avg_pool", [Pure]> {
  let summary = "mean over all spatial dims: [N, C, ...] -> [N, C, 1, ...]";
  let arguments = (ins Anvil_Tensor:$input);
  let results = (outs Anvil_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  let hasVerifier = 1;
}

def Anvil_GlobalMaxPoolOp : Anvil_Op<"global_max_pool", [Pure]> {
  let summary = "max over all spatial dims: [N, C, ...] -> [N, C, 1, ...]";
  let arguments = (ins Anvil_Tensor:$input);
  let results = (outs Anvil_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Elementwise
//===----------------------------------------------------------------------===//

def Anvil_UnaryOp : Anvil_Op<"unary", [Pure, SameOperandsAndResultType]> {
  let summary = "elementwise unary function";
  let description = [{
    `alpha` / `beta` parameterize the functions that take them: clip (min,
    max), leaky_relu (slope), hard_sigmoid (alpha, beta).
    ```mlir
    %y = anvil.unary clip %x {alpha = 0.0 : f32, beta = 6.0 : f32} : tensor<1x32xf32>
    ```
  }];
  let arguments = (ins Anvil_UnaryKindAttr:$kind, Anvil_Tensor:$input,
                   DefaultValuedAttr<F32Attr, "0.0f">:$alpha,
                   DefaultValuedAttr<F32Attr, "0.0f">:$beta);
  let results = (outs Anvil_Tensor:$result);
  let assemblyFormat = "$kind $input attr-dict `:` type($result)";
  let hasFolder = 1;
  let hasVerifier = 1;
}

def Anvil_BinaryOp : Anvil_Op<"binary", [Pure]> {
  let summary = "elementwise binary function with numpy broadcasting";
  let description = [{
    ```mlir
    %y = anvil.binary add %a, %b : (tensor<1x64x8x8xf32>, tensor<64x1x1xf32>) -> tensor<1x64x8x8xf32>
    ```
  }];
  let arguments = (ins Anvil_BinaryKindAttr:$kind, Anvil_Tensor:$lhs,
                   Anvil_Tensor:$rhs);
  let results = (outs Anvil_Tensor:$result);
  let assemblyFormat = [{
    $kind $lhs `,` $rhs attr-dict `:` functional-type(operands, results)
  }];
  let hasFolder = 1;
  let hasVerifier = 1;
}

def Anvil_SoftmaxOp : Anvil_Op<"softmax", [Pure, SameOperandsAndResultType]> {
  let summary = "softmax along one axis (opset >= 13 semantics)";
  let arguments = (ins Anvil_Tensor:$input, I64Attr:$axis);
  let results = (outs Anvil_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($result)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Data movement
//===----------------------------------------------------------------------===//

def Anvil_ReshapeOp : Anvil_Op<"reshape", [Pure]> {
  let summary = "reinterpret a tensor with a new static shape (no data movement)";
  let arguments = (ins Anvil_Tensor:$input);
  let results = (outs Anvil_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  let hasFolder = 1;
  let hasVerifier = 1;
}

def Anvil_FlattenOp : Anvil_Op<"flatten", [Pure]> {
  let summary = "collapse dims [0, axis) and [axis, rank) into a 2-D tensor";
  let description = [{ Canonicalizes to `anvil.reshape`. }];
  let arguments = (ins Anvil_Tensor:$input, I64Attr:$axis);
  let results = (outs Anvil_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  let hasCanonicalizer = 1;
  let hasVerifier = 1;
}

def Anvil_TransposeOp : Anvil_Op<"transpose", [Pure]> {
  let summary = "permute dims: result dim i is input dim perm[i]";
  let arguments = (ins Anvil_Tensor:$input, DenseI64ArrayAttr:$perm);
  let results = (outs Anvil_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  let hasFolder = 1;
  let hasVerifier = 1;
}

def Anvil_ConcatOp : Anvil_Op<"concat", [Pure]> {
  let summary = "concatenate tensors along one axis";
  let arguments = (ins Variadic<Anvil_Tensor>:$inputs, I64Attr:$axis);
  let results = (outs Anvil_Tensor:$result);
  let assemblyFormat = [{
    $inputs attr-dict `:` functional-type($inputs, results)
  }];
  let hasFolder = 1;
  let hasVerifier = 1;
}

def Anvil_PadOp : Anvil_Op<"pad", [Pure]> {
  let summary = "pad (or, with negative pads, crop) every dim";
  let description = [{
    `pads` is ONNX's [x1_begin, x2_begin, ..., x1_end, x2_end, ...].
  }];
  let arguments = (ins Anvil_Tensor:$input, DenseI64ArrayAttr:$pads,
                   DefaultValuedAttr<Anvil_PadModeAttr, "PadMode::constant">:$mode,
                   DefaultValuedAttr<F32Attr, "0.0f">:$value);
  let results = (outs Anvil_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  let hasVerifier = 1;
}

#endif // ANVIL_OPS_TD
