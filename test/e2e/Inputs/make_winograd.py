#===- make_winograd.py - a 3x3 conv the compiler runs as Winograd ----------===#
# usage: make_winograd.py OUT_DIR
# Writes model.onnx: y = Relu(Conv3x3(x) + r), x 1x32x18x17 (5x5 tiles of 4x4,
# the last row and column partial), 40 output channels, pads 1, with a
# residual input r; plus x.npy, r.npy and expected.npy computed in float64
# with numpy.
#===----------------------------------------------------------------------===#
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
rng = np.random.default_rng(11)
C, K, H, W = 32, 40, 18, 17
x = rng.uniform(-1, 1, (1, C, H, W)).astype(np.float32)
r = rng.uniform(-1, 1, (1, K, H, W)).astype(np.float32)
w = rng.uniform(-0.2, 0.2, (K, C, 3, 3)).astype(np.float32)
b = rng.uniform(-0.5, 0.5, (K,)).astype(np.float32)

nodes = [
    helper.make_node("Conv", ["x", "w", "b"], ["c"], pads=[1, 1, 1, 1],
                     name="conv3x3"),
    helper.make_node("Add", ["c", "r"], ["s"], name="residual"),
    helper.make_node("Relu", ["s"], ["y"], name="relu"),
]
graph = helper.make_graph(
    nodes, "winograd",
    [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, C, H, W]),
     helper.make_tensor_value_info("r", TensorProto.FLOAT, [1, K, H, W])],
    [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, K, H, W])],
    [numpy_helper.from_array(w, "w"), numpy_helper.from_array(b, "b")])
onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)]),
          os.path.join(out, "model.onnx"))

xp = np.pad(x.astype(np.float64), ((0, 0), (0, 0), (1, 1), (1, 1)))
c = np.zeros((1, K, H, W))
for i in range(3):
    for j in range(3):
        c[0] += np.einsum("kc,chw->khw", w[:, :, i, j].astype(np.float64),
                          xp[0, :, i:i + H, j:j + W])
y = np.maximum(c + b[None, :, None, None] + r, 0)
np.save(os.path.join(out, "x.npy"), x)
np.save(os.path.join(out, "r.npy"), r)
np.save(os.path.join(out, "expected.npy"), y)
