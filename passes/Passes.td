//===- Passes.td - anvil graph passes ----------------------*- tablegen -*-===//
//
// The graph-level passes of Anvil. Flags and creators are a contract with the
// pipeline and the code generator (docs/INTERFACES.md §2).
//
//===----------------------------------------------------------------------===//

#ifndef ANVIL_PASSES_TD
#define ANVIL_PASSES_TD

include "mlir/Pass/PassBase.td"

def FoldConstantsPass : Pass<"anvil-fold-constants", "func::FuncOp"> {
  let summary = "evaluate anvil ops whose operands are all constants";
  let description = [{
    Replaces every anvil op whose operands are all `anvil.constant` by the
    constant it computes: elementwise ops, data movement (reshape, flatten,
    transpose, concat, pad), batch_norm, softmax, pooling, and conv2d / matmul
    when their work stays below `max-work` multiply-adds. Results larger than
    16 elements become `dense_resource` blobs. Constants left without users
    are erased.
  }];
  let options = [
    Option<"maxWork", "max-work", "int64_t", /*default=*/"int64_t(1) << 26",
           "largest number of multiply-adds a conv2d or matmul may take to be "
           "folded">
  ];
  let dependentDialects = ["::mlir::anvil::AnvilDialect"];
}

def FoldBatchNormPass : Pass<"anvil-fold-batch-norm", "func::FuncOp"> {
  let summary = "fold batch_norm into the conv2d that feeds it";
  let description = [{
    `batch_norm(conv2d(x, W, b))` with constant W, b and batch-norm
    parameters, where the conv result has no other user, becomes one
    `conv2d(x, W', b')` with `W'[k] = W[k] * s[k]`,
    `b' = (b - mean) * s + beta`, `s = scale / sqrt(var + epsilon)`.
    The new conv carries the fused location of both ops.
  }];
  let dependentDialects = ["::mlir::anvil::AnvilDialect"];
}

def FoldIntoConsumersPass : Pass<"anvil-fold-into-consumers", "func::FuncOp"> {
  let summary = "fold pads into conv/pool windows and transposes into matmul";
  let description = [{
    A constant `anvil.pad` of the spatial dims only (no crop) feeding a
    conv2d (fill 0), an avg_pool (fill 0; the pool then counts padding, so
    only when its own pads are zero or already counted) or a max_pool (fill
    -inf) is added to the consumer's `pads`; pools in ceil mode are left
    alone. An `anvil.transpose` swapping the last two dims of a matmul
    operand flips `transpose_a` / `transpose_b`. The consumer reads the
    producer's input; the producer stays while it has other users.
  }];
  let dependentDialects = ["::mlir::anvil::AnvilDialect"];
}

def RecognizeActivationsPass
    : Pass<"anvil-recognize-activations", "func::FuncOp"> {
  let summary = "elementwise chains that spell SiLU or GELU become one unary";
  let description = [{
    `x * sigmoid(x)` becomes `anvil.unary silu`; PyTorch's erf GELU,
    `(x * (erf(x / sqrt 2) + 1)) * 0.5` (also with `x * 0.7071..` and the
    0.5 anywhere in the product), becomes `anvil.unary gelu_erf`. Every op
    of the chain but the last has that one user; only scalar constants
    broadcast. The replaced chain is left to dead-code elimination.
  }];
  let dependentDialects = ["::mlir::anvil::AnvilDialect"];
}

def FuseEpiloguesPass : Pass<"anvil-fuse-epilogues", "func::FuncOp"> {
  let summary = "fuse elementwise consumers into conv2d and matmul post-ops";
  let description = [{
    A conv2d or matmul whose result has one user, an `anvil.unary` or an
    `anvil.binary` whose other operand the kernels can read beside the
    result (same shape, one value per channel or row, one row shared by all
    rows: postOperandLayout), absorbs that user as the next `#anvil.post`
    step of its `post_ops`, up to 8 steps. The fused op moves to the
    absorbed op's place and carries both locations. Not fused: results with
    another user, binary ops that broadcast the result, non-commutative ops
    with the result on the right.
  }];
  let dependentDialects = ["::mlir::anvil::AnvilDialect"];
}

def EliminateDeadCodePass : Pass<"anvil-eliminate-dead-code", "func::FuncOp"> {
  let summary = "remove anvil ops whose results are unused";
  let description = [{
    Erases anvil ops without users until none is left. Function arguments
    and ops of other dialects are never removed.
  }];
}

def PlanMemoryPass : Pass<"anvil-plan-memory", "func::FuncOp"> {
  let summary = "assign arena offsets to intermediate tensors";
  let description = [{
    Liveness-based arena planning (docs/INTERFACES.md §2, "The memory
    plan"): sets `anvil.arena_offset` on every op whose result lives in the
    arena, and `anvil.arena_bytes` / `anvil.naive_bytes` on the function.
    Reshape and flatten alias their input; values returned once and produced
    by a compute op are written into the caller's output buffer; elementwise
    ops reuse a dying operand's buffer in place. Offsets are packed with
    greedy-by-size best-fit placement among overlapping live ranges.
  }];
}

#endif // ANVIL_PASSES_TD
