"""Writes binary .onnx fixtures for the importer's lit tests.

usage: make_model.py KIND OUT
  named      a Conv -> Relu model whose nodes have names
  truncated  the first half of a valid model
  garbage    bytes that are not a protobuf
  external   OUT is a folder: models whose weight lives in external data
             inside the folder, behind '..', at an absolute path, behind a
             symlink pointing outside, and in a missing file
  int_input  a model with an int64 runtime input
  convtranspose
             OUT is a folder: a grouped, strided, dilated ConvTranspose with
             asymmetric pads and output_padding, with constant weights
             (const/) and with weights as graph inputs (runtime/), each with
             a test_data_set_0 computed by a naive reference
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def conv_model(weight, name="named"):
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 2, 4, 4])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 3, 2, 2])
    nodes = [
        helper.make_node("Conv", ["x", "w"], ["c"], name="conv_1"),
        helper.make_node("Relu", ["c"], ["y"], name="relu_1"),
    ]
    graph = helper.make_graph(nodes, name, [x], [y], [weight])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])


def weight():
    data = np.arange(3 * 2 * 3 * 3, dtype=np.float32).reshape(3, 2, 3, 3)
    return numpy_helper.from_array(data, "w")


def external_weight(location, offset=0):
    t = onnx.TensorProto()
    t.name = "w"
    t.data_type = TensorProto.FLOAT
    t.dims.extend([3, 2, 3, 3])
    t.data_location = TensorProto.EXTERNAL
    for key, value in (("location", location), ("offset", str(offset)),
                       ("length", str(3 * 2 * 3 * 3 * 4))):
        entry = t.external_data.add()
        entry.key = key
        entry.value = value
    return t


def save(model, path):
    with open(path, "wb") as f:
        f.write(model.SerializeToString())


def convtranspose(out):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((1, 4, 3, 5)).astype(np.float32)
    w = rng.standard_normal((4, 3, 3, 2)).astype(np.float32)
    b = rng.standard_normal((6,)).astype(np.float32)
    g, (sh, sw), (dh, dw) = 2, (2, 3), (1, 2)
    (pt, pl, pb, pr), (oph, opw) = (1, 0, 0, 1), (1, 0)
    node = helper.make_node("ConvTranspose", ["x", "w", "b"], ["y"], group=g,
                            strides=[sh, sw], pads=[pt, pl, pb, pr],
                            output_padding=[oph, opw], dilations=[dh, dw])
    c, kg, kh, kw = w.shape
    cg, n, _, h, wd = c // g, *x.shape
    full = np.zeros((n, kg * g, sh * (h - 1) + oph + (kh - 1) * dh + 1,
                     sw * (wd - 1) + opw + (kw - 1) * dw + 1), np.float32)
    # Scatter every input element times the kernel into the full output.
    for gi in range(g):
        for ci in range(cg):
            for i in range(h):
                for j in range(wd):
                    for r in range(kh):
                        for q in range(kw):
                            full[:, gi * kg:(gi + 1) * kg, i * sh + r * dh,
                                 j * sw + q * dw] += (
                                     x[:, gi * cg + ci, i, j, None] *
                                     w[gi * cg + ci, :, r, q])
    oh = full.shape[2] - pt - pb
    ow = full.shape[3] - pl - pr
    y = full[:, :, pt:pt + oh, pl:pl + ow] + b.reshape(1, -1, 1, 1)
    variants = (("const", [numpy_helper.from_array(w, "w"),
                           numpy_helper.from_array(b, "b")], [("x", x)]),
                ("runtime", [], [("x", x), ("w", w), ("b", b)]))
    for name, inits, ins in variants:
        inputs = [helper.make_tensor_value_info(k, TensorProto.FLOAT,
                                                list(a.shape)) for k, a in ins]
        output = helper.make_tensor_value_info("y", TensorProto.FLOAT,
                                               list(y.shape))
        graph = helper.make_graph([node], name, inputs, [output], inits)
        model = helper.make_model(
            graph, opset_imports=[helper.make_opsetid("", 13)])
        data = os.path.join(out, name, "test_data_set_0")
        os.makedirs(data, exist_ok=True)
        save(model, os.path.join(out, name, "model.onnx"))
        for k, (tname, a) in enumerate(ins):
            with open(os.path.join(data, "input_%d.pb" % k), "wb") as f:
                f.write(numpy_helper.from_array(a, tname).SerializeToString())
        with open(os.path.join(data, "output_0.pb"), "wb") as f:
            f.write(numpy_helper.from_array(y, "y").SerializeToString())


def main():
    kind, out = sys.argv[1], sys.argv[2]
    if kind == "named":
        save(conv_model(weight()), out)
    elif kind == "truncated":
        data = conv_model(weight()).SerializeToString()
        with open(out, "wb") as f:
            f.write(data[: len(data) // 2])
    elif kind == "garbage":
        with open(out, "wb") as f:
            f.write(b"\xff\xfe this is not an ONNX model \x00\x01\x02" * 4)
    elif kind == "external":
        os.makedirs(out, exist_ok=True)
        data = np.arange(3 * 2 * 3 * 3, dtype=np.float32).tobytes()
        # 16 bytes of padding first: the weight sits at offset 16.
        with open(os.path.join(out, "weights.bin"), "wb") as f:
            f.write(b"\0" * 16 + data)
        parent = os.path.dirname(os.path.abspath(out))
        outside = os.path.join(parent, "outside.bin")
        with open(outside, "wb") as f:
            f.write(data)
        link = os.path.join(out, "link.bin")
        if os.path.lexists(link):
            os.remove(link)
        os.symlink(outside, link)
        save(conv_model(external_weight("weights.bin", 16), "inside"),
             os.path.join(out, "inside.onnx"))
        save(conv_model(external_weight("../outside.bin"), "escape"),
             os.path.join(out, "escape.onnx"))
        save(conv_model(external_weight(outside), "absolute"),
             os.path.join(out, "absolute.onnx"))
        save(conv_model(external_weight("link.bin"), "symlink"),
             os.path.join(out, "symlink.onnx"))
        save(conv_model(external_weight("nothere.bin"), "missing"),
             os.path.join(out, "missing.onnx"))
    elif kind == "int_input":
        x = helper.make_tensor_value_info("tokens", TensorProto.INT64, [1, 4])
        y = helper.make_tensor_value_info("y", TensorProto.INT64, [1, 4])
        graph = helper.make_graph([helper.make_node("Identity", ["tokens"], ["y"])],
                                  "ints", [x], [y])
        save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)]), out)
    elif kind == "convtranspose":
        convtranspose(out)
    else:
        sys.exit("unknown kind " + kind)


if __name__ == "__main__":
    main()
