#===- make_add_chain.py - a long chain of Adds with their own constants ---===#
# usage: make_add_chain.py N OUT.onnx X.npy EXPECTED.npy
# y = x + c0 + c1 + ... + c(N-1), each ci a [16] constant of its own (the
# graph shape that made one huge generated function clang could not
# optimize in reasonable time). Writes the model, an input and the expected
# output, computed in float32 in the same order.
#===----------------------------------------------------------------------===#
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

n, model_path, x_path, expected_path = int(sys.argv[1]), *sys.argv[2:5]
nodes, inits, prev = [], [], "x"
x = np.arange(16, dtype=np.float32).reshape(1, 16)
y = x.copy()
for i in range(n):
    c = np.full((16,), i * 1e-4, np.float32) + np.arange(16, dtype=np.float32) * 1e-6
    inits.append(numpy_helper.from_array(c, "c%d" % i))
    out = "y" if i == n - 1 else "t%d" % i
    nodes.append(helper.make_node("Add", [prev, "c%d" % i], [out], name="add%d" % i))
    prev = out
    y = y + c
graph = helper.make_graph(
    nodes, "add_chain",
    [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 16])],
    [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 16])], inits)
onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)]),
          model_path)
np.save(x_path, x)
np.save(expected_path, y)
