#===- make_activations.py - SiLU and GELU as PyTorch exports them ---------===#
# usage: make_activations.py OUT_DIR
# Writes model.onnx: y = GELU(SiLU(conv(x)) * 2) with SiLU as Sigmoid + Mul and
# GELU as Div(sqrt 2), Erf, Add 1, Mul x, Mul 0.5 (PyTorch's opset-17
# export), plus input.npy and expected.npy computed in float64 with numpy.
#===----------------------------------------------------------------------===#
import math
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
rng = np.random.default_rng(7)
x = rng.uniform(-3, 3, (1, 4, 6, 6)).astype(np.float32)
w = rng.uniform(-1, 1, (8, 4, 3, 3)).astype(np.float32)
b = rng.uniform(-1, 1, (8,)).astype(np.float32)


def const(name, v):
    return numpy_helper.from_array(np.array(v, np.float32), name)


nodes = [
    helper.make_node("Conv", ["x", "w", "b"], ["c"], pads=[1, 1, 1, 1], name="conv"),
    helper.make_node("Sigmoid", ["c"], ["s"], name="sig"),
    helper.make_node("Mul", ["c", "s"], ["silu"], name="silu_mul"),
    helper.make_node("Mul", ["silu", "two"], ["g"], name="scale"),
    helper.make_node("Div", ["g", "sqrt2"], ["d"], name="gelu_div"),
    helper.make_node("Erf", ["d"], ["e"], name="gelu_erf"),
    helper.make_node("Add", ["e", "one"], ["a"], name="gelu_add"),
    helper.make_node("Mul", ["g", "a"], ["m"], name="gelu_mul"),
    helper.make_node("Mul", ["m", "half"], ["y"], name="gelu_half"),
]
graph = helper.make_graph(
    nodes, "activations",
    [helper.make_tensor_value_info("x", TensorProto.FLOAT, list(x.shape))],
    [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 8, 6, 6])],
    [numpy_helper.from_array(w, "w"), numpy_helper.from_array(b, "b"),
     const("two", 2.0), const("sqrt2", 1.4142135381698608), const("one", 1.0),
     const("half", 0.5)])
onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]),
          os.path.join(out, "model.onnx"))

xd, wd = x.astype(np.float64), w.astype(np.float64)
xp = np.pad(xd, ((0, 0), (0, 0), (1, 1), (1, 1)))
c = np.zeros((1, 8, 6, 6))
for k in range(8):
    for i in range(6):
        for j in range(6):
            c[0, k, i, j] = np.sum(xp[0, :, i:i + 3, j:j + 3] * wd[k]) + b[k]
g = c / (1 + np.exp(-c)) * 2
erf = np.vectorize(math.erf)
y = 0.5 * g * (1 + erf(g / math.sqrt(2)))
np.save(os.path.join(out, "input.npy"), x)
np.save(os.path.join(out, "expected.npy"), y)
