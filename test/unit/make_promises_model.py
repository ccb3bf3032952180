#===- make_promises_model.py - the model of the runtime promise tests -----===#
# usage: make_promises_model.py OUT_DIR
# Writes OUT_DIR/promises.onnx (opset 13) and its test data, raw
# little-endian f32:
#   x[1,16,24,24] -> Conv(32x16x3x3, pad 1, bias) -> Relu -> MatMul(.., b)
#     -> Sigmoid -> y[1,32,24,20]
#   x * 0.5 -> z[1,16,24,24]
#   b[24,20] is a graph input, so run packs it (the context's packing area).
# The shapes are big enough that conv and matmul go through the thread pool
# and per-thread scratch. Every 7th value of x is a denormal: z is exact in
# IEEE arithmetic (round to nearest even, denormals kept), so flush-to-zero,
# denormals-are-zero or another rounding mode in the library changes it
# (halving an odd denormal rounds), and the sigmoid's polynomial changes y.
#   x.bin, b.bin   the inputs
#   y.bin          y computed by numpy in float64, rounded to f32
#   z.bin          z computed by numpy in f32 (exact)
#===----------------------------------------------------------------------===#
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
rng = np.random.default_rng(6)

x = rng.uniform(-1, 1, (1, 16, 24, 24)).astype(np.float32)
# Every 7th value a denormal (and a few negative ones).
flat = x.reshape(-1)
flat[::7] = np.float32(1e-39) * rng.uniform(-1, 1, flat[::7].shape).astype(
    np.float32)
w = (rng.uniform(-1, 1, (32, 16, 3, 3)) * 0.2).astype(np.float32)
bias = rng.uniform(-0.1, 0.1, (32,)).astype(np.float32)
b = (rng.uniform(-1, 1, (24, 20)) * 0.3).astype(np.float32)

graph = helper.make_graph(
    [helper.make_node("Conv", ["x", "w", "bias"], ["c"], name="conv",
                      pads=[1, 1, 1, 1], kernel_shape=[3, 3]),
     helper.make_node("Relu", ["c"], ["r"], name="relu"),
     helper.make_node("MatMul", ["r", "b"], ["m"], name="matmul"),
     helper.make_node("Sigmoid", ["m"], ["y"], name="sigmoid"),
     helper.make_node("Mul", ["x", "half"], ["z"], name="halve")],
    "promises",
    [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 16, 24, 24]),
     helper.make_tensor_value_info("b", TensorProto.FLOAT, [24, 20])],
    [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 32, 24, 20]),
     helper.make_tensor_value_info("z", TensorProto.FLOAT, [1, 16, 24, 24])],
    [numpy_helper.from_array(w, "w"), numpy_helper.from_array(bias, "bias"),
     numpy_helper.from_array(np.array([0.5], np.float32), "half")])
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)],
                          producer_name="anvil-unit")
onnx.checker.check_model(model)
onnx.save(model, os.path.join(out, "promises.onnx"))

# The reference, in float64.
xd, wd = x.astype(np.float64), w.astype(np.float64)
xp = np.pad(xd, ((0, 0), (0, 0), (1, 1), (1, 1)))
conv = np.zeros((1, 32, 24, 24))
for r in range(3):
    for s in range(3):
        conv += np.einsum("kc,nchw->nkhw", wd[:, :, r, s],
                          xp[:, :, r:r + 24, s:s + 24])
conv += bias.astype(np.float64)[None, :, None, None]
m = np.maximum(conv, 0) @ b.astype(np.float64)
y = 1 / (1 + np.exp(-m))

x.tofile(os.path.join(out, "x.bin"))
b.tofile(os.path.join(out, "b.bin"))
y.astype(np.float32).tofile(os.path.join(out, "y.bin"))
(x * np.float32(0.5)).tofile(os.path.join(out, "z.bin"))
