#===- make_model_traps.py - sizes that overflow, files that block, ... ----===#
# usage: make_model_traps.py OUT_DIR
# Writes models whose size arithmetic overflows int64 or whose constant
# folding would materialize gigabytes, each refused with a message naming the
# node (test/e2e/model_traps.test), and two that must compile and compute
# ONNX's integer semantics:
#   pad_int64_max        Pad (opset 13) with pads INT64_MAX: overflows
#   reshape_overflow     Reshape to [2^40, 2^40, 0]: the product overflows
#   tile_overflow        Tile of a runtime tensor by 2^62
#   slice_step_max       Slice with step INT64_MAX: compiles, one element
#   const_of_shape_huge  ConstantOfShape [2^20, 2^20]: past the fold budget
#   expand_huge          Expand of a constant to [2^15, 2^15, 16]: same
#   range_huge           Range(0, 1e18, 1): same
#   concat_mismatch      Concat of [1,2] and [1,3] on axis 0
#   input_empty          a graph input of static shape [1, 0]
#   input_huge           a graph input of shape [2^31, 2^31]
#   convt_outpad_huge    ConvTranspose with output_padding 2^62
#   external_fifo        a weight whose external data is a FIFO
#   empty_output         an empty constant as the graph output
#   empty_concat         Concat of x and an empty constant (compiles)
#   conv_rank_mismatch, convt_weight_rank, old_output_unproduced,
#   lrn_size_max         the importer fuzzer's findings (test/fuzz)
#   old_unknown_op       opset 5 with an op ONNX does not have
#   nested_if_50         If nested 50 deep (protobuf nesting limit)
#   int_folds            Div(INT64_MIN, -1), Mul overflow, Pow by squaring,
#                        folded at import: y = x + Cast(results) (compiles)
#===----------------------------------------------------------------------===#
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
I64_MAX = np.iinfo(np.int64).max
I64_MIN = np.iinfo(np.int64).min


def i64(name, values):
    return numpy_helper.from_array(np.array(values, np.int64), name)


def save(name, nodes, inits=(), x_shape=(1, 4), y_rank=2, opset=13):
    y_shape = ["d%d" % i for i in range(y_rank)] # left to shape inference
    graph = helper.make_graph(
        nodes, name,
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, list(x_shape))],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, y_shape)],
        list(inits))
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)],
                              producer_name="anvil")
    onnx.save(model, os.path.join(out, name + ".onnx"))


save("pad_int64_max", [helper.make_node("Pad", ["x", "p"], ["y"], name="pad")],
     [i64("p", [0, I64_MAX, 0, I64_MAX])])
save("reshape_overflow",
     [helper.make_node("Reshape", ["x", "s"], ["y"], name="reshape",
                       allowzero=1)],
     [i64("s", [1 << 40, 1 << 40, 0])], y_rank=3, opset=14)
save("tile_overflow", [helper.make_node("Tile", ["x", "r"], ["y"], name="tile")],
     [i64("r", [1, 1 << 62])])
save("slice_step_max",
     [helper.make_node("Slice", ["x", "st", "en", "ax", "sp"], ["y"],
                       name="slice")],
     [i64("st", [0]), i64("en", [I64_MAX]), i64("ax", [1]), i64("sp", [I64_MAX])])
save("const_of_shape_huge",
     [helper.make_node("ConstantOfShape", ["s"], ["c"], name="fill"),
      helper.make_node("Add", ["x", "c"], ["y"], name="add")],
     [i64("s", [1 << 20, 1 << 20])])
save("expand_huge",
     [helper.make_node("Expand", ["one", "s"], ["c"], name="expand"),
      helper.make_node("Add", ["x", "c"], ["y"], name="add")],
     [numpy_helper.from_array(np.ones((1,), np.float32), "one"),
      i64("s", [1 << 15, 1 << 15, 16])], y_rank=3)
save("range_huge",
     [helper.make_node("Range", ["a", "b", "d"], ["r"], name="range"),
      helper.make_node("Cast", ["r"], ["f"], to=TensorProto.FLOAT),
      helper.make_node("Add", ["x", "f"], ["y"], name="add")],
     [i64("a", 0), i64("b", 10**18), i64("d", 1)], y_rank=2)
save("concat_mismatch",
     [helper.make_node("Concat", ["x", "c"], ["y"], name="concat", axis=0)],
     [numpy_helper.from_array(np.ones((1, 3), np.float32), "c")])
save("input_empty", [helper.make_node("Relu", ["x"], ["y"], name="relu")],
     x_shape=(1, 0))
save("input_huge", [helper.make_node("Relu", ["x"], ["y"], name="relu")],
     x_shape=(1 << 31, 1 << 31))
save("convt_outpad_huge",
     [helper.make_node("ConvTranspose", ["x", "w"], ["y"], name="convt",
                       strides=[2, 2], output_padding=[1 << 62, 0])],
     [numpy_helper.from_array(np.ones((1, 1, 3, 3), np.float32), "w")],
     x_shape=(1, 1, 4, 4), y_rank=4)

# Integer folds with ONNX Runtime's (and numpy's) wrap-around semantics.
ints = [I64_MIN, I64_MAX, 3, -7]
save("int_folds",
     [helper.make_node("Div", ["a", "m1"], ["q"]),      # MIN/-1 wraps to MIN
      helper.make_node("Mul", ["a", "b"], ["p"]),       # wraps
      helper.make_node("Pow", ["e", "k"], ["w"]),       # 3^41 wraps
      helper.make_node("Div", ["b", "e"], ["t"]),       # toward zero
      helper.make_node("Concat", ["q", "p", "w", "t"], ["all"], axis=0),
      helper.make_node("Equal", ["all", "expect"], ["same"]),
      helper.make_node("Cast", ["same"], ["f"], to=TensorProto.FLOAT),
      helper.make_node("Add", ["x", "f"], ["y"], name="add")],
     [i64("a", [I64_MIN]), i64("m1", [-1]), i64("b", [-7]), i64("e", [3]),
      i64("k", [41]),
      i64("expect", [I64_MIN,
                     (I64_MIN * -7) % (1 << 64) - (1 << 64)
                     if (I64_MIN * -7) % (1 << 64) >= (1 << 63)
                     else (I64_MIN * -7) % (1 << 64),
                     ((3 ** 41) % (1 << 64)) - (1 << 64)
                     if (3 ** 41) % (1 << 64) >= (1 << 63)
                     else (3 ** 41) % (1 << 64),
                     -2])])

# External data whose location is a FIFO (the test makes fifo.bin with
# mkfifo): reading it would block forever.
w = TensorProto(name="w", data_type=TensorProto.FLOAT, dims=[1, 4])
w.data_location = TensorProto.EXTERNAL
entry = w.external_data.add()
entry.key, entry.value = "location", "fifo.bin"
save("external_fifo", [helper.make_node("Add", ["x", "w"], ["y"], name="add")],
     [w])

# If nested 50 deep: past protobuf's default nesting limit of 100 levels.
def leaf(d):
    return helper.make_graph(
        [helper.make_node("Identity", ["x"], ["o%d" % d])], "leaf%d" % d, [],
        [helper.make_tensor_value_info("o%d" % d, TensorProto.FLOAT, [1])])


def nested(d):
    if d == 0:
        return leaf(0)
    node = helper.make_node("If", ["c"], ["o%d" % d], then_branch=nested(d - 1),
                            else_branch=leaf(d - 1))
    return helper.make_graph(
        [node], "g%d" % d, [],
        [helper.make_tensor_value_info("o%d" % d, TensorProto.FLOAT, [1])])


graph = helper.make_graph(
    nested(50).node, "nested_if_50",
    [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1]),
     helper.make_tensor_value_info("c", TensorProto.BOOL, [])],
    [helper.make_tensor_value_info("o50", TensorProto.FLOAT, [1])])
with open(os.path.join(out, "nested_if_50.onnx"), "wb") as f:
    f.write(helper.make_model(graph).SerializeToString())

# An opset-5 model with an op ONNX does not have: ONNX's version converter
# throws a bare C++ library exception (unordered_map::at) on it.
graph = helper.make_graph(
    [helper.make_node("Foo", ["x"], ["y"])], "old_unknown_op",
    [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1])],
    [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1])])
onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 5)]),
          os.path.join(out, "old_unknown_op.onnx"))

# Empty constants: as a graph output (refused: no empty runtime tensors; this
# reached clang as "use of undeclared identifier 'weightAt'"), and as a
# Concat operand, which contributes nothing (compiles).
empty = numpy_helper.from_array(np.zeros((0, 4), np.float32), "e")
save("empty_output", [helper.make_node("Identity", ["e"], ["y"], name="id")],
     [empty])
save("empty_concat",
     [helper.make_node("Concat", ["x", "e"], ["y"], name="concat", axis=0)],
     [empty])

# Found by the importer fuzzer (test/fuzz): crashes inside libonnx, refused
# before it runs. Conv / ConvTranspose whose data and weight ranks differ
# (shape inference reads past the dims), an opset-6 graph output that no node
# produces (ONNX's version converter dereferences its producer), LRN of size
# INT64_MAX (the window arithmetic overflowed).
def graph_io(name, nodes, inputs, outputs, inits=(), opset=13):
    graph = helper.make_graph(
        nodes, name,
        [helper.make_tensor_value_info(n, TensorProto.FLOAT, s) for n, s in inputs],
        [helper.make_tensor_value_info(n, TensorProto.FLOAT, s) for n, s in outputs],
        list(inits))
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)]),
              os.path.join(out, name + ".onnx"))


graph_io("conv_rank_mismatch", [helper.make_node("Conv", ["x", "w"], ["y"], name="conv")],
         [("x", [1, 3, 3]), ("w", [1, 1, 2, 2])], [("y", [1, 1, 2, 2])], opset=11)
graph_io("convt_weight_rank", [helper.make_node("ConvTranspose", ["x", "w"], ["y"], name="convt")],
         [("x", [1, 1, 3, 3]), ("w", [1, 2])], [("y", [1, 1, 5, 5])], opset=11)
graph_io("old_output_unproduced", [helper.make_node("Relu", ["x"], ["y"])],
         [("x", [2])], [("z", [2])], opset=6)
graph_io("lrn_size_max", [helper.make_node("LRN", ["x"], ["y"], name="lrn", size=I64_MAX)],
         [("x", [5, 5, 5, 5])], [("y", [5, 5, 5, 5])])
