#===- make_hostile_names.py - models whose names try to steer codegen ------===#
# usage: make_hostile_names.py OUT_DIR
# Writes, all opset 13:
#   names.onnx     x -> Relu -> Add(initializer) -> Sigmoid -> y0, and
#                  Relu's result also as y1; every input, output, node and
#                  initializer name holds what would steer generated C/C++ if
#                  pasted raw (line ends, an asm statement, `*/`, `#error`,
#                  quotes, backslashes, a trigraph, non-UTF-8 bytes)
#   names.txt      the graph input and output names, one per line, as
#                  Python escapes (what anvil-run --info must print back)
#   nul_name.onnx  a Relu whose output name holds a NUL byte (refused)
#===----------------------------------------------------------------------===#
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
OPSET = [helper.make_opsetid("", 13)]

# The bytes 0xff 0xfe (never UTF-8) are patched into the serialized model
# over this same-length placeholder: protobuf's Python API takes text only.
NON_UTF8_PLACEHOLDER = "@@"
NON_UTF8 = b"\xff\xfe"

X = 'x\n__asm__(".globl anvil_pwned_asm\\nanvil_pwned_asm:");\n//'
Y0 = 'y0 */ #error closed_comment /* \\'
Y1 = 'y1\r#error after_cr\n#define anvil_pwned_macro 1\n??/'
RELU = 'relu\n#error node_name'
ADD = 'add "quoted" \\" \\\\ ' + NON_UTF8_PLACEHOLDER
SIG = 'sig */ } int anvil_pwned_var = 1; /*'
B = 'b\\\n#error splice'
R = 'r\t\x01\x7f'


def save(model, name, patch=None):
    data = model.SerializeToString()
    if patch:
        data = data.replace(patch[0].encode(), patch[1])
    with open(os.path.join(out, name), "wb") as f:
        f.write(data)


graph = helper.make_graph(
    [helper.make_node("Relu", [X], [R], name=RELU),
     helper.make_node("Add", [R, B], ["s"], name=ADD),
     helper.make_node("Sigmoid", ["s"], [Y0], name=SIG),
     helper.make_node("Identity", [R], [Y1], name="id")],
    "hostile_names",
    [helper.make_tensor_value_info(X, TensorProto.FLOAT, [2, 3])],
    [helper.make_tensor_value_info(Y0, TensorProto.FLOAT, [2, 3]),
     helper.make_tensor_value_info(Y1, TensorProto.FLOAT, [2, 3])],
    [numpy_helper.from_array(
        np.array([0.5, -0.25, 1.0], np.float32), B)])
model = helper.make_model(graph, opset_imports=OPSET, producer_name="anvil")
onnx.checker.check_model(model)
save(model, "names.onnx", (NON_UTF8_PLACEHOLDER, NON_UTF8))
with open(os.path.join(out, "names.txt"), "w") as f:
    for n in (X, Y0, Y1):
        f.write(n.encode("unicode_escape").decode("ascii") + "\n")

graph = helper.make_graph(
    [helper.make_node("Relu", ["x"], ["y\x00tail"], name="relu")],
    "nul_name",
    [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2])],
    [helper.make_tensor_value_info("y\x00tail", TensorProto.FLOAT, [2])])
save(helper.make_model(graph, opset_imports=OPSET, producer_name="anvil"),
     "nul_name.onnx")
