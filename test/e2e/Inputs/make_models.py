#===- make_models.py - small ONNX models for the e2e lit tests -------------===#
# usage: make_models.py OUT_DIR
# Writes, all opset 13:
#   conv_relu.onnx    x[1,2,5,5] -> Conv(3x2x3x3, pad 1, bias) -> Relu -> y;
#                     weights follow the formulas in embed_main.cpp
#   unsupported.onnx  a valid model whose node "my_det" is Det, an operator
#                     Anvil does not implement
#   dynamic.onnx      x[N,4] (N unpinned) -> Relu -> y
#   int_input.onnx    an int64 runtime input (refused: runtime tensors are f32)
#===----------------------------------------------------------------------===#
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
OPSET = [helper.make_opsetid("", 13)]


def save(graph, name):
    model = helper.make_model(graph, opset_imports=OPSET,
                              producer_name="anvil-e2e")
    onnx.checker.check_model(model)
    onnx.save(model, os.path.join(out, name))


# Keep in sync with embed_main.cpp.
w = np.array([((i * 5) % 13 - 6) * 0.0625 for i in range(3 * 2 * 3 * 3)],
             np.float32).reshape(3, 2, 3, 3)
b = np.array([0.25 * k - 0.25 for k in range(3)], np.float32)
save(helper.make_graph(
    [helper.make_node("Conv", ["x", "w", "b"], ["c"], name="conv",
                      pads=[1, 1, 1, 1], kernel_shape=[3, 3]),
     helper.make_node("Relu", ["c"], ["y"], name="relu")],
    "conv_relu",
    [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 2, 5, 5])],
    [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 3, 5, 5])],
    [numpy_helper.from_array(w, "w"), numpy_helper.from_array(b, "b")]),
    "conv_relu.onnx")

save(helper.make_graph(
    [helper.make_node("Det", ["x"], ["y"], name="my_det")],
    "unsupported",
    [helper.make_tensor_value_info("x", TensorProto.FLOAT, [3, 3])],
    [helper.make_tensor_value_info("y", TensorProto.FLOAT, [])]),
    "unsupported.onnx")

save(helper.make_graph(
    [helper.make_node("Relu", ["x"], ["y"], name="relu")],
    "dynamic",
    [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 4])],
    [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", 4])]),
    "dynamic.onnx")

save(helper.make_graph(
    [helper.make_node("Cast", ["i"], ["y"], name="cast", to=TensorProto.FLOAT)],
    "int_input",
    [helper.make_tensor_value_info("i", TensorProto.INT64, [4])],
    [helper.make_tensor_value_info("y", TensorProto.FLOAT, [4])]),
    "int_input.onnx")
