#===- make_libonnx_traps.py - models that crash libonnx if passed on -----===#
# usage: make_libonnx_traps.py OUT_DIR
# Writes models that ONNX's checker accepts but that crashed or misled the
# shape inference or the importer before anvilc checked them first:
#   conv_stride0.onnx, maxpool_stride0.onnx, avgpool_stride0.onnx
#                        a window op with strides [0, 1] (SIGFPE in libonnx)
#   conv_dilation0.onnx  dilations [1, 0]
#   pool_kernel0.onnx    MaxPool kernel_shape [0, 2]
#   pads_huge.onnx       AveragePool pads of INT64_MAX (a wrong shape)
#   raw_short.onnx       an int64 initializer whose raw_data is 8 bytes
#                        short (a heap overflow write in libonnx ParseData)
#   raw_long.onnx        a float initializer with one byte too many
#   typed_short.onnx     a float initializer with 3 float_data for 4 elements
#   dims_overflow.onnx   an initializer whose dims multiply past int64
#===----------------------------------------------------------------------===#
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
OPSET = [helper.make_opsetid("", 13)]


def save(nodes, inits, name, x_shape=(1, 1, 4, 4), y_shape=None):
    graph = helper.make_graph(
        nodes, name,
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, list(x_shape))],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, y_shape)],
        inits)
    model = helper.make_model(graph, opset_imports=OPSET,
                              producer_name="anvil")
    onnx.save(model, os.path.join(out, name + ".onnx"))


w = numpy_helper.from_array(np.ones((1, 1, 2, 2), np.float32), "w")
save([helper.make_node("Conv", ["x", "w"], ["y"], name="conv",
                       strides=[0, 1])], [w], "conv_stride0")
save([helper.make_node("MaxPool", ["x"], ["y"], name="pool",
                       kernel_shape=[2, 2], strides=[0, 1])], [],
     "maxpool_stride0")
save([helper.make_node("AveragePool", ["x"], ["y"], name="pool",
                       kernel_shape=[2, 2], strides=[1, 0])], [],
     "avgpool_stride0")
save([helper.make_node("Conv", ["x", "w"], ["y"], name="conv",
                       dilations=[1, 0])], [w], "conv_dilation0")
save([helper.make_node("MaxPool", ["x"], ["y"], name="pool",
                       kernel_shape=[0, 2])], [], "pool_kernel0")
save([helper.make_node("AveragePool", ["x"], ["y"], name="pool",
                       kernel_shape=[2, 2],
                       pads=[0, 0, 2**63 - 1, 0])], [], "pads_huge")

shape = helper.make_tensor("shape", TensorProto.INT64, [2], [4, 4])
shape.raw_data = np.array([4], np.int64).tobytes()  # 8 of 16 bytes
del shape.int64_data[:]
save([helper.make_node("Reshape", ["x", "shape"], ["y"], name="reshape")],
     [shape], "raw_short")

b = numpy_helper.from_array(np.ones((4,), np.float32), "b")
b.raw_data = b.raw_data + b"\x00"
save([helper.make_node("Add", ["x", "b"], ["y"], name="add")], [b],
     "raw_long", x_shape=(4,))

t = helper.make_tensor("t", TensorProto.FLOAT, [3], [1.0, 2.0, 3.0])
t.dims[0] = 4
save([helper.make_node("Add", ["x", "t"], ["y"], name="add")], [t],
     "typed_short", x_shape=(4,))

big = onnx.TensorProto(name="big", data_type=TensorProto.FLOAT,
                       dims=[2**40, 2**40])
save([helper.make_node("Add", ["x", "big"], ["y"], name="add")], [big],
     "dims_overflow", x_shape=(4,))
