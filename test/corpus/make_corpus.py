#===- make_corpus.py - the hostile-model corpus (issue 6) ---------------===#
# usage: make_corpus.py OUT_DIR
# Writes one folder per case under OUT_DIR (the model and any side files:
# inputs, expected outputs, external data, FIFOs, symlinks) and
# OUT_DIR/manifest.json, which says for every case what to run and what a
# demanding user would expect: a clean error naming what is wrong, or a
# library that runs and matches a numpy reference. README.md gives the rules;
# run.sh / run_corpus.py run it. Deterministic (fixed seeds).
#===----------------------------------------------------------------------===#
import json
import os
import re
import shutil
import struct
import sys

import numpy as np
import onnx
from onnx import AttributeProto, TensorProto, helper, numpy_helper

OUT = os.path.abspath(sys.argv[1])
CASES = []
FIXTURES = []
IDS = set()
F = TensorProto.FLOAT
I64 = TensorProto.INT64
INT64_MAX = 2**63 - 1
INT64_MIN = -2**63
rng = np.random.default_rng(6)


# ---------------------------------------------------------------------------
# Building blocks
# ---------------------------------------------------------------------------

def vi(name, shape, t=F):
    return helper.make_tensor_value_info(name, t, shape)


def init(name, arr):
    return numpy_helper.from_array(np.asarray(arr), name)


def node(op, ins, outs, name=None, domain=None, **attrs):
    n = helper.make_node(op, ins, outs, name=name or ("the_" + op.lower()),
                         **attrs)
    if domain is not None:
        n.domain = domain
    return n


def model(nodes, inputs, outputs, inits=(), opset=13, name="g",
          opsets=None, ir=None, value_info=()):
    g = helper.make_graph(nodes, name, inputs, outputs, list(inits),
                          value_info=list(value_info))
    ops = opsets if opsets is not None else [helper.make_opsetid("", opset)]
    m = helper.make_model(g, opset_imports=ops, producer_name="anvil-corpus")
    if ir is not None:
        m.ir_version = ir
    elif opsets is None and opset <= 8:
        m.ir_version = 3
    return m


def unary(op, shape=(2, 3), opset=13, **attrs):
    return model([node(op, ["x"], ["y"], **attrs)], [vi("x", list(shape))],
                 [vi("y", None)], opset=opset)


def rand(*shape, lo=-2.0, hi=2.0):
    return rng.uniform(lo, hi, shape).astype(np.float32)


def case_dir(cid):
    d = os.path.join(OUT, cid)
    os.makedirs(d, exist_ok=True)
    return d


def fill_output_shapes(m, outs=None):
    """ONNX's checker requires a shape on every graph output: fill the ones
    written as vi(name, None) from the expected arrays (runs cases) or from
    ONNX's shape inference, run in a forked child because some of these
    models crash libonnx."""
    todo = [o for o in m.graph.output if o.type.HasField("tensor_type") and
            not o.type.tensor_type.HasField("shape")]
    if not todo:
        return m
    if outs is not None:
        arrays = dict(outs)
        for o in todo:
            if o.name in arrays:
                o.type.tensor_type.shape.SetInParent()
                for d in np.shape(arrays[o.name]):
                    o.type.tensor_type.shape.dim.add().dim_value = d
        return m
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        try:
            from onnx import shape_inference
            inf = shape_inference.infer_shapes(m, strict_mode=False)
            g = onnx.GraphProto()
            g.output.extend(inf.graph.output)
            os.write(w, g.SerializeToString())
        finally:
            os._exit(0)
    os.close(w)
    data = b""
    while True:
        chunk = os.read(r, 1 << 16)
        if not chunk:
            break
        data += chunk
    os.close(r)
    os.waitpid(pid, 0)
    g = onnx.GraphProto()
    try:
        g.ParseFromString(data)
    except Exception:  # noqa: BLE001
        g = onnx.GraphProto()
    inferred = {o.name: o for o in g.output}
    for o in todo:
        i = inferred.get(o.name)
        if i is not None and i.type.tensor_type.HasField("shape"):
            o.type.tensor_type.shape.CopyFrom(i.type.tensor_type.shape)
        else:
            o.type.tensor_type.shape.SetInParent()  # unknown: a scalar
    return m


def write_model(cid, m, fname=None, outs=None):
    d = case_dir(cid)
    fname = fname or cid + ".onnx"
    if isinstance(m, onnx.ModelProto):
        m = fill_output_shapes(m, outs)
    data = m if isinstance(m, (bytes, bytearray)) else m.SerializeToString()
    with open(os.path.join(d, fname), "wb") as f:
        f.write(data)
    return fname


def add(cid, cls, desc, expect, tool, args, **kw):
    assert re.fullmatch(r"[a-z0-9_]+", cid), cid
    assert cid not in IDS, cid
    IDS.add(cid)
    case_dir(cid)
    c = dict(id=cid, **{"class": cls}, description=desc, expect=expect,
             tool=tool, args=args)
    c.update(kw)
    CASES.append(c)


def esc(s):
    return re.escape(s)


def err(cid, cls, desc, m, res, args=None, fname=None, name_file=True,
        **kw):
    """anvilc on model `m` must fail cleanly; `res` are regexes that must all
    appear in the message (the model's file name is added)."""
    f = write_model(cid, m, fname) if m is not None else fname
    if args is None:
        args = ["{case}/" + f, "-o", "{out}/libm.so"]
    if name_file and f:
        kw["stderr_file"] = os.path.basename(f)
    add(cid, cls, desc, "error", "anvilc", args, stderr=list(res), **kw)


def runs(cid, cls, desc, m, inputs, outputs, args=None, fname=None,
         lib="{out}/libm.so", rtol=1e-5, atol=1e-6, **kw):
    """anvilc compiles `m`, anvil-run runs it on `inputs` (name -> array) and
    the outputs (list of (graph output name, expected array), in graph
    order) match."""
    d = case_dir(cid)
    f = write_model(cid, m, fname, outs=outputs) if m is not None else fname
    if args is None:
        args = ["{case}/" + f, "-o", lib]
    ins = []
    for i, (n, a) in enumerate(inputs.items() if isinstance(inputs, dict)
                               else inputs):
        p = "in%d.npy" % i
        np.save(os.path.join(d, p), np.asarray(a, np.float32))
        ins.append([n, p])
    outs = []
    for i, (n, a) in enumerate(outputs):
        p = "expected%d.npy" % i
        np.save(os.path.join(d, p), np.asarray(a, np.float32))
        outs.append([n, p])
    add(cid, cls, desc, "runs", "anvilc", args, lib=lib, inputs=ins,
        outputs=outs, rtol=rtol, atol=atol, **kw)


def compiles(cid, cls, desc, m, args, files, info=None, fname=None, **kw):
    """anvilc succeeds and writes `files` (and, for a library, anvil-run
    --info matches every regex in `info`)."""
    if m is not None:
        write_model(cid, m, fname)
    add(cid, cls, desc, "compiles", "anvilc", args, files=files,
        info=info or [], **kw)


def cli_err(cid, desc, args, res, cls="cli", **kw):
    add(cid, cls, desc, "error", "anvilc", args, stderr=list(res), **kw)


def run_err(cid, desc, args, res, **kw):
    add(cid, "anvil_run", desc, "error", "anvil-run", args,
        stderr=list(res), **kw)


def fixture(name, m):
    d = os.path.join(OUT, "fixtures", name)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name + ".onnx"), "wb") as f:
        f.write(fill_output_shapes(m).SerializeToString())
    FIXTURES.append(dict(name=name, args=["{fixdir}/%s.onnx" % name, "-o",
                                          "{fixdir}/lib%s.so" % name]))


def NODE(name, op):
    """The message names the node (its op type is welcome, not required:
    `op` documents the case)."""
    return [r"\b%s\b" % esc(name)]


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x.astype(np.float64)))


def conv_ref(x, w, b=None, strides=(1, 1), pads=(0, 0, 0, 0),
             dil=(1, 1), group=1):
    x = x.astype(np.float64)
    w = w.astype(np.float64)
    n, c, h, wd = x.shape
    k, cg, r, s = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (pads[0], pads[2]), (pads[1], pads[3])))
    oh = (h + pads[0] + pads[2] - dil[0] * (r - 1) - 1) // strides[0] + 1
    ow = (wd + pads[1] + pads[3] - dil[1] * (s - 1) - 1) // strides[1] + 1
    out = np.zeros((n, k, oh, ow))
    kg = k // group
    for g in range(group):
        for kk in range(g * kg, (g + 1) * kg):
            for i in range(r):
                for j in range(s):
                    patch = xp[:, g * cg:(g + 1) * cg,
                               i * dil[0]:i * dil[0] + strides[0] * oh:
                               strides[0],
                               j * dil[1]:j * dil[1] + strides[1] * ow:
                               strides[1]]
                    out[:, kk] += np.einsum("nchw,c->nhw", patch,
                                            w[kk, :, i, j])
    if b is not None:
        out += b.reshape(1, -1, 1, 1)
    return out


def conv_model(x_shape=(1, 1, 5, 5), w_shape=(1, 1, 2, 2), **attrs):
    w = np.ones(w_shape, np.float32)
    return model([node("Conv", ["x", "w"], ["y"], name="the_conv", **attrs)],
                 [vi("x", list(x_shape))], [vi("y", None)], [init("w", w)])


def pool_model(op="MaxPool", x_shape=(1, 1, 5, 5), **attrs):
    return model([node(op, ["x"], ["y"], name="the_pool", **attrs)],
                 [vi("x", list(x_shape))], [vi("y", None)])


def raw_attr(name, atype, **fields):
    a = AttributeProto(name=name, type=atype)
    for k, v in fields.items():
        f = getattr(a, k)
        if isinstance(v, list):
            f.extend(v)
        else:
            setattr(a, k, v)
    return a


# Tiny protobuf writer for byte-level cases.
def varint(v):
    v &= (1 << 64) - 1
    out = bytearray()
    while True:
        b = v & 0x7F
        v >>= 7
        if v:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def pb_ld(field, payload):
    return varint(field << 3 | 2) + varint(len(payload)) + payload


def pb_v(field, v):
    return varint(field << 3) + varint(v)


# ---------------------------------------------------------------------------
# A valid base model (conv + relu with an initializer) for byte mangling.
# ---------------------------------------------------------------------------
BASE_W = rand(2, 1, 3, 3)
BASE = model([node("Conv", ["x", "w"], ["c"], name="conv", pads=[1, 1, 1, 1]),
              node("Relu", ["c"], ["y"], name="relu")],
             [vi("x", [1, 1, 6, 6])], [vi("y", [1, 2, 6, 6])],
             [init("w", BASE_W)])
BASE_BYTES = BASE.SerializeToString()

# ===========================================================================
# Class: protobuf — files that are not (valid) ONNX models
# ===========================================================================
C = "protobuf"
INVALID = r"not a valid ONNX model|invalid|malformed|truncated|parse"
err("pb_empty_file", C, "an empty file", b"", [INVALID + "|empty"])
err("pb_one_byte", C, "a single 0x08 byte", b"\x08", [INVALID])
err("pb_zero_bytes_4k", C, "4096 zero bytes", b"\0" * 4096, [INVALID])
err("pb_ff_bytes", C, "4096 0xff bytes", b"\xff" * 4096, [INVALID])
for seed in range(8):
    r = np.random.default_rng(100 + seed)
    n = int(r.integers(16, 20000))
    err("pb_random_%d" % seed, C, "%d random bytes (seed %d)" % (n, seed),
        r.bytes(n), [INVALID])
for frac in (0.05, 0.25, 0.5, 0.75, 0.95):
    cut = int(len(BASE_BYTES) * frac)
    err("pb_truncated_%d" % int(frac * 100), C,
        "a valid model cut to its first %d of %d bytes" %
        (cut, len(BASE_BYTES)), BASE_BYTES[:cut], [INVALID])
err("pb_truncated_minus1", C, "a valid model without its last byte",
    BASE_BYTES[:-1], [INVALID])
# Bit flips inside the serialized model, each a separate case.
for i, pos in enumerate((3, 17, 40, 90)):
    b = bytearray(BASE_BYTES)
    b[pos % len(b)] ^= 0xFF
    err("pb_bitflip_%d" % i, C, "a valid model with byte %d inverted" % pos,
        bytes(b), [INVALID + r"|\bconv\b|\brelu\b|\bw\b|\bx\b|\by\b|opset|"
                   r"graph|node|tensor|shape|type|name|attribute"])
err("pb_wrong_wire_graph", C, "ModelProto.graph encoded as a varint",
    pb_v(1, 8) + pb_v(7, 5), [INVALID])
# A known field with the wrong wire type is an unknown field to protobuf:
# the real fields that follow make a valid model.
x = rand(1, 1, 6, 6)
BASE_Y = np.maximum(conv_ref(x, BASE_W, pads=(1, 1, 1, 1)), 0)
runs("pb_wrong_wire_ir_version", C, "an extra ModelProto.ir_version as "
     "bytes before a valid model", pb_ld(1, b"abc") + BASE_BYTES, {"x": x},
     [("y", BASE_Y)])
runs("pb_wrong_wire_opset", C, "an extra opset_import as a fixed32 before "
     "a valid model", pb_v(1, 8) + varint(8 << 3 | 5) + b"\x01\x02\x03\x04"
     + BASE_BYTES, {"x": x}, [("y", BASE_Y)])
err("pb_huge_length_graph", C,
    "ModelProto.graph claiming 2^62 bytes (file holds 20)",
    pb_v(1, 8) + varint(7 << 3 | 2) + varint(2**62) + b"\x0a" * 20,
    [INVALID])
err("pb_huge_length_2g", C, "a length-delimited field claiming 2^31-1 bytes",
    pb_v(1, 8) + varint(7 << 3 | 2) + varint(2**31 - 1) + b"\x00" * 8,
    [INVALID])
err("pb_overlong_varint", C, "an 11-byte varint (too long for 64 bits)",
    varint(1 << 3) + b"\xff" * 10 + b"\x01" + BASE_BYTES, [INVALID])
err("pb_group_wire_type", C, "a start-group wire type with no end",
    pb_v(1, 8) + varint(7 << 3 | 3) + b"\x00\x00", [INVALID])
err("pb_field_zero", C, "a field number 0 tag", b"\x00\x01" + BASE_BYTES,
    [INVALID])
err("pb_no_graph", C, "a ModelProto with an IR version and no graph",
    pb_v(1, 8) + pb_ld(8, pb_v(2, 13)), [INVALID + r"|graph"])
err("pb_no_ir_version", C, "a model without ir_version",
    BASE_BYTES[2:] if BASE_BYTES[0] == 0x08 else BASE_BYTES,
    [INVALID + r"|ir.?version|IR version"])
m = onnx.ModelProto()
m.CopyFrom(BASE)
m.ir_version = 100
err("pb_ir_version_100", C, "ir_version 100 (newer than any ONNX)", m,
    [r"(?i)ir.?version|IR version", r"100"])
err("pb_elf_file", C, "an ELF header, not a model",
    b"\x7fELF\x02\x01\x01" + b"\x00" * 200, [INVALID])
err("pb_gzip_file", C, "a gzip header, not a model",
    b"\x1f\x8b\x08\x00" + bytes(range(256)) * 4, [INVALID])
err("pb_text_as_onnx", C, "ONNX text format saved as .onnx",
    b"<ir_version: 8, opset_import: [\"\" : 13]>\nagraph (float[2] x) => "
    b"(float[2] y) { y = Relu(x) }\n", [INVALID])
with open(os.path.join(case_dir("pb_onnxtxt_garbage"), "m.onnxtxt"),
          "w") as f:
    f.write("<ir_version: 8>\nagraph (float[2 x) => { y = = Relu(x }\n")
err("pb_onnxtxt_garbage", C, "a .onnxtxt file with syntax errors", None,
    [INVALID], fname="m.onnxtxt",
    args=["{case}/m.onnxtxt", "-o", "{out}/libm.so"])
with open(os.path.join(case_dir("pb_onnxtxt_unterminated"), "m.onnxtxt"),
          "w") as f:
    f.write('<ir_version: 8, opset_import: ["" : 13]>\nagraph (float[2] x) '
            '=> (float[2] y) { y = Relu(x)')
err("pb_onnxtxt_unterminated", C, "a .onnxtxt graph without its closing }",
    None, [INVALID], fname="m.onnxtxt",
    args=["{case}/m.onnxtxt", "-o", "{out}/libm.so"])
# Unknown fields are legal protobuf: a model carrying them still compiles.
runs("pb_unknown_fields", C, "a valid model followed by unknown field 99",
     BASE_BYTES + pb_ld(99, b"future data") + pb_v(98, 7),
     {"x": (x := rand(1, 1, 6, 6))},
     [("y", np.maximum(conv_ref(x, BASE_W, pads=(1, 1, 1, 1)), 0))])
# Repeated ModelProto.graph: protobuf merges the two messages.


def if_model(depth):
    def branch(level):
        if level == depth:
            return helper.make_graph(
                [node("Identity", ["x"], ["o%d" % level],
                      name="leaf%d" % level)],
                "b%d" % level, [], [vi("o%d" % level, [2])])
        inner = branch(level + 1)
        leaf = helper.make_graph(
            [node("Identity", ["x"], ["e%d" % level], name="else%d" % level)],
            "e%d" % level, [], [vi("e%d" % level, [2])])
        return helper.make_graph(
            [helper.make_node("If", ["c"], ["o%d" % level],
                              name="if%d" % level, then_branch=inner,
                              else_branch=leaf)],
            "b%d" % level, [], [vi("o%d" % level, [2])])
    top = branch(1)
    leaf = helper.make_graph([node("Identity", ["x"], ["e0"], name="else0")],
                             "e0", [], [vi("e0", [2])])
    return model([helper.make_node("If", ["c"], ["y"], name="if0",
                                   then_branch=top, else_branch=leaf)],
                 [vi("x", [2])], [vi("y", [2])],
                 [init("c", np.array(True))])


err("pb_if_depth3", C, "If nested 3 deep (control flow)", if_model(3),
    NODE("if0", "If"))
err("pb_if_depth60", C, "If nested 60 deep (valid ONNX; names If or the "
    "nesting)", if_model(60), [r"\bIf\b|(?i:nest|deep|recurs)"])


def deep_if_model(depth):
    # Share one branch: each level doubles the bytes otherwise.
    vinfo = pb_ld(1, b"o") + pb_ld(2, pb_ld(1, pb_v(1, 1)))
    g = pb_ld(1, pb_ld(1, b"x") + pb_ld(2, b"o") + pb_ld(4, b"Identity")) \
        + pb_ld(2, b"b") + pb_ld(12, vinfo)
    for _ in range(depth):
        attr = pb_ld(1, b"then_branch") + pb_ld(6, g) + pb_v(20, 5)
        n = pb_ld(1, b"c") + pb_ld(2, b"o") + pb_ld(4, b"If") + pb_ld(5, attr)
        g = pb_ld(1, n) + pb_ld(2, b"b") + pb_ld(12, vinfo)
    graph = g + pb_ld(11, pb_ld(1, b"x") + pb_ld(2, pb_ld(1, pb_v(1, 1))))
    return pb_v(1, 8) + pb_ld(7, graph) + pb_ld(8, pb_v(2, 13))


err("pb_if_depth500", C, "If nested 500 deep (past protobuf's recursion "
    "limit)", deep_if_model(500), [INVALID + r"|\bIf\b|deep|nest|recurs"])
err("pb_if_depth5000", C, "If nested 5000 deep (deep recursion for a "
    "recursive reader)", deep_if_model(5000),
    [INVALID + r"|\bIf\b|deep|nest|recurs"])

# ===========================================================================
# Class: attributes — out-of-range, wrongly typed and missing attributes
# ===========================================================================
C = "attributes"
for attr, vals in (("strides", {"0": [0, 1], "neg": [-1, 1],
                                "huge": [2**31 + 1, 1],
                                "int64max": [INT64_MAX, 1],
                                "int64min": [INT64_MIN, 1]}),
                   ("dilations", {"0": [1, 0], "neg": [1, -2],
                                  "huge": [1, 2**40],
                                  "int64max": [INT64_MAX, INT64_MAX]})):
    for tag, v in vals.items():
        err("attr_conv_%s_%s" % (attr, tag), C,
            "Conv with %s %s" % (attr, v), conv_model(**{attr: v}),
            NODE("the_conv", "Conv") + [attr])
for tag, v in {"neg": [0, 0, -1, 0], "int64max": [0, 0, INT64_MAX, 0],
               "int64min": [INT64_MIN, 0, 0, 0], "huge": [2**40] * 4}.items():
    err("attr_conv_pads_%s" % tag, C, "Conv with pads %s" % v,
        conv_model(pads=v), NODE("the_conv", "Conv") + ["pads"])
err("attr_conv_pads_wrong_length", C, "Conv with 3 pads for a 2-D kernel",
    conv_model(pads=[1, 1, 1]), NODE("the_conv", "Conv") + ["pads"])
err("attr_conv_strides_wrong_length", C, "Conv with 3 strides for 2-D",
    conv_model(strides=[1, 1, 1]), NODE("the_conv", "Conv") + ["strides"])
for tag, v in {"0": [0, 2], "neg": [-2, 2], "huge": [2**40, 2**40],
               "mismatch": [3, 3]}.items():
    err("attr_conv_kernel_shape_%s" % tag, C,
        "Conv with kernel_shape %s for a 2x2 weight" % v,
        conv_model(kernel_shape=v),
        NODE("the_conv", "Conv") + ["kernel_shape"])
for tag, g in {"0": 0, "neg": -1, "nondividing": 3, "huge": 2**40}.items():
    err("attr_conv_group_%s" % tag, C, "Conv with group %d" % g,
        conv_model(x_shape=(1, 4, 5, 5), w_shape=(4, 2, 2, 2), group=g),
        NODE("the_conv", "Conv") + ["group"])
err("attr_conv_auto_pad_bogus", C, "Conv with auto_pad 'SIDEWAYS'",
    conv_model(auto_pad="SIDEWAYS"), NODE("the_conv", "Conv") + ["auto_pad"])
err("attr_conv_kernel_bigger_than_input", C,
    "a 7x7 Conv kernel on a 5x5 input without padding (empty output)",
    conv_model(w_shape=(1, 1, 7, 7)), NODE("the_conv", "Conv"))
err("attr_conv_weight_channels", C,
    "Conv whose weight has 3 input channels for a 1-channel input",
    conv_model(w_shape=(1, 3, 2, 2)), NODE("the_conv", "Conv"))
err("attr_conv_weight_rank1", C, "Conv with a 1-D weight",
    conv_model(w_shape=(4,)), NODE("the_conv", "Conv"))
x = rand(1, 1, 5, 5)
runs("attr_conv_auto_pad_same_upper", C, "Conv auto_pad SAME_UPPER stride 2",
     conv_model(w_shape=(1, 1, 3, 3), auto_pad="SAME_UPPER", strides=[2, 2]),
     {"x": x}, [("y", conv_ref(x, np.ones((1, 1, 3, 3), np.float32),
                               strides=(2, 2), pads=(1, 1, 1, 1)))])
runs("attr_conv_asymmetric_pads", C, "Conv with pads [0, 2, 1, 0]",
     conv_model(pads=[0, 2, 1, 0]), {"x": x},
     [("y", conv_ref(x, np.ones((1, 1, 2, 2), np.float32),
                     pads=(0, 2, 1, 0)))])
runs("attr_conv_big_pads", C, "Conv with pads 40 around a 5x5 input",
     conv_model(pads=[40, 40, 40, 40]), {"x": x},
     [("y", conv_ref(x, np.ones((1, 1, 2, 2), np.float32),
                     pads=(40, 40, 40, 40)))])
runs("attr_conv_big_stride", C, "Conv with strides 1000 on 5x5 (1x1 output)",
     conv_model(strides=[1000, 1000]), {"x": x},
     [("y", conv_ref(x, np.ones((1, 1, 2, 2), np.float32),
                     strides=(1000, 1000)))])
runs("attr_conv_big_dilation", C, "Conv dilation 4 on 5x5 (1x1 output)",
     conv_model(dilations=[4, 4]), {"x": x},
     [("y", conv_ref(x, np.ones((1, 1, 2, 2), np.float32), dil=(4, 4)))])

for op in ("MaxPool", "AveragePool"):
    o = op.lower()
    for tag, kw in {"strides0": dict(kernel_shape=[2, 2], strides=[0, 1]),
                    "strides_neg": dict(kernel_shape=[2, 2], strides=[1, -1]),
                    "kernel0": dict(kernel_shape=[0, 2]),
                    "kernel_neg": dict(kernel_shape=[2, -3]),
                    "kernel_huge": dict(kernel_shape=[2**40, 2]),
                    "pads_int64max": dict(kernel_shape=[2, 2],
                                          pads=[0, 0, INT64_MAX, 0]),
                    "pads_neg": dict(kernel_shape=[2, 2], pads=[-1, 0, 0, 0]),
                    "no_kernel_shape": dict(strides=[1, 1]),
                    "kernel_bigger_than_input": dict(kernel_shape=[6, 6]),
                    "kernel_rank3": dict(kernel_shape=[2, 2, 2])}.items():
        err("attr_%s_%s" % (o, tag), C, "%s with %s" % (op, kw),
            pool_model(op, **kw), NODE("the_pool", op) +
            ([r"kernel_shape|window"] if "kernel" in tag else []))
err("attr_maxpool_dilations0", C, "MaxPool with dilations [0, 1]",
    pool_model("MaxPool", kernel_shape=[2, 2], dilations=[0, 1]),
    NODE("the_pool", "MaxPool") + ["dilations"])
err("attr_maxpool_storage_order_bogus", C, "MaxPool storage_order 7",
    pool_model("MaxPool", kernel_shape=[2, 2], storage_order=7),
    NODE("the_pool", "MaxPool") + ["storage_order"])
x = rand(1, 1, 5, 5)
runs("attr_maxpool_ceil_mode", C, "MaxPool 2x2 stride 2 ceil_mode on 5x5",
     pool_model("MaxPool", kernel_shape=[2, 2], strides=[2, 2], ceil_mode=1),
     {"x": x}, [("y", np.array([[[[x[0, 0, i:i + 2, j:j + 2].max()
                                   for j in (0, 2, 4)] for i in (0, 2, 4)]]]))])

# Wrongly typed attributes.
for cid, desc, m, res in (
    ("attr_type_strides_floats", "Conv strides given as floats",
     conv_model(strides=[1.0, 1.0]), ["strides"]),
    ("attr_type_kernel_shape_string", "MaxPool kernel_shape as a string",
     model([node("MaxPool", ["x"], ["y"], name="the_pool",
                 kernel_shape="2x2")], [vi("x", [1, 1, 4, 4])],
           [vi("y", None)]), ["kernel_shape"]),
    ("attr_type_axis_float", "Softmax axis given as a float",
     unary("Softmax", axis=1.0), ["axis"]),
    ("attr_type_alpha_int", "LeakyRelu alpha given as an int list",
     unary("LeakyRelu", alpha=[1, 2]), ["alpha"]),
    ("attr_type_perm_string", "Transpose perm as a string",
     unary("Transpose", perm="1,0"), ["perm"]),
    ("attr_type_epsilon_string", "LayerNormalization-like: "
     "InstanceNormalization epsilon as a string",
     model([node("InstanceNormalization", ["x", "s", "b"], ["y"],
                 name="the_instancenormalization", epsilon="tiny")],
           [vi("x", [1, 2, 3])], [vi("y", None)],
           [init("s", np.ones(2, np.float32)),
            init("b", np.zeros(2, np.float32))]), ["epsilon"]),
    ("attr_type_to_string", "Cast 'to' given as a string",
     model([node("Cast", ["x"], ["y"], to="FLOAT")], [vi("x", [2])],
           [vi("y", None)]), ["to"]),
):
    err(cid, C, desc, m, [r"\bthe_\w+\b", res[0]])
m = conv_model()
m.graph.node[0].attribute.append(raw_attr("strides", AttributeProto.INTS,
                                          ints=[1, 1]))
m.graph.node[0].attribute.append(raw_attr("strides", AttributeProto.INTS,
                                          ints=[2, 2]))
err("attr_duplicate_attribute", C, "Conv with 'strides' given twice", m,
    NODE("the_conv", "Conv") + ["strides"])
m = unary("Relu")
m.graph.node[0].attribute.append(raw_attr("alpha", AttributeProto.FLOAT,
                                          f=2.0))
err("attr_unknown_attribute", C, "Relu with an attribute it does not have",
    m, NODE("the_relu", "Relu") + ["alpha"])
m = unary("Relu")
m.graph.node[0].attribute.append(raw_attr("", AttributeProto.INT, i=1))
err("attr_empty_name", C, "an attribute with an empty name", m,
    NODE("the_relu", "Relu") + [r"(?i)\battr"])
m = conv_model()
m.graph.node[0].attribute.append(raw_attr("strides", AttributeProto.INTS))
err("attr_conv_strides_empty", C, "Conv with strides []", m,
    NODE("the_conv", "Conv") + ["strides"])
m = conv_model()
a = raw_attr("strides", AttributeProto.UNDEFINED, ints=[1, 1])
m.graph.node[0].attribute.append(a)
err("attr_type_undefined", C, "an attribute of type UNDEFINED", m,
    NODE("the_conv", "Conv") + ["strides"])

# Missing required attributes, axes out of range.
for cid, desc, m, nd in (
    ("attr_cast_missing_to", "Cast without 'to'",
     model([node("Cast", ["x"], ["y"])], [vi("x", [2])], [vi("y", None)]),
     ("the_cast", "Cast")),
    ("attr_concat_missing_axis", "Concat without 'axis'",
     model([node("Concat", ["x", "x"], ["y"])], [vi("x", [2, 2])],
           [vi("y", None)]), ("the_concat", "Concat")),
    ("attr_concat_axis_out_of_range", "Concat axis 5 on rank 2",
     model([node("Concat", ["x", "x"], ["y"], axis=5)], [vi("x", [2, 2])],
           [vi("y", None)]), ("the_concat", "Concat")),
    ("attr_concat_axis_very_negative", "Concat axis -10 on rank 2",
     model([node("Concat", ["x", "x"], ["y"], axis=-10)], [vi("x", [2, 2])],
           [vi("y", None)]), ("the_concat", "Concat")),
    ("attr_softmax_axis_out_of_range", "Softmax axis 2 on rank 2",
     unary("Softmax", axis=2), ("the_softmax", "Softmax")),
    ("attr_softmax_axis_int64min", "Softmax axis INT64_MIN",
     unary("Softmax", axis=INT64_MIN), ("the_softmax", "Softmax")),
    ("attr_logsoftmax_axis_neg3", "LogSoftmax axis -3 on rank 2",
     unary("LogSoftmax", axis=-3), ("the_logsoftmax", "LogSoftmax")),
    ("attr_flatten_axis_out_of_range", "Flatten axis 3 on rank 2",
     unary("Flatten", axis=3), ("the_flatten", "Flatten")),
    ("attr_transpose_perm_duplicate", "Transpose perm [0, 0]",
     unary("Transpose", perm=[0, 0]), ("the_transpose", "Transpose")),
    ("attr_transpose_perm_out_of_range", "Transpose perm [0, 5]",
     unary("Transpose", perm=[0, 5]), ("the_transpose", "Transpose")),
    ("attr_transpose_perm_short", "Transpose perm [0] for rank 2",
     unary("Transpose", perm=[0]), ("the_transpose", "Transpose")),
    ("attr_transpose_perm_negative", "Transpose perm [-1, 0]",
     unary("Transpose", perm=[-1, 0]), ("the_transpose", "Transpose")),
    ("attr_gather_axis_out_of_range", "Gather axis 4 on rank 2",
     model([node("Gather", ["x", "i"], ["y"], axis=4)], [vi("x", [2, 3])],
           [vi("y", None)], [init("i", np.array([0], np.int64))]),
     ("the_gather", "Gather")),
    ("attr_gather_index_out_of_range", "Gather with constant index 7 of 3",
     model([node("Gather", ["x", "i"], ["y"], axis=1)], [vi("x", [2, 3])],
           [vi("y", None)], [init("i", np.array([7], np.int64))]),
     ("the_gather", "Gather")),
    ("attr_gather_index_int64min", "Gather with constant index INT64_MIN",
     model([node("Gather", ["x", "i"], ["y"], axis=1)], [vi("x", [2, 3])],
           [vi("y", None)], [init("i", np.array([INT64_MIN], np.int64))]),
     ("the_gather", "Gather")),
    ("attr_split_sizes_wrong_sum", "Split sizes [1, 1] of an axis of 3",
     model([node("Split", ["x", "s"], ["y", "z"], axis=1)], [vi("x", [2, 3])],
           [vi("y", None), vi("z", None)],
           [init("s", np.array([1, 1], np.int64))]), ("the_split", "Split")),
    ("attr_split_negative_size", "Split sizes [4, -1]",
     model([node("Split", ["x", "s"], ["y", "z"], axis=1)], [vi("x", [2, 3])],
           [vi("y", None), vi("z", None)],
           [init("s", np.array([4, -1], np.int64))]), ("the_split", "Split")),
    ("attr_squeeze_axis_not_one", "Squeeze an axis of size 3",
     model([node("Squeeze", ["x", "a"], ["y"])], [vi("x", [2, 3])],
           [vi("y", None)], [init("a", np.array([1], np.int64))]),
     ("the_squeeze", "Squeeze")),
    ("attr_squeeze_axis_out_of_range", "Squeeze axis 9",
     model([node("Squeeze", ["x", "a"], ["y"])], [vi("x", [2, 1])],
           [vi("y", None)], [init("a", np.array([9], np.int64))]),
     ("the_squeeze", "Squeeze")),
    ("attr_unsqueeze_duplicate_axes", "Unsqueeze axes [0, 0]",
     model([node("Unsqueeze", ["x", "a"], ["y"])], [vi("x", [2, 3])],
           [vi("y", None)], [init("a", np.array([0, 0], np.int64))]),
     ("the_unsqueeze", "Unsqueeze")),
    ("attr_reducemean_axis_out_of_range", "ReduceMean axes [3] on rank 2",
     unary("ReduceMean", axes=[3]), ("the_reducemean", "ReduceMean")),
    ("attr_reducesum_axes_duplicate", "ReduceSum axes [1, 1]",
     model([node("ReduceSum", ["x", "a"], ["y"])], [vi("x", [2, 3])],
           [vi("y", None)], [init("a", np.array([1, 1], np.int64))]),
     ("the_reducesum", "ReduceSum")),
    ("attr_reshape_two_minus_one", "Reshape to [-1, -1]",
     model([node("Reshape", ["x", "s"], ["y"])], [vi("x", [2, 3])],
           [vi("y", None)], [init("s", np.array([-1, -1], np.int64))]),
     ("the_reshape", "Reshape")),
    ("attr_reshape_count_mismatch", "Reshape 6 elements to [4, 2]",
     model([node("Reshape", ["x", "s"], ["y"])], [vi("x", [2, 3])],
           [vi("y", None)], [init("s", np.array([4, 2], np.int64))]),
     ("the_reshape", "Reshape")),
    ("attr_reshape_minus_two", "Reshape to [-2, 3]",
     model([node("Reshape", ["x", "s"], ["y"])], [vi("x", [2, 3])],
           [vi("y", None)], [init("s", np.array([-2, 3], np.int64))]),
     ("the_reshape", "Reshape")),
    ("attr_expand_incompatible", "Expand [2, 3] to [4, 3]",
     model([node("Expand", ["x", "s"], ["y"])], [vi("x", [2, 3])],
           [vi("y", None)], [init("s", np.array([4, 3], np.int64))]),
     ("the_expand", "Expand")),
    ("attr_slice_step_zero", "Slice with step 0",
     model([node("Slice", ["x", "s", "e", "a", "t"], ["y"])],
           [vi("x", [2, 6])], [vi("y", None)],
           [init("s", np.array([0], np.int64)),
            init("e", np.array([4], np.int64)),
            init("a", np.array([1], np.int64)),
            init("t", np.array([0], np.int64))]), ("the_slice", "Slice")),
    ("attr_slice_axis_out_of_range", "Slice axis 7",
     model([node("Slice", ["x", "s", "e", "a"], ["y"])], [vi("x", [2, 6])],
           [vi("y", None)],
           [init("s", np.array([0], np.int64)),
            init("e", np.array([4], np.int64)),
            init("a", np.array([7], np.int64))]), ("the_slice", "Slice")),
    ("attr_pad_mode_bogus", "Pad mode 'mirror'",
     model([node("Pad", ["x", "p"], ["y"], mode="mirror")], [vi("x", [2, 3])],
           [vi("y", None)], [init("p", np.array([1, 1, 1, 1], np.int64))]),
     ("the_pad", "Pad")),
    ("attr_pad_crop_below_zero", "Pad with -5 on an axis of 3",
     model([node("Pad", ["x", "p"], ["y"])], [vi("x", [2, 3])],
           [vi("y", None)], [init("p", np.array([0, -5, 0, 0], np.int64))]),
     ("the_pad", "Pad")),
    ("attr_pad_wrong_count", "Pad with 3 pads for rank 2",
     model([node("Pad", ["x", "p"], ["y"])], [vi("x", [2, 3])],
           [vi("y", None)], [init("p", np.array([1, 1, 1], np.int64))]),
     ("the_pad", "Pad")),
    ("attr_reflect_pad_too_big", "reflect Pad of 5 on an axis of 3",
     model([node("Pad", ["x", "p"], ["y"], mode="reflect")],
           [vi("x", [2, 3])], [vi("y", None)],
           [init("p", np.array([0, 5, 0, 5], np.int64))]),
     ("the_pad", "Pad")),
    ("attr_depthtospace_blocksize0", "DepthToSpace blocksize 0",
     unary("DepthToSpace", shape=(1, 4, 2, 2), blocksize=0),
     ("the_depthtospace", "DepthToSpace")),
    ("attr_depthtospace_blocksize_neg", "DepthToSpace blocksize -2",
     unary("DepthToSpace", shape=(1, 4, 2, 2), blocksize=-2),
     ("the_depthtospace", "DepthToSpace")),
    ("attr_depthtospace_not_divisible", "DepthToSpace blocksize 3, 4 chans",
     unary("DepthToSpace", shape=(1, 4, 2, 2), blocksize=3),
     ("the_depthtospace", "DepthToSpace")),
    ("attr_spacetodepth_blocksize0", "SpaceToDepth blocksize 0",
     unary("SpaceToDepth", shape=(1, 1, 4, 4), blocksize=0),
     ("the_spacetodepth", "SpaceToDepth")),
    ("attr_spacetodepth_int64max", "SpaceToDepth blocksize INT64_MAX",
     unary("SpaceToDepth", shape=(1, 1, 4, 4), blocksize=INT64_MAX),
     ("the_spacetodepth", "SpaceToDepth")),
    ("attr_lrn_size0", "LRN size 0",
     unary("LRN", shape=(1, 3, 2, 2), size=0), ("the_lrn", "LRN")),
    ("attr_lrn_missing_size", "LRN without the required 'size'",
     unary("LRN", shape=(1, 3, 2, 2)), ("the_lrn", "LRN")),
    ("attr_tile_negative_repeats", "Tile repeats [-1, 2]",
     model([node("Tile", ["x", "r"], ["y"])], [vi("x", [2, 3])],
           [vi("y", None)], [init("r", np.array([-1, 2], np.int64))]),
     ("the_tile", "Tile")),
    ("attr_resize_scale_zero", "Resize nearest with scales 0",
     model([node("Resize", ["x", "", "s"], ["y"], mode="nearest")],
           [vi("x", [1, 1, 2, 2])], [vi("y", None)],
           [init("s", np.array([1, 1, 0, 0], np.float32))]),
     ("the_resize", "Resize")),
    ("attr_resize_scale_nan", "Resize nearest with a NaN scale",
     model([node("Resize", ["x", "", "s"], ["y"], mode="nearest")],
           [vi("x", [1, 1, 2, 2])], [vi("y", None)],
           [init("s", np.array([1, 1, np.nan, 2], np.float32))]),
     ("the_resize", "Resize")),
    ("attr_convtranspose_output_padding_ge_stride",
     "ConvTranspose output_padding 2 with stride 2",
     model([node("ConvTranspose", ["x", "w"], ["y"], strides=[2, 2],
                 output_padding=[2, 2])], [vi("x", [1, 1, 3, 3])],
           [vi("y", None)], [init("w", np.ones((1, 1, 2, 2), np.float32))]),
     ("the_convtranspose", "ConvTranspose")),
    ("attr_convtranspose_strides0", "ConvTranspose strides [0, 0]",
     model([node("ConvTranspose", ["x", "w"], ["y"], strides=[0, 0])],
           [vi("x", [1, 1, 3, 3])], [vi("y", None)],
           [init("w", np.ones((1, 1, 2, 2), np.float32))]),
     ("the_convtranspose", "ConvTranspose")),
    ("attr_convtranspose_strides_huge", "ConvTranspose strides 2^40",
     model([node("ConvTranspose", ["x", "w"], ["y"], strides=[2**40, 1])],
           [vi("x", [1, 1, 3, 3])], [vi("y", None)],
           [init("w", np.ones((1, 1, 2, 2), np.float32))]),
     ("the_convtranspose", "ConvTranspose")),
    ("attr_gemm_inner_mismatch", "Gemm of [2,3] by [4,5]",
     model([node("Gemm", ["x", "w"], ["y"])], [vi("x", [2, 3])],
           [vi("y", None)], [init("w", np.ones((4, 5), np.float32))]),
     ("the_gemm", "Gemm")),
    ("attr_matmul_inner_mismatch", "MatMul of [2,3] by [4,5]",
     model([node("MatMul", ["x", "w"], ["y"])], [vi("x", [2, 3])],
           [vi("y", None)], [init("w", np.ones((4, 5), np.float32))]),
     ("the_matmul", "MatMul")),
    ("attr_add_broadcast_mismatch", "Add of [2,3] and [4]",
     model([node("Add", ["x", "b"], ["y"])], [vi("x", [2, 3])],
           [vi("y", None)], [init("b", np.ones(4, np.float32))]),
     ("the_add", "Add")),
    ("attr_batchnorm_param_length", "BatchNormalization with 3 scales "
     "for 2 channels",
     model([node("BatchNormalization", ["x", "s", "b", "m", "v"], ["y"])],
           [vi("x", [1, 2, 2, 2])], [vi("y", None)],
           [init("s", np.ones(3, np.float32)),
            init("b", np.zeros(2, np.float32)),
            init("m", np.zeros(2, np.float32)),
            init("v", np.ones(2, np.float32))]),
     ("the_batchnormalization", "BatchNormalization")),
):
    err(cid, C, desc, m, NODE(*nd))

# Legal but unusual attribute values that must simply work.
x = rand(2, 6)
runs("attr_slice_int64_bounds", C, "Slice from INT64_MIN to INT64_MAX "
     "(PyTorch's open-ended slice)",
     model([node("Slice", ["x", "s", "e", "a"], ["y"])], [vi("x", [2, 6])],
           [vi("y", None)],
           [init("s", np.array([INT64_MIN], np.int64)),
            init("e", np.array([INT64_MAX], np.int64)),
            init("a", np.array([1], np.int64))]), {"x": x}, [("y", x)])
runs("attr_slice_negative_step", C, "Slice with step -2 from the end",
     model([node("Slice", ["x", "s", "e", "a", "t"], ["y"])],
           [vi("x", [2, 6])], [vi("y", None)],
           [init("s", np.array([-1], np.int64)),
            init("e", np.array([INT64_MIN], np.int64)),
            init("a", np.array([1], np.int64)),
            init("t", np.array([-2], np.int64))]), {"x": x},
     [("y", x[:, ::-2])])
runs("attr_gather_negative_index", C, "Gather with constant index -1",
     model([node("Gather", ["x", "i"], ["y"], axis=1)], [vi("x", [2, 6])],
           [vi("y", None)], [init("i", np.array([-1, 0], np.int64))]),
     {"x": x}, [("y", x[:, [-1, 0]])])
runs("attr_softmax_axis_negative", C, "Softmax axis -1",
     unary("Softmax", shape=(2, 6), axis=-1), {"x": x},
     [("y", np.exp(x - x.max(1, keepdims=True)) /
       np.exp(x - x.max(1, keepdims=True)).sum(1, keepdims=True))])
runs("attr_leakyrelu_alpha_huge", C, "LeakyRelu alpha 1e30",
     unary("LeakyRelu", shape=(2, 6), alpha=1e30), {"x": x},
     [("y", np.where(x > 0, x, np.float32(1e30) * x))])
runs("attr_clip_min_gt_max", C, "Clip with min 1 > max -1 (ONNX: max wins)",
     model([node("Clip", ["x", "lo", "hi"], ["y"])], [vi("x", [2, 6])],
           [vi("y", None)], [init("lo", np.array(1, np.float32)),
                             init("hi", np.array(-1, np.float32))]),
     {"x": x}, [("y", np.minimum(np.maximum(x, 1), -1))])
runs("attr_transpose_default_perm", C, "Transpose without perm (reverses)",
     unary("Transpose", shape=(2, 6)), {"x": x}, [("y", x.T)])

# ===========================================================================
# Class: dims — huge or overflowing dims, huge materializations
# ===========================================================================
C = "dims"
TOO_BIG = r"(?i)overflow|too (large|big|many)|exceed|fit|limit|huge|memory|bytes"
for tag, dims in {"2p62x4": [2**62, 4], "2p32x2p32": [2**32, 2**32],
                  "int64max": [INT64_MAX], "2p31cubed": [2**31] * 3}.items():
    err("dims_input_%s" % tag, C, "graph input x with dims %s" % dims,
        model([node("Relu", ["x"], ["y"])], [vi("x", dims)], [vi("y", None)]),
        [r"\bx\b", TOO_BIG])
for tag, dims in {"2p40sq": [2**40, 2**40], "2p62x4": [2**62, 4],
                  "int64max": [INT64_MAX], "neg": [-3]}.items():
    t = onnx.TensorProto(name="big", data_type=F, dims=dims)
    err("dims_initializer_%s" % tag, C,
        "an initializer with dims %s and no data" % dims,
        model([node("Add", ["x", "big"], ["y"])], [vi("x", [4])],
              [vi("y", None)], [t]), [r"\bbig\b"])
err("dims_input_negative", C, "graph input with dim -2",
    model([node("Relu", ["x"], ["y"])], [vi("x", [-2, 3])], [vi("y", None)]),
    [r"\bx\b", r"-2|negative"])
err("dims_output_decl_huge", C, "graph output declared [2^62, 4] (actual [4])",
    model([node("Relu", ["x"], ["y"])], [vi("x", [4])],
          [vi("y", [2**62, 4])]), [r"\by\b|\bthe_relu\b"])


def const_i64(name, vals):
    return init(name, np.array(vals, np.int64))


for tag, shape in {"2p20sq": [2**20, 2**20], "2p62": [2**62],
                   "overflow": [2**40, 2**40], "int64max": [INT64_MAX]}.items():
    err("dims_constantofshape_%s" % tag, C,
        "ConstantOfShape %s (would materialize %s elements)" % (shape,
                                                               np.prod(
                                                                   shape,
                                                                   dtype=object)),
        model([node("ConstantOfShape", ["s"], ["c"],
                    value=helper.make_tensor("v", F, [1], [1.0])),
               node("Add", ["x", "c"], ["y"], name="add")],
              [vi("x", [1])], [vi("y", None)], [const_i64("s", shape)]),
        NODE("the_constantofshape", "ConstantOfShape") + [TOO_BIG])
err("dims_constantofshape_negative", C, "ConstantOfShape [-5, 2]",
    model([node("ConstantOfShape", ["s"], ["y"])], [], [vi("y", None)],
          [const_i64("s", [-5, 2])]),
    NODE("the_constantofshape", "ConstantOfShape"))
for tag, shape in {"2p20sq": [2**20, 2**18, 4],
                   "overflow": [2**40, 2**40, 4],
                   "2p31x1": [2**31, 4]}.items():
    err("dims_expand_const_%s" % tag, C,
        "Expand of a constant to %s" % shape,
        model([node("Expand", ["c", "s"], ["e"]),
               node("Add", ["x", "e"], ["y"], name="add")],
              [vi("x", [1])], [vi("y", None)],
              [init("c", np.ones((1, 4), np.float32)),
               const_i64("s", shape)]),
        NODE("the_expand", "Expand") + [TOO_BIG])
    err("dims_expand_runtime_%s" % tag, C,
        "Expand of a runtime [1, 4] to %s" % shape,
        model([node("Expand", ["x", "s"], ["y"])], [vi("x", [1, 4])],
              [vi("y", None)], [const_i64("s", shape)]),
        NODE("the_expand", "Expand") + [TOO_BIG])
err("dims_expand_negative", C, "Expand to [-1, 4]",
    model([node("Expand", ["x", "s"], ["y"])], [vi("x", [1, 4])],
          [vi("y", None)], [const_i64("s", [-1, 4])]),
    NODE("the_expand", "Expand"))
x = rand(1, 4)
runs("dims_expand_runtime_256k", C, "Expand a runtime [1, 4] to [65536, 4]",
     model([node("Expand", ["x", "s"], ["y"])], [vi("x", [1, 4])],
           [vi("y", None)], [const_i64("s", [65536, 4])]), {"x": x},
     [("y", np.broadcast_to(x, (65536, 4)))])
for tag, (a, b, d) in {"2p40": (0, 2**40, 1), "delta0": (0, 10, 0),
                       "int64_span": (INT64_MIN, INT64_MAX, 1),
                       "overflow_step": (INT64_MAX - 1, INT64_MIN, INT64_MAX)
                       }.items():
    err("dims_range_%s" % tag, C, "Range(%d, %d, %d)" % (a, b, d),
        model([node("Range", ["a", "b", "d"], ["r"]),
               node("Cast", ["r"], ["rf"], name="cast", to=F),
               node("Add", ["x", "rf"], ["y"], name="add")],
              [vi("x", [1])], [vi("y", None)],
              [init("a", np.array(a, np.int64)),
               init("b", np.array(b, np.int64)),
               init("d", np.array(d, np.int64))]),
        # Exactly, that range has max(ceil(-2.0000000000000000002), 0) = 0
        # elements: it folds, and the empty result may not become a runtime
        # operand of the Add.
        [r"\bempty\b", r"\brf\b"] if tag == "overflow_step"
        else NODE("the_range", "Range"))
err("dims_range_float_tiny_delta", C, "float Range(0, 1e10, 1e-10)",
    model([node("Range", ["a", "b", "d"], ["r"]),
           node("Add", ["x", "r"], ["y"], name="add")],
          [vi("x", [1])], [vi("y", None)],
          [init("a", np.array(0, np.float32)),
           init("b", np.array(1e10, np.float32)),
           init("d", np.array(1e-10, np.float32))]),
    NODE("the_range", "Range"))
err("dims_range_float_nan", C, "float Range(0, NaN, 1)",
    model([node("Range", ["a", "b", "d"], ["r"]),
           node("Add", ["x", "r"], ["y"], name="add")],
          [vi("x", [1])], [vi("y", None)],
          [init("a", np.array(0, np.float32)),
           init("b", np.array(np.nan, np.float32)),
           init("d", np.array(1, np.float32))]),
    NODE("the_range", "Range"))
x = rand(5)
runs("dims_range_small", C, "Range(0, 5, 1) cast and added",
     model([node("Range", ["a", "b", "d"], ["r"]),
            node("Cast", ["r"], ["rf"], name="cast", to=F),
            node("Add", ["x", "rf"], ["y"], name="add")],
           [vi("x", [5])], [vi("y", None)],
           [init("a", np.array(0, np.int64)), init("b", np.array(5, np.int64)),
            init("d", np.array(1, np.int64))]), {"x": x},
     [("y", x + np.arange(5))])
for tag, rep in {"2p40": [2**40, 1], "overflow": [2**62, 2**62]}.items():
    err("dims_tile_%s" % tag, C, "Tile repeats %s" % rep,
        model([node("Tile", ["x", "r"], ["y"])], [vi("x", [2, 3])],
              [vi("y", None)], [const_i64("r", rep)]),
        NODE("the_tile", "Tile") + [TOO_BIG])
for tag, p in {"2p45": [0, 2**45, 0, 2**45], "int64max": [0, 0, 0, INT64_MAX]
               }.items():
    err("dims_pad_%s" % tag, C, "Pad with pads %s" % p,
        model([node("Pad", ["x", "p"], ["y"])], [vi("x", [2, 3])],
              [vi("y", None)], [const_i64("p", p)]),
        NODE("the_pad", "Pad") + [TOO_BIG])
err("dims_resize_scale_huge", C, "nearest Resize by 1e9",
    model([node("Resize", ["x", "", "s"], ["y"], mode="nearest")],
          [vi("x", [1, 1, 2, 2])], [vi("y", None)],
          [init("s", np.array([1, 1, 1e9, 1e9], np.float32))]),
    NODE("the_resize", "Resize") + [TOO_BIG])
err("dims_conv_output_overflow", C, "Conv on a 1x1x2^31x2^31 input",
    conv_model(x_shape=(1, 1, 2**31, 2**31)), [r"\bx\b|the_conv", TOO_BIG])
err("dims_matmul_huge_output", C,
    "MatMul [2^24, 1] x [1, 2^24] (a 1 PB output)",
    model([node("MatMul", ["x", "w"], ["y"])], [vi("x", [2**24, 1]),
                                                vi("w", [1, 2**24])],
          [vi("y", None)]),
    [r"\bthe_matmul\b|\by\b", TOO_BIG])
err("dims_concat_overflow", C, "Concat of two [2^62] inputs",
    model([node("Concat", ["x", "x"], ["y"], axis=0)], [vi("x", [2**62])],
          [vi("y", None)]), [r"\bx\b|the_concat", TOO_BIG])
err("dims_shape_pin_huge", C, "--shape x=2^62x4 on a dynamic input",
    model([node("Relu", ["x"], ["y"])], [vi("x", ["N", 4])], [vi("y", None)]),
    [r"\bx\b", TOO_BIG],
    args=["{case}/dims_shape_pin_huge.onnx", "--shape",
          "x=%dx4" % 2**62, "-o", "{out}/libm.so"])
err("dims_shape_pin_overflow", C, "--shape x=4294967296x4294967296",
    model([node("Relu", ["x"], ["y"])], [vi("x", ["N", "M"])],
          [vi("y", None)]), [r"\bx\b", TOO_BIG],
    args=["{case}/dims_shape_pin_overflow.onnx", "--shape",
          "x=4294967296x4294967296", "-o", "{out}/libm.so"])
compiles("dims_input_2p31_elements", C, "a Relu on 2^31 floats (8 GB "
         "in and out): legal, compiles, the interface says so",
         model([node("Relu", ["x"], ["y"])], [vi("x", [2**31])],
               [vi("y", None)]),
         ["{case}/dims_input_2p31_elements.onnx", "-o", "{out}/libm.so"],
         ["{out}/libm.so"],
         info=[r"input 0: x f32 \[2147483648\] \(8589934592 bytes\)",
               r"output 0: y f32 \[2147483648\] \(8589934592 bytes\)"])
compiles("dims_input_dim_2p31_plus1", C, "an input [1, 2^31+1] (dims above "
         "INT32_MAX) compiles to C++",
         model([node("Relu", ["x"], ["y"])], [vi("x", [1, 2**31 + 1])],
               [vi("y", None)]),
         ["{case}/dims_input_dim_2p31_plus1.onnx", "--emit=cpp", "-o",
          "{out}/m.cpp"], ["{out}/m.cpp", "{out}/m.h"])

# ===========================================================================
# Class: empty — tensors with a dim of 0
# ===========================================================================
C = "empty"
z = np.zeros((0, 3), np.float32)
# Anvil refuses empty runtime tensors, as such (issue 6 allows supporting or
# refusing them): a dim of 0 on a graph input, output or intermediate runtime
# tensor is an error that says "empty"; empty constants fold (Concat with an
# empty constant, below, runs).
EMPTY = r"\bempty\b"


def refused_empty(cid, cls, desc, m, inputs, outputs):
    err(cid, cls, desc + " (refused: empty runtime tensor)", m, [EMPTY])


refused_empty("empty_relu", C, "Relu on a [0, 3] input",
     unary("Relu", shape=(0, 3)), {"x": z}, [("y", z)])
refused_empty("empty_add_broadcast", C, "Add [0, 3] + [3]",
     model([node("Add", ["x", "b"], ["y"])], [vi("x", [0, 3])],
           [vi("y", None)], [init("b", np.ones(3, np.float32))]),
     {"x": z}, [("y", z)])
a = rand(2, 3)
runs("empty_concat_with_empty", C, "Concat [2, 3] with a [2, 0] constant",
     model([node("Concat", ["x", "e"], ["y"], axis=1)], [vi("x", [2, 3])],
           [vi("y", None)], [init("e", np.zeros((2, 0), np.float32))]),
     {"x": a}, [("y", a)])
refused_empty("empty_matmul_k0", C, "MatMul [2, 0] x [0, 3] = zeros [2, 3]",
     model([node("MatMul", ["x", "w"], ["y"])], [vi("x", [2, 0])],
           [vi("y", None)], [init("w", np.zeros((0, 3), np.float32))]),
     {"x": np.zeros((2, 0), np.float32)}, [("y", np.zeros((2, 3)))])
refused_empty("empty_gemm_k0_bias", C, "Gemm with K=0 and a bias",
     model([node("Gemm", ["x", "w", "b"], ["y"])], [vi("x", [2, 0])],
           [vi("y", None)], [init("w", np.zeros((0, 3), np.float32)),
                             init("b", np.array([1, 2, 3], np.float32))]),
     {"x": np.zeros((2, 0), np.float32)},
     [("y", np.tile(np.array([1, 2, 3.0]), (2, 1)))])
refused_empty("empty_conv_batch0", C, "Conv on a batch of 0",
     conv_model(x_shape=(0, 1, 5, 5)), {"x": np.zeros((0, 1, 5, 5))},
     [("y", np.zeros((0, 1, 4, 4)))])
refused_empty("empty_slice_to_empty", C, "Slice [2:2] of an axis (empty result)",
     model([node("Slice", ["x", "s", "e", "a"], ["y"])], [vi("x", [2, 6])],
           [vi("y", None)],
           [const_i64("s", [2]), const_i64("e", [2]), const_i64("a", [1])]),
     {"x": rand(2, 6)}, [("y", np.zeros((2, 0)))])
refused_empty("empty_softmax", C, "Softmax over a [2, 0] input",
     unary("Softmax", shape=(2, 0), axis=1), {"x": np.zeros((2, 0))},
     [("y", np.zeros((2, 0)))])
refused_empty("empty_transpose", C, "Transpose a [0, 3]",
     unary("Transpose", shape=(0, 3), perm=[1, 0]), {"x": z},
     [("y", np.zeros((3, 0)))])
refused_empty("empty_flatten", C, "Flatten a [0, 3, 2]",
     unary("Flatten", shape=(0, 3, 2)), {"x": np.zeros((0, 3, 2))},
     [("y", np.zeros((0, 6)))])
refused_empty("empty_pad_from_nothing", C, "Pad a [0, 2] by one row on each side",
     model([node("Pad", ["x", "p", "v"], ["y"])], [vi("x", [0, 2])],
           [vi("y", None)], [const_i64("p", [1, 0, 1, 0]),
                             init("v", np.array(7, np.float32))]),
     {"x": np.zeros((0, 2))}, [("y", np.full((2, 2), 7.0))])
refused_empty("empty_reducesum", C, "ReduceSum over an axis of 0 (zeros)",
     model([node("ReduceSum", ["x", "a"], ["y"], keepdims=1)],
           [vi("x", [2, 0])], [vi("y", None)], [const_i64("a", [1])]),
     {"x": np.zeros((2, 0))}, [("y", np.zeros((2, 1)))])
refused_empty("empty_reducemax_keeps_others", C, "ReduceMax over axis 1 of [0, 3]",
     unary("ReduceMax", shape=(0, 3), axes=[1], keepdims=1), {"x": z},
     [("y", np.zeros((0, 1)))])
refused_empty("empty_split_zero_part", C, "Split [2, 3] into sizes [3, 0]",
     model([node("Split", ["x", "s"], ["y", "z"], axis=1)], [vi("x", [2, 3])],
           [vi("y", None), vi("z", None)], [const_i64("s", [3, 0])]),
     {"x": a}, [("y", a), ("z", np.zeros((2, 0)))])
refused_empty("empty_constant_output", C, "a graph whose output is an empty constant "
     "next to a real one",
     model([node("Relu", ["x"], ["y"])], [vi("x", [2, 3])],
           [vi("y", None), vi("e", [0])], [init("e", np.zeros(0, np.float32))]),
     {"x": a}, [("y", np.maximum(a, 0)), ("e", np.zeros(0))])
refused_empty("empty_maxpool_batch0", C, "MaxPool on [0, 1, 4, 4]",
     pool_model("MaxPool", x_shape=(0, 1, 4, 4), kernel_shape=[2, 2]),
     {"x": np.zeros((0, 1, 4, 4))}, [("y", np.zeros((0, 1, 3, 3)))])
err("empty_broadcast_0_vs_3", C, "Add of a [0] and a [3] (not broadcastable)",
    model([node("Add", ["x", "b"], ["y"])], [vi("x", [0])],
          [vi("y", None)], [init("b", np.ones(3, np.float32))]),
    [EMPTY, r"\bx\b"])
m = model([node("Reshape", ["x", "s"], ["y"], allowzero=1)],
          [vi("x", [0, 3])], [vi("y", None)], [const_i64("s", [-1, 0])],
          opset=14)
err("empty_reshape_zero_to_minus1", C, "Reshape [0, 3] to [-1, 0] with "
    "allowzero (-1 is undetermined)", m, [EMPTY, r"\bx\b"])
runs("empty_initializer_huge_other_dim", C, "Concat with a [2, 0] "
     "initializer stated as [2, 0] with no data",
     model([node("Concat", ["x", "e"], ["y"], axis=1)], [vi("x", [2, 3])],
           [vi("y", None)],
           [onnx.TensorProto(name="e", data_type=F, dims=[2, 0])]),
     {"x": a}, [("y", a)])

# ===========================================================================
# Class: graph — broken graph structure
# ===========================================================================
C = "graph"
err("graph_cycle", C, "a = Relu(b), b = Relu(a)",
    model([node("Relu", ["b"], ["a"], name="ra"),
           node("Relu", ["a"], ["b"], name="rb"),
           node("Add", ["x", "a"], ["y"], name="add")],
          [vi("x", [2])], [vi("y", None)]),
    [r"(?i)cycle|topolog|sorted|before|undefined|not (defined|produced)",
     r"\bra\b|\brb\b"])
err("graph_self_loop", C, "y = Add(y, x)",
    model([node("Add", ["y", "x"], ["y"])], [vi("x", [2])], [vi("y", None)]),
    [r"\bthe_add\b"])
err("graph_undefined_input", C, "Relu reads 'nosuch', defined nowhere",
    model([node("Relu", ["nosuch"], ["y"])], [vi("x", [2])],
          [vi("y", None)]), [r"\bnosuch\b"])
err("graph_use_before_def", C, "a node reads a value defined later",
    model([node("Relu", ["t"], ["y"], name="first"),
           node("Neg", ["x"], ["t"], name="second")],
          [vi("x", [2])], [vi("y", None)]), [r"\bfirst\b"])
err("graph_duplicate_output", C, "two nodes write 'y'",
    model([node("Relu", ["x"], ["y"], name="r1"),
           node("Neg", ["x"], ["y"], name="r2")],
          [vi("x", [2])], [vi("y", None)]), [r"\by\b"])
err("graph_output_overwrites_input", C, "a node writes the graph input 'x'",
    model([node("Relu", ["x"], ["x"], name="r1")],
          [vi("x", [2])], [vi("x", None)]), [r"\bx\b"])
err("graph_init_and_node_same_name", C,
    "a node writes 'w', which is also an initializer",
    model([node("Relu", ["x"], ["w"], name="r1"),
           node("Add", ["w", "x"], ["y"], name="add")],
          [vi("x", [2])], [vi("y", None)],
          [init("w", np.ones(2, np.float32))]), [r"\bw\b"])
err("graph_duplicate_input", C, "the graph input 'x' listed twice",
    model([node("Relu", ["x"], ["y"])], [vi("x", [2]), vi("x", [2])],
          [vi("y", None)]), [r"\bx\b"])
err("graph_duplicate_graph_output", C, "the graph output 'y' listed twice",
    model([node("Relu", ["x"], ["y"])], [vi("x", [2])],
          [vi("y", None), vi("y", None)]), [r"\by\b"])
err("graph_duplicate_initializer", C, "two initializers named 'b'",
    model([node("Add", ["x", "b"], ["y"])], [vi("x", [2])], [vi("y", None)],
          [init("b", np.ones(2, np.float32)),
           init("b", np.zeros(2, np.float32))]), [r"\bb\b"])
err("graph_no_outputs", C, "a graph without outputs",
    model([node("Relu", ["x"], ["y"])], [vi("x", [2])], []),
    [r"(?i)output"])
err("graph_no_nodes_no_outputs", C, "an empty graph",
    model([], [], []), [r"(?i)output|empty|nothing"])
err("graph_output_not_produced", C, "graph output 'ghost' produced by nobody",
    model([node("Relu", ["x"], ["y"])], [vi("x", [2])],
          [vi("y", None), vi("ghost", [2])]), [r"\bghost\b"])
err("graph_output_empty_name", C, "a graph output with an empty name",
    model([node("Relu", ["x"], ["y"])], [vi("x", [2])],
          [vi("y", None), vi("", [2])]), [r"(?i)output"])
err("graph_unknown_op", C, "an op type that does not exist",
    model([node("FrobnicateTensor", ["x"], ["y"], name="frob")],
          [vi("x", [2])], [vi("y", None)]), NODE("frob", "FrobnicateTensor"))
err("graph_lowercase_op", C, "'relu' (op types are case-sensitive)",
    model([node("relu", ["x"], ["y"], name="lower")],
          [vi("x", [2])], [vi("y", None)]), NODE("lower", "relu"))
err("graph_unknown_domain", C, "an op in domain com.example",
    model([node("Relu", ["x"], ["y"], name="ext", domain="com.example")],
          [vi("x", [2])], [vi("y", None)],
          opsets=[helper.make_opsetid("", 13),
                  helper.make_opsetid("com.example", 1)]),
    [r"\bext\b", r"com\.example"])
err("graph_domain_not_imported", C, "an op whose domain has no opset import",
    model([node("Relu", ["x"], ["y"], name="ext", domain="com.example")],
          [vi("x", [2])], [vi("y", None)]),
    [r"\bext\b|com\.example", r"(?i)com\.example|opset|domain"])
err("graph_no_opset_import", C, "a model with no opset_import at all",
    model([node("Relu", ["x"], ["y"])], [vi("x", [2])], [vi("y", None)],
          opsets=[]), [r"(?i)opset"])
err("graph_relu_two_inputs", C, "Relu with two inputs",
    model([node("Relu", ["x", "x"], ["y"])], [vi("x", [2])],
          [vi("y", None)]), NODE("the_relu", "Relu"))
err("graph_relu_no_inputs", C, "Relu with no inputs",
    model([node("Relu", [], ["y"])], [vi("x", [2])], [vi("y", None)]),
    NODE("the_relu", "Relu"))
err("graph_conv_missing_weight", C, "Conv with only its data input",
    model([node("Conv", ["x"], ["y"])], [vi("x", [1, 1, 3, 3])],
          [vi("y", None)]), NODE("the_conv", "Conv"))
err("graph_relu_two_outputs", C, "Relu with two outputs",
    model([node("Relu", ["x"], ["y", "z"])], [vi("x", [2])],
          [vi("y", None)]), NODE("the_relu", "Relu"))
err("graph_loop_node", C, "a Loop node (control flow)",
    model([helper.make_node("Loop", ["n", "", "x"], ["y"], name="the_loop",
                            body=helper.make_graph(
                                [node("Identity", ["c"], ["co"], name="i1"),
                                 node("Identity", ["v"], ["vo"], name="i2")],
                                "body",
                                [vi("i", [], I64), vi("c", [], 9),
                                 vi("v", [2])],
                                [vi("co", [], 9), vi("vo", [2])]))],
          [vi("x", [2])], [vi("y", None)],
          [init("n", np.array(3, np.int64))]), NODE("the_loop", "Loop"))
err("graph_input_no_type", C, "a graph input without a type",
    model([node("Relu", ["x"], ["y"])], [onnx.ValueInfoProto(name="x")],
          [vi("y", None)]), [r"\bx\b"])
err("graph_input_undefined_elem_type", C, "a graph input of element type 0",
    model([node("Relu", ["x"], ["y"])], [vi("x", [2], TensorProto.UNDEFINED)],
          [vi("y", None)]), [r"\bx\b"])
err("graph_input_no_shape", C, "a float input with no shape at all",
    model([node("Relu", ["x"], ["y"])],
          [helper.make_tensor_value_info("x", F, None)], [vi("y", None)]),
    [r"\bx\b", r"(?i)shape|rank|dim"])
err("graph_input_sequence_type", C, "a graph input of sequence type",
    model([node("Identity", ["x"], ["y"])],
          [helper.make_tensor_sequence_value_info("x", F, [2])],
          [vi("y", None)]), [r"\bx\b"])
err("graph_dead_unknown_op", C, "an unused node with an unknown op "
    "(still a broken model)",
    model([node("Relu", ["x"], ["y"]),
           node("NoSuchOp", ["x"], ["unused"], name="dead")],
          [vi("x", [2])], [vi("y", None)]), NODE("dead", "NoSuchOp"))
err("graph_value_info_conflict", C, "value_info says 't' is [5] but it "
    "is [2]",
    model([node("Relu", ["x"], ["t"]), node("Neg", ["t"], ["y"])],
          [vi("x", [2])], [vi("y", None)], value_info=[vi("t", [5])]),
    [r"\bt\b|the_relu"])
err("graph_output_type_conflict", C, "graph output declared int64",
    model([node("Relu", ["x"], ["y"])], [vi("x", [2])], [vi("y", [2], I64)]),
    # libonnx's shape inference names the node whose output disagrees.
    NODE("the_relu", "Relu"))
m = model([node("Add", ["x", "sp"], ["y"])], [vi("x", [4])], [vi("y", None)])
sp = m.graph.sparse_initializer.add()
sp.values.CopyFrom(helper.make_tensor("sp", F, [1], [5.0]))
sp.indices.CopyFrom(helper.make_tensor("sp_i", I64, [1], [9]))
sp.dims.extend([4])
err("graph_sparse_init_bad_index", C, "a sparse initializer whose index 9 "
    "lies past its 4 elements", m, [r"\bsp(_i)?\b"])

x = rand(2, 3)
runs("graph_no_nodes", C, "no nodes: the output is the input",
     model([], [vi("x", [2, 3])], [vi("x", [2, 3])]), {"x": x}, [("x", x)])
runs("graph_output_is_initializer", C, "output is an initializer only",
     model([node("Relu", ["x"], ["y"])], [vi("x", [2, 3])],
           [vi("y", None), vi("k", [3])],
           [init("k", np.array([1, 2, 3], np.float32))]), {"x": x},
     [("y", np.maximum(x, 0)), ("k", np.array([1, 2, 3.0]))])
runs("graph_dangling_nodes", C, "nodes whose results nobody uses",
     model([node("Relu", ["x"], ["y"]),
            node("Neg", ["x"], ["d1"], name="dead1"),
            node("Exp", ["d1"], ["d2"], name="dead2")],
           [vi("x", [2, 3])], [vi("y", None)]), {"x": x},
     [("y", np.maximum(x, 0))])
runs("graph_unused_input", C, "a second graph input nobody reads",
     model([node("Relu", ["x"], ["y"])], [vi("x", [2, 3]), vi("u", [4])],
           [vi("y", None)]), {"x": x, "u": np.zeros(4)},
     [("y", np.maximum(x, 0))])
runs("graph_unused_initializer", C, "an initializer nobody reads",
     model([node("Relu", ["x"], ["y"])], [vi("x", [2, 3])], [vi("y", None)],
           [init("unused", rand(100))]), {"x": x}, [("y", np.maximum(x, 0))])
runs("graph_input_with_initializer_default", C,
     "an initializer that is also a graph input: Anvil compiles it as the "
     "constant it holds (docs/INTERFACES.md), so the library's only input "
     "is x",
     model([node("Add", ["x", "b"], ["y"])], [vi("x", [3]), vi("b", [3])],
           [vi("y", None)], [init("b", np.array([1, 2, 3], np.float32))]),
     {"x": np.ones(3)}, [("y", np.array([2, 3, 4.0]))])
runs("graph_duplicate_node_names", C, "two nodes with the same name",
     model([node("Relu", ["x"], ["t"], name="same"),
            node("Neg", ["t"], ["y"], name="same")],
           [vi("x", [2, 3])], [vi("y", None)]), {"x": x},
     [("y", -np.maximum(x, 0))])
runs("graph_empty_node_names", C, "nodes without names",
     model([node("Relu", ["x"], ["t"], name=" "),
            helper.make_node("Neg", ["t"], ["y"])],
           [vi("x", [2, 3])], [vi("y", None)]), {"x": x},
     [("y", -np.maximum(x, 0))])
runs("graph_optional_output_omitted", C, "Dropout with its mask output ''",
     model([node("Dropout", ["x"], ["y", ""])], [vi("x", [2, 3])],
           [vi("y", None)]), {"x": x}, [("y", x)])
runs("graph_optional_input_omitted", C, "Clip(x, '', max)",
     model([node("Clip", ["x", "", "hi"], ["y"])], [vi("x", [2, 3])],
           [vi("y", None)], [init("hi", np.array(0.5, np.float32))]),
     {"x": x}, [("y", np.minimum(x, 0.5))])
err("graph_output_untyped", C, "a graph output without a type (ONNX "
    "requires one)", model([node("Relu", ["x"], ["y"])], [vi("x", [2, 3])],
                           [onnx.ValueInfoProto(name="y")]), [r"\by\b"])
runs("graph_value_info_stranger", C, "value_info for a tensor that does not "
     "exist",
     model([node("Relu", ["x"], ["y"])], [vi("x", [2, 3])], [vi("y", None)],
           value_info=[vi("stranger", [9])]), {"x": x},
     [("y", np.maximum(x, 0))])
runs("graph_same_value_two_outputs_distinct", C, "one value feeding two "
     "graph outputs through Identity",
     model([node("Relu", ["x"], ["t"]),
            node("Identity", ["t"], ["y1"], name="i1"),
            node("Identity", ["t"], ["y2"], name="i2")],
           [vi("x", [2, 3])], [vi("y1", None), vi("y2", None)]), {"x": x},
     [("y1", np.maximum(x, 0)), ("y2", np.maximum(x, 0))])
runs("graph_output_also_consumed", C, "a graph output that another node "
     "also reads",
     model([node("Relu", ["x"], ["t"]), node("Neg", ["t"], ["y"])],
           [vi("x", [2, 3])], [vi("t", None), vi("y", None)]), {"x": x},
     [("t", np.maximum(x, 0)), ("y", -np.maximum(x, 0))])
chain = [node("Neg", ["x" if i == 0 else "t%d" % (i - 1)],
              ["t%d" % i if i < 299 else "y"], name="n%d" % i)
         for i in range(300)]
runs("graph_long_chain", C, "300 Neg nodes in a chain",
     model(chain, [vi("x", [2, 3])], [vi("y", None)]), {"x": x}, [("y", x)])
m = model([node("Add", ["x", "sp"], ["y"])], [vi("x", [4])], [vi("y", None)])
sp = m.graph.sparse_initializer.add()
sp.values.CopyFrom(helper.make_tensor("sp", F, [2], [5.0, 7.0]))
sp.indices.CopyFrom(helper.make_tensor("sp_i", I64, [2], [1, 3]))
sp.dims.extend([4])
err("graph_sparse_initializer", C, "a sparse initializer (legal ONNX; "
    "refused by name: Anvil reads dense initializers)", m,
    [r"\bsp\b", r"(?i)sparse"])

# ===========================================================================
# Class: external — external-data tricks
# ===========================================================================
C = "external"
EXT_W = np.arange(12, dtype=np.float32)


def ext_model(location, offset=None, length=None, extra=(), data_type=F,
              dims=(12,), raw=None):
    t = onnx.TensorProto(name="w", data_type=data_type, dims=list(dims))
    t.data_location = TensorProto.EXTERNAL
    for k, v in ((("location", location),) +
                 ((("offset", str(offset)),) if offset is not None else ()) +
                 ((("length", str(length)),) if length is not None else ()) +
                 tuple(extra)):
        e = t.external_data.add()
        e.key, e.value = k, v
    if raw is not None:
        t.raw_data = raw
    return model([node("Add", ["x", "w"], ["y"])], [vi("x", list(dims))],
                 [vi("y", None)], [t])


def ext_file(cid, name, data):
    p = os.path.join(case_dir(cid), name)
    os.makedirs(os.path.dirname(p), exist_ok=True)
    with open(p, "wb") as f:
        f.write(data)
    return p


def outside_file(cid):
    # A sibling of the model's folder: "../<cid>_outside.bin".
    p = os.path.join(case_dir(cid), "outside.bin")
    with open(p, "wb") as f:
        f.write(EXT_W.tobytes())
    return p


def ext_case(cid, loc, desc, res, setup=None, **kw):
    if setup:
        setup(cid)
    m = ext_model(loc, **kw)
    os.makedirs(os.path.join(case_dir(cid), "model"), exist_ok=True)
    err(cid, C, desc, m, [r"\bw\b"] + res, fname="model/m.onnx",
        args=["{case}/model/m.onnx", "-o", "{out}/libm.so"])


ext_case("ext_dotdot", "../outside.bin", "location '../outside.bin'",
         [r"outside|escape|\.\."], setup=outside_file)
ext_case("ext_dotdot_deep", "sub/../../outside.bin",
         "location 'sub/../../outside.bin'", [r"outside|escape|\.\."],
         setup=lambda c: (outside_file(c), os.makedirs(
             os.path.join(case_dir(c), "model", "sub"), exist_ok=True)))
ext_case("ext_absolute", "/etc/passwd", "location '/etc/passwd'",
         [r"absolute|outside"])
ext_case("ext_dev_zero", "/dev/zero", "location '/dev/zero' (absolute)",
         [r"absolute|outside|device|regular"])


def symlink_out(cid, target="../outside.bin"):
    outside_file(cid)
    os.makedirs(os.path.join(case_dir(cid), "model"), exist_ok=True)
    os.symlink(target, os.path.join(case_dir(cid), "model", "link.bin"))


ext_case("ext_symlink_out", "link.bin", "location is a symlink to "
         "../outside.bin", [r"outside|symlink|resolves"], setup=symlink_out)
ext_case("ext_symlink_dev_zero", "link.bin", "location is a symlink to "
         "/dev/zero", [r"outside|device|regular|resolves"],
         setup=lambda c: symlink_out(c, "/dev/zero"))
ext_case("ext_symlink_loop", "loop.bin", "location is a symlink loop",
         [r"loop\.bin"], setup=lambda c: (
             os.makedirs(os.path.join(case_dir(c), "model"), exist_ok=True),
             os.symlink("loop2.bin", os.path.join(case_dir(c), "model",
                                                  "loop.bin")),
             os.symlink("loop.bin", os.path.join(case_dir(c), "model",
                                                 "loop2.bin"))))


def fifo(cid):
    os.makedirs(os.path.join(case_dir(cid), "model"), exist_ok=True)
    os.mkfifo(os.path.join(case_dir(cid), "model", "data.fifo"))


ext_case("ext_fifo", "data.fifo", "location is a FIFO with no writer "
         "(must not hang)", [r"data\.fifo", r"(?i)regular|fifo|pipe|not a file"],
         setup=fifo)
ext_case("ext_directory", "sub", "location is a directory",
         [r"directory|regular"], setup=lambda c: os.makedirs(
             os.path.join(case_dir(c), "model", "sub"), exist_ok=True))
ext_case("ext_missing", "nothere.bin", "location does not exist",
         [r"nothere\.bin"])
ext_case("ext_empty_location", "", "location ''",
         [r"(?i)location|empty|external"])
ext_case("ext_dot_location", ".", "location '.' (the folder itself)",
         [r"directory|regular|\."])


def data_file(cid, n=48):
    os.makedirs(os.path.join(case_dir(cid), "model"), exist_ok=True)
    with open(os.path.join(case_dir(cid), "model", "w.bin"), "wb") as f:
        f.write(EXT_W.tobytes()[:n] if n <= 48 else
                EXT_W.tobytes() + b"\0" * (n - 48))


ext_case("ext_offset_beyond_file", "w.bin", "offset 1000 of a 48-byte file",
         [r"offset|beyond|past|end"], setup=data_file, offset=1000)
ext_case("ext_length_beyond_file", "w.bin", "length 4800 of a 48-byte file",
         [r"length|beyond|past|end|holds"], setup=data_file, length=4800)
ext_case("ext_offset_plus_length_overflow", "w.bin",
         "offset 2^63-8 + length 48 (overflows)",
         [r"offset|length|overflow|beyond|past"], setup=data_file,
         offset=INT64_MAX - 7, length=48)
ext_case("ext_offset_negative", "w.bin", "offset '-16'",
         [r"offset"], setup=data_file, offset=-16)
ext_case("ext_offset_not_a_number", "w.bin", "offset 'sixteen'",
         [r"offset"], setup=data_file, offset="sixteen")
ext_case("ext_offset_huge_number", "w.bin", "offset 99999999999999999999999",
         [r"offset"], setup=data_file, offset=99999999999999999999999)
ext_case("ext_length_short", "w.bin", "length 40 for 48 bytes of data",
         [r"length|bytes|needs"], setup=data_file, length=40)
ext_case("ext_file_short", "w.bin", "a 20-byte file for a 48-byte tensor",
         [r"bytes|short|needs|end"], setup=lambda c: data_file(c, 20))
ext_case("ext_file_long_no_length", "w.bin", "a 4096-byte file, no "
         "length, for a 48-byte tensor", [r"bytes|needs|length|size"],
         setup=lambda c: data_file(c, 4096))
t = ext_model("x", extra=())
del t.graph.initializer[0].external_data[:]
e = t.graph.initializer[0].external_data.add()
e.key, e.value = "offset", "0"
os.makedirs(os.path.join(case_dir("ext_no_location_key"), "model"),
            exist_ok=True)
err("ext_no_location_key", C, "external data without a 'location' key", t,
    [r"\bw\b", r"(?i)location"], fname="model/m.onnx",
    args=["{case}/model/m.onnx", "-o", "{out}/libm.so"])
ext_case("ext_also_raw_data", "w.bin", "EXTERNAL data that also has raw_data",
         [r"raw|external"], setup=data_file, raw=EXT_W.tobytes())


def ext_runs(cid, desc, loc, setup, m_kw=None, subdir=""):
    setup(cid)
    m = ext_model(loc, **(m_kw or {}))
    os.makedirs(os.path.join(case_dir(cid), "model"), exist_ok=True)
    x = rand(12)
    runs(cid, C, desc, m, {"x": x}, [("y", x + EXT_W)], fname="model/m.onnx",
         args=["{case}/model/m.onnx", "-o", "{out}/libm.so"])


ext_runs("ext_ok_plain", "external data in the model's folder", "w.bin",
         data_file)
ext_runs("ext_ok_offset", "external data at offset 64, with length",
         "w.bin", lambda c: (os.makedirs(os.path.join(case_dir(c), "model"),
                                         exist_ok=True),
                             ext_file(c, "model/w.bin",
                                      b"\x55" * 64 + EXT_W.tobytes())),
         dict(offset=64, length=48))
ext_runs("ext_ok_subdir", "external data in a subfolder", "data/w.bin",
         lambda c: ext_file(c, "model/data/w.bin", EXT_W.tobytes()))
ext_runs("ext_ok_symlink_inside", "a symlink to a file inside the folder",
         "link.bin", lambda c: (data_file(c), os.symlink(
             "w.bin", os.path.join(case_dir(c), "model", "link.bin"))))
ext_runs("ext_ok_checksum_key", "an unknown 'checksum' key is ignored",
         "w.bin", data_file, dict(extra=(("checksum", "abc"),)))
ext_runs("ext_ok_dotdot_inside", "'sub/../w.bin' stays inside the folder",
         "sub/../w.bin", lambda c: (data_file(c), os.makedirs(
             os.path.join(case_dir(c), "model", "sub"), exist_ok=True)))

# ===========================================================================
# Class: numerics — NaN/Inf/denormals, integer folds
# ===========================================================================
C = "numerics"
specials = np.array([np.nan, np.inf, -np.inf, 0.0, -0.0, 1e-45, 3e38, -1.0],
                    np.float32)
for op, fn in (("Add", lambda a: a + np.float32(1)),
               ("Mul", lambda a: a * np.float32(2)),
               ("Div", lambda a: np.float32(1) / a),
               ("Sub", lambda a: a - a)):
    with np.errstate(all="ignore"):
        exp = fn(specials)
    k = {"Add": 1.0, "Mul": 2.0, "Div": None, "Sub": None}[op]
    if op == "Div":
        m = model([node("Div", ["one", "x"], ["y"])], [vi("x", [8])],
                  [vi("y", None)], [init("one", np.array([1], np.float32))])
    elif op == "Sub":
        m = model([node("Sub", ["x", "x"], ["y"])], [vi("x", [8])],
                  [vi("y", None)])
    else:
        m = model([node(op, ["x", "k"], ["y"])], [vi("x", [8])],
                  [vi("y", None)], [init("k", np.array([k], np.float32))])
    runs("num_specials_%s" % op.lower(), C,
         "%s on NaN, +-Inf, +-0, a denormal, 3e38" % op, m, {"x": specials},
         [("y", exp)], atol=0)
with np.errstate(all="ignore"):
    for op, fn in (("Exp", np.exp), ("Log", np.log), ("Sqrt", np.sqrt),
                   ("Sigmoid", lambda a: sigmoid(a)), ("Tanh", np.tanh),
                   ("Neg", np.negative), ("Abs", np.abs)):
        runs("num_specials_%s" % op.lower(), C,
             "%s on NaN, +-Inf, +-0, a denormal, 3e38, -1" % op, unary(
                 op, shape=(8,)), {"x": specials},
             [("y", fn(specials.astype(np.float64)).astype(np.float32))],
             atol=1e-30)
    big = np.array([[1e30, 0, -1e30], [88.0, 89.0, 90.0],
                    [-np.inf, 0, 1]], np.float32)
    e = np.exp(big.astype(np.float64) - big.max(1, keepdims=True))
    runs("num_softmax_extremes", C, "Softmax on 1e30, 89, -inf rows "
         "(max-subtracted: finite)",
         unary("Softmax", shape=(3, 3), axis=1), {"x": big},
         [("y", e / e.sum(1, keepdims=True))])
    runs("num_exp_overflow", C, "Exp of 100 is +inf, of -200 is 0",
         unary("Exp", shape=(2,)), {"x": np.array([100, -200], np.float32)},
         [("y", np.array([np.inf, 0.0]))], atol=0)
den = np.array([1e-39, -1e-40, 1.4e-45, 1e-38], np.float32)
runs("num_denormal_add", C, "Add of denormals (no flush to zero)",
     model([node("Add", ["x", "x"], ["y"])], [vi("x", [4])], [vi("y", None)]),
     {"x": den}, [("y", den + den)], atol=0, rtol=0)
runs("num_denormal_const_mul", C, "x * a denormal constant folded weight",
     model([node("Mul", ["x", "k"], ["y"])], [vi("x", [4])], [vi("y", None)],
           [init("k", np.full(4, 1e-39, np.float32))]),
     {"x": np.array([1, 2, -1, 0.5], np.float32)},
     [("y", np.array([1, 2, -1, 0.5], np.float32) * np.float32(1e-39))],
     atol=0, rtol=1e-6)
runs("num_nan_constant_fold", C, "Add(NaN const, 1 const) folded, then + x",
     model([node("Add", ["a", "b"], ["c"], name="fold"),
            node("Add", ["x", "c"], ["y"])], [vi("x", [3])], [vi("y", None)],
           [init("a", np.array([np.nan, np.inf, 1], np.float32)),
            init("b", np.array([1, -np.inf, 1], np.float32))]),
     {"x": np.ones(3)}, [("y", np.array([np.nan, np.nan, 3.0]))], atol=0)
runs("num_float_fold_overflow", C, "3e38 * 10 folded to +inf",
     model([node("Mul", ["a", "b"], ["c"], name="fold"),
            node("Add", ["x", "c"], ["y"])], [vi("x", [1])], [vi("y", None)],
           [init("a", np.array([3e38], np.float32)),
            init("b", np.array([10], np.float32))]),
     {"x": np.ones(1)}, [("y", np.array([np.inf]))], atol=0)
runs("num_batchnorm_negative_var", C, "BatchNormalization with a "
     "negative variance gives NaN",
     model([node("BatchNormalization", ["x", "s", "b", "m", "v"], ["y"],
                 epsilon=1e-5)], [vi("x", [1, 2, 1, 1])], [vi("y", None)],
           [init("s", np.ones(2, np.float32)),
            init("b", np.zeros(2, np.float32)),
            init("m", np.zeros(2, np.float32)),
            init("v", np.array([-1, 1], np.float32))]),
     {"x": np.ones((1, 2, 1, 1))},
     [("y", np.array([np.nan, 1 / np.sqrt(1 + 1e-5)]).reshape(1, 2, 1, 1))])


def int_fold(cid, desc, op, a, b, expect, dtype=np.int64, **attrs):
    """op(a, b) on integer constants, cast to float and added to x."""
    ins = ["a"] if b is None else ["a", "b"]
    inits = [init("a", np.array(a, dtype))]
    if b is not None:
        inits.append(init("b", np.array(b, dtype)))
    m = model([node(op, ins, ["c"], name="the_fold", **attrs),
               node("Cast", ["c"], ["cf"], name="cast", to=F),
               node("Add", ["x", "cf"], ["y"], name="add")],
              [vi("x", [len(np.atleast_1d(a))])], [vi("y", None)], inits)
    if isinstance(expect, str):
        err(cid, C, desc, m, NODE("the_fold", op) + [expect])
    else:
        n = len(np.atleast_1d(a))
        runs(cid, C, desc, m, {"x": np.zeros(n)},
             [("y", np.asarray(expect, np.float64))], atol=0, rtol=0)


int_fold("num_int_div_min_by_minus1", "Div(INT64_MIN, -1) folded wraps to "
         "INT64_MIN", "Div", [INT64_MIN], [-1], [float(INT64_MIN)])
int_fold("num_int_div_by_zero", "int64 Div(7, 0) folded", "Div", [7], [0],
         r"(?i)zero")
int_fold("num_int32_div_by_zero", "int32 Div(7, 0) folded", "Div", [7], [0],
         r"(?i)zero", dtype=np.int32)
int_fold("num_int32_div_min_by_minus1", "int32 Div(INT32_MIN, -1) wraps",
         "Div", [-2**31], [-1], [-2.0**31], dtype=np.int32)
int_fold("num_int_add_overflow", "Add(INT64_MAX, 1) folded wraps", "Add",
         [INT64_MAX], [1], [float(INT64_MIN)])
int_fold("num_int_sub_overflow", "Sub(INT64_MIN, 1) folded wraps", "Sub",
         [INT64_MIN], [1], [float(INT64_MAX)])
int_fold("num_int_mul_overflow", "Mul(2^32, 2^32) folded wraps to 0", "Mul",
         [2**32], [2**32], [0.0])
int_fold("num_int32_mul_overflow", "int32 Mul(65536, 65536) wraps to 0",
         "Mul", [65536], [65536], [0.0], dtype=np.int32)
int_fold("num_int_neg_min", "Neg(INT64_MIN) folded wraps to INT64_MIN", "Neg",
         [INT64_MIN], None, [float(INT64_MIN)])
int_fold("num_int_abs_min", "Abs(INT64_MIN) folded wraps to INT64_MIN", "Abs",
         [INT64_MIN], None, [float(INT64_MIN)])
int_fold("num_int_pow_overflow", "Pow(2, 64) on int64 folded wraps to 0",
         "Pow", [2], [64], [0.0])
int_fold("num_int_pow_negative_exp", "Pow(2, -1) on int64 folded", "Pow",
         [2], [-1], r"(?i)negative|integer|exponent|range")
int_fold("num_int_pow_ok", "Pow(3, 4) on int64 = 81", "Pow", [3, -2],
         [4, 3], [81, -8])
int_fold("num_int_mul_ok", "Mul of large int64s that fit", "Mul",
         [2**31, -3], [2**31, 3], [2.0**62, -9])
int_fold("num_int_div_trunc", "int64 Div(7, 2) and Div(-7, 2) truncate",
         "Div", [7, -7], [2, 2], [3, -3])
int_fold("num_int_sum_ok", "Sum of three int64 constants", "Add",
         [INT64_MAX - 1], [1], [float(INT64_MAX)])
int_fold("num_int8_add_overflow", "int8 Add(127, 1) wraps to -128", "Add",
         [127], [1], [-128.0], dtype=np.int8)
int_fold("num_uint8_sub_underflow", "uint8 Sub(0, 1) wraps to 255", "Sub",
         [0], [1], [255.0], dtype=np.uint8)
# ONNX leaves these casts undefined; Anvil saturates to the type's range
# and maps NaN to 0 (compiler/onnx/HostTensor.h floatToInt).
for cid, val, to, name, want in (
        ("num_cast_nan_to_int", np.nan, I64, "NaN", 0.0),
        ("num_cast_inf_to_int", np.inf, I64, "Inf", float(INT64_MAX)),
        ("num_cast_1e20_to_int32", 1e20, TensorProto.INT32, "1e20",
         float(2**31 - 1))):
    m = model([node("Cast", ["a"], ["c"], name="the_cast", to=to),
               node("Cast", ["c"], ["cf"], name="back", to=F),
               node("Add", ["x", "cf"], ["y"], name="add")],
              [vi("x", [1])], [vi("y", None)],
              [init("a", np.array([val], np.float32))])
    runs(cid, C, "Cast of the constant %s to an integer saturates" % name,
         m, {"x": np.zeros(1)}, [("y", np.array([want]))], atol=0, rtol=0)
m = model([node("Cast", ["a"], ["c"], name="the_cast", to=I64),
           node("Cast", ["c"], ["cf"], name="back", to=F),
           node("Add", ["x", "cf"], ["y"], name="add")],
          [vi("x", [4])], [vi("y", None)],
          [init("a", np.array([2.7, -2.7, 0.5, 1e10], np.float32))])
runs("num_cast_float_to_int_truncates", C, "Cast 2.7, -2.7, 0.5, 1e10 to "
     "int64 truncates toward zero", m, {"x": np.zeros(4)},
     [("y", np.array([2, -2, 0, 1e10]))], atol=0, rtol=0)
x = rand(6, lo=0.1, hi=3)
runs("num_pow_float_int_exponent", C, "Pow(x, int64 2): the exponent is an "
     "integer tensor",
     model([node("Pow", ["x", "e"], ["y"])], [vi("x", [6])], [vi("y", None)],
           [init("e", np.array(2, np.int64))]), {"x": x},
     [("y", x.astype(np.float64) ** 2)])
runs("num_pow_half", C, "Pow(x, 0.5)",
     model([node("Pow", ["x", "e"], ["y"])], [vi("x", [6])], [vi("y", None)],
           [init("e", np.array(0.5, np.float32))]), {"x": x},
     [("y", np.sqrt(x.astype(np.float64)))])
with np.errstate(all="ignore"):
    pin = np.array([-2, -8, 0, 4], np.float32)
    runs("num_pow_negative_base", C, "Pow(-2, 3) = -8, Pow(-8, 1/3) = NaN",
         model([node("Pow", ["x", "e"], ["y"])], [vi("x", [4])],
               [vi("y", None)],
               [init("e", np.array([3, 1 / 3, -1, 0.5], np.float32))]),
         {"x": pin},
         [("y", np.power(pin.astype(np.float64),
                         np.array([3, 1 / 3, -1, 0.5], np.float32)))],
         atol=0)
x = rand(2, 3)
runs("num_shape_arithmetic", C, "Shape -> Gather -> Mul -> Concat -> "
     "Reshape (PyTorch's flatten)",
     model([node("Shape", ["x"], ["s"]),
            node("Gather", ["s", "i0"], ["d0"], axis=0),
            node("Gather", ["s", "i1"], ["d1"], name="g1", axis=0),
            node("Mul", ["d0", "d1"], ["p"]),
            node("Unsqueeze", ["p", "ax"], ["pu"]),
            node("Reshape", ["x", "pu"], ["y"])],
           [vi("x", [2, 3])], [vi("y", None)],
           [init("i0", np.array(0, np.int64)),
            init("i1", np.array(1, np.int64)),
            init("ax", np.array([0], np.int64))]), {"x": x},
     [("y", x.reshape(6))])

# ===========================================================================
# Class: opsets — old, new, unknown opsets and domains
# ===========================================================================
C = "opsets"
x = rand(2, 3)
for v in (1, 5, 6):
    runs("opset_%d_relu" % v, C, "Relu + Add at opset %d (upgraded)" % v,
         model([node("Relu", ["x"], ["t"]),
                node("Add", ["t", "x"], ["y"])],
               [vi("x", [2, 3])], [vi("y", None)], opset=v), {"x": x},
         [("y", np.maximum(x, 0) + x)])
runs("opset_1_broadcast_attr", C, "opset 1 Add with broadcast=1",
     model([node("Add", ["x", "b"], ["y"], broadcast=1)], [vi("x", [2, 3])],
           [vi("y", None)], [init("b", np.array([1, 2, 3], np.float32))],
           opset=1, ir=4), {"x": x}, [("y", x + np.array([1, 2, 3]))])
for v in (0, -1, 18, 99, INT64_MAX):
    err("opset_%s" % str(v).replace("-", "minus"), C,
        "default-domain opset %d" % v, model([node("Relu", ["x"], ["y"])],
                                            [vi("x", [2])], [vi("y", None)],
                                            opset=v),
        [r"(?i)opset", esc(str(v))])
xx = rand(2, 3, 4)
e11 = np.exp(xx.reshape(2, 12) - xx.reshape(2, 12).max(1, keepdims=True))
e13 = np.exp(xx - xx.max(1, keepdims=True))
runs("opset_11_softmax_semantics", C, "Softmax axis 1 of [2,3,4] at opset "
     "11 (flattens to [2,12])", unary("Softmax", shape=(2, 3, 4), axis=1,
                                      opset=11), {"x": xx},
     [("y", (e11 / e11.sum(1, keepdims=True)).reshape(2, 3, 4))])
runs("opset_13_softmax_semantics", C, "Softmax axis 1 of [2,3,4] at "
     "opset 13 (one axis)", unary("Softmax", shape=(2, 3, 4), axis=1,
                                  opset=13), {"x": xx},
     [("y", e13 / e13.sum(1, keepdims=True))])
runs("opset_6_clip_attrs", C, "Clip with min/max attributes at opset 6",
     unary("Clip", opset=6, min=-0.5, max=0.5), {"x": x},
     [("y", np.clip(x, -0.5, 0.5))])
runs("opset_extra_domains_unused", C, "imports of ai.onnx.ml and "
     "com.microsoft that no node uses",
     model([node("Relu", ["x"], ["y"])], [vi("x", [2, 3])], [vi("y", None)],
           opsets=[helper.make_opsetid("", 13),
                   helper.make_opsetid("ai.onnx.ml", 3),
                   helper.make_opsetid("com.microsoft", 1)]), {"x": x},
     [("y", np.maximum(x, 0))])
runs("opset_explicit_ai_onnx_domain", C, "nodes in domain 'ai.onnx' "
     "(the default domain's other spelling)",
     model([node("Relu", ["x"], ["y"], domain="ai.onnx")], [vi("x", [2, 3])],
           [vi("y", None)], opsets=[helper.make_opsetid("ai.onnx", 13)]),
     {"x": x}, [("y", np.maximum(x, 0))])
err("opset_ml_domain_op", C, "an ai.onnx.ml Normalizer node",
    model([node("Normalizer", ["x"], ["y"], name="norm", domain="ai.onnx.ml",
                norm="MAX")], [vi("x", [2, 3])], [vi("y", None)],
          opsets=[helper.make_opsetid("", 13),
                  helper.make_opsetid("ai.onnx.ml", 3)]),
    NODE("norm", "Normalizer"))
err("opset_duplicate_default", C, "two imports of the default domain "
    "(13 and 11)",
    model([node("Relu", ["x"], ["y"])], [vi("x", [2])], [vi("y", None)],
          opsets=[helper.make_opsetid("", 13), helper.make_opsetid("", 11)]),
    [r"(?i)opset|domain|duplicate"])
err("opset_op_too_new", C, "Range (since opset 11) in an opset 10 model",
    model([node("Range", ["a", "b", "d"], ["r"]),
           node("Add", ["x", "r"], ["y"], name="add")],
          [vi("x", [3])], [vi("y", None)],
          [init("a", np.array(0, np.float32)),
           init("b", np.array(3, np.float32)),
           init("d", np.array(1, np.float32))], opset=10),
    NODE("the_range", "Range"))
err("opset_op_removed", C, "Upsample (deprecated since 10) at opset 13",
    model([node("Upsample", ["x", "s"], ["y"], mode="nearest")],
          [vi("x", [1, 1, 2, 2])], [vi("y", None)],
          [init("s", np.array([1, 1, 2, 2], np.float32))], opset=13),
    NODE("the_upsample", "Upsample"))
err("opset_ir_too_old_for_opset", C, "IR version 3 with opset 17 and "
    "initializers that are not inputs (needs IR 4)",
    model([node("Add", ["x", "b"], ["y"])], [vi("x", [2])], [vi("y", None)],
          [init("b", np.ones(2, np.float32))], opset=17, ir=3),
    [r"(?i)ir.?version|\bb\b|initializer|input"])

# ===========================================================================
# Class: cli — anvilc command-line misuse
# ===========================================================================
C = "cli"
RELU = model([node("Relu", ["x"], ["y"], name="relu")], [vi("x", [2, 3])],
             [vi("y", None)])
DYN = model([node("Relu", ["x"], ["y"], name="relu")], [vi("x", ["N", 3])],
            [vi("y", None)])


def cli_model(cid, m=RELU, fname="m.onnx"):
    write_model(cid, m, fname)
    return "{case}/" + fname


for cid, desc, extra, res in (
    ("cli_unknown_flag", "an unknown flag", ["--frobnicate"],
     [r"--frobnicate"]),
    ("cli_single_dash_flag", "'-x', an unknown short flag", ["-x"],
     [r"-x"]),
    ("cli_bad_emit", "--emit=ll", ["--emit=ll"], [r"--emit", r"\bll\b"]),
    ("cli_bad_compile_to", "--compile-to=everything",
     ["--compile-to=everything"], [r"--compile-to", r"everything"]),
    ("cli_from_onnx", "--from=plan on an ONNX input", ["--from=plan"],
     [r"--from"]),
    ("cli_from_object", "--from=object", ["--from=object"], [r"--from"]),
    ("cli_threads_negative", "--threads-default -1",
     ["--threads-default", "-1"], [r"--threads-default"]),
    ("cli_threads_text", "--threads-default lots",
     ["--threads-default=lots"], [r"--threads-default", r"lots"]),
    ("cli_threads_huge", "--threads-default 99999999999999999999",
     ["--threads-default=99999999999999999999"], [r"--threads-default"]),
    ("cli_target_bogus", "--target=pentium9", ["--target=pentium9"],
     [r"pentium9"]),
    ("cli_target_empty", "--target=", ["--target="], [r"--target"]),
    ("cli_target_list_with_bogus", "--target=x86-64-v3,bogus",
     ["--target=x86-64-v3,bogus"], [r"bogus"]),
    ("cli_target_trailing_comma", "--target=x86-64-v3,",
     ["--target=x86-64-v3,"], [r"(?i)--target|empty|target"]),
    ("cli_target_bad_feature", "--target=x86-64-v3+nosuchfeature",
     ["--target=x86-64-v3+nosuchfeature"], [r"nosuchfeature"]),
    ("cli_target_arm", "--target=cortex-a72 (not x86-64)",
     ["--target=cortex-a72"], [r"cortex-a72"]),
    ("cli_target_injection", "--target with shell/flag injection",
     ["--target=x86-64-v3 -fplugin=/tmp/evil.so"], [r"(?i)target"]),
    ("cli_name_digit", "--name=9lives", ["--name=9lives"], [r"9lives"]),
    ("cli_name_empty", "--name=", ["--name="], [r"(?i)--name|name"]),
    ("cli_name_dash", "--name=my-model", ["--name=my-model"],
     [r"my-model"]),
    ("cli_name_timer", "--name=timer (clashes with timer_create)",
     ["--name=timer"], [r"timer_create"]),
    ("cli_name_pthread", "--name=pthread", ["--name=pthread"],
     [r"pthread_create"]),
    ("cli_name_space", "--name='a b'", ["--name=a b"], [r"a b"]),
    ("cli_shape_no_equals", "--shape x", ["--shape", "x"], [r"--shape"]),
    ("cli_shape_empty_dims", "--shape x=", ["--shape", "x="], [r"--shape"]),
    ("cli_shape_letters", "--shape x=axb", ["--shape", "x=axb"],
     [r"--shape|axb"]),
    ("cli_shape_trailing_x", "--shape x=2x", ["--shape", "x=2x"],
     [r"--shape|2x"]),
    ("cli_shape_negative", "--shape x=-1x3", ["--shape", "x=-1x3"],
     [r"--shape|-1"]),
    ("cli_shape_unknown_input", "--shape y=2x3 (y is an output)",
     ["--shape", "y=2x3"], [r"\by\b"]),
    ("cli_shape_wrong_rank", "--shape x=2x3x4 for a rank-2 input",
     ["--shape", "x=2x3x4"], [r"\bx\b", r"(?i)rank|dims|3"]),
    ("cli_shape_conflicts_static", "--shape x=2x5 but dim 1 is 3",
     ["--shape", "x=2x5"], [r"\bx\b", r"\b3\b|\b5\b"]),
    ("cli_shape_twice_conflicting", "--shape x=2x3 and x=4x3",
     ["--shape", "x=2x3", "--shape", "x=4x3"], [r"\bx\b"]),
    ("cli_shape_dim_overflow", "--shape x=99999999999999999999x3",
     ["--shape", "x=99999999999999999999x3"], [r"--shape|x="]),
    ("cli_two_outputs", "-o given twice", ["-o", "{out}/other.so"],
     [r"(?i)output"]),
    ("cli_missing_o_value", "-o at the end without a value", ["-o"],
     [r"-o"]),
):
    m = DYN if cid.startswith("cli_shape") and "static" not in cid and \
        "wrong_rank" not in cid else RELU
    f = cli_model(cid, m)
    args = [f, "-o", "{out}/libm.so"] + extra
    if cid == "cli_missing_o_value":
        args = [f, "-o"]
    cli_err(cid, desc, args, res)

f = cli_model("cli_output_is_input")
cli_err("cli_output_is_input", "-o names the input model",
        [f, "--emit=mlir", "-o", f], [r"m\.onnx", r"(?i)input"])
f = cli_model("cli_output_is_input_dotted")
cli_err("cli_output_is_input_dotted", "-o names the input model by "
        "another spelling", [f, "--emit=mlir", "-o", "{case}/./m.onnx"],
        [r"m\.onnx", r"(?i)input"])
f = cli_model("cli_output_hardlink_to_input")
os.link(os.path.join(case_dir("cli_output_hardlink_to_input"), "m.onnx"),
        os.path.join(case_dir("cli_output_hardlink_to_input"), "h.mlir"))
cli_err("cli_output_hardlink_to_input", "-o is a hard link to the input",
        [f, "--emit=mlir", "-o", "{case}/h.mlir"],
        [r"h\.mlir", r"(?i)input|same file"])
f = cli_model("cli_output_symlink_to_input")
os.symlink("m.onnx", os.path.join(case_dir("cli_output_symlink_to_input"),
                                  "s.mlir"))
cli_err("cli_output_symlink_to_input", "-o is a symlink to the input",
        [f, "--emit=mlir", "-o", "{case}/s.mlir"],
        [r"s\.mlir", r"(?i)input|same file"])
f = cli_model("cli_output_dev_null")
cli_err("cli_output_dev_null", "-o /dev/null", [f, "-o", "/dev/null"],
        [r"/dev/null"])
f = cli_model("cli_output_directory")
os.makedirs(os.path.join(case_dir("cli_output_directory"), "dir.so"))
cli_err("cli_output_directory", "-o an existing directory",
        [f, "-o", "{case}/dir.so"], [r"dir\.so"])
f = cli_model("cli_output_fifo")
os.mkfifo(os.path.join(case_dir("cli_output_fifo"), "out.mlir"))
cli_err("cli_output_fifo", "-o a FIFO (must not hang)",
        [f, "--emit=mlir", "-o", "{case}/out.mlir"], [r"out\.mlir"])
f = cli_model("cli_output_missing_dir")
cli_err("cli_output_missing_dir", "-o inside a folder that does not exist",
        [f, "-o", "{out}/no/such/dir/libm.so"], [r"no/such/dir"])
f = cli_model("cli_output_parent_is_file")
with open(os.path.join(case_dir("cli_output_parent_is_file"), "file"),
          "w") as fh:
    fh.write("x")
cli_err("cli_output_parent_is_file", "-o under a regular file",
        [f, "-o", "{case}/file/libm.so"], [r"file/libm\.so|file"])
f = cli_model("cli_output_bad_extension")
cli_err("cli_output_bad_extension", "-o m.txt", [f, "-o", "{out}/m.txt"],
        [r"m\.txt"])
f = cli_model("cli_output_no_extension")
cli_err("cli_output_no_extension", "-o without an extension",
        [f, "-o", "{out}/model"], [r"model"])
f = cli_model("cli_cpp_to_so")
cli_err("cli_cpp_to_so", "--emit=cpp -o m.so", [f, "--emit=cpp", "-o",
                                                "{out}/m.so"], [r"m\.so"])
f = cli_model("cli_binary_to_stdout")
cli_err("cli_binary_to_stdout", "a shared library to stdout",
        [f, "-o", "-"], [r"(?i)stdout"])
f = cli_model("cli_two_inputs")
cli_err("cli_two_inputs", "two model files", [f, f, "-o", "{out}/libm.so"],
        [r"(?i)input"])
cli_err("cli_no_input", "no model", ["-o", "{out}/libm.so"],
        [r"(?i)input|model"])
f = cli_model("cli_no_output")
cli_err("cli_no_output", "no -o", [f], [r"(?i)output|-o"])
cli_err("cli_no_args", "no arguments at all", [], [r"(?i)input|usage"])
cli_err("cli_missing_model", "a model file that does not exist",
        ["{case}/nothere.onnx", "-o", "{out}/libm.so"], [r"nothere\.onnx"])
os.makedirs(os.path.join(case_dir("cli_model_is_directory"), "d.onnx"))
cli_err("cli_model_is_directory", "the model is a directory",
        ["{case}/d.onnx", "-o", "{out}/libm.so"], [r"d\.onnx"])
os.mkfifo(os.path.join(case_dir("cli_model_is_fifo"), "p.onnx"))
cli_err("cli_model_is_fifo", "the model is a FIFO with no writer (must "
        "not hang)", ["{case}/p.onnx", "-o", "{out}/libm.so"], [r"p\.onnx"])
cli_err("cli_model_dev_zero", "the model is /dev/zero (endless)",
        ["/dev/zero", "-o", "{out}/libm.so"], [r"/dev/zero"])
cli_err("cli_model_dev_null", "the model is /dev/null",
        ["/dev/null", "-o", "{out}/libm.so"], [r"/dev/null"])
cli_err("cli_model_proc_self", "the model is /proc/self/status",
        ["/proc/self/status", "-o", "{out}/libm.so"], [r"/proc/self/status"])
f = cli_model("cli_onnx_named_mlir", fname="m.mlir")
cli_err("cli_onnx_named_mlir", "an ONNX model named .mlir",
        [f, "-o", "{out}/libm.so"], [r"m\.mlir"])
with open(os.path.join(case_dir("cli_mlir_garbage"), "m.mlir"), "w") as fh:
    fh.write("func.func @main(%x: tensor<2xf32>) -> tensor<2xf32> {\n"
             "  %y = anvil.frobnicate %x\n}\n")
cli_err("cli_mlir_garbage", "a .mlir file with an unknown op",
        ["{case}/m.mlir", "-o", "{out}/libm.so"], [r"m\.mlir"])
with open(os.path.join(case_dir("cli_mlir_not_anvil"), "m.mlir"), "w") as fh:
    fh.write("func.func @main(%x: tensor<2xi32>) -> tensor<2xi32> {\n"
             "  %y = arith.addi %x, %x : tensor<2xi32>\n"
             "  return %y : tensor<2xi32>\n}\n")
cli_err("cli_mlir_not_anvil", "a .mlir file with arith ops on i32",
        ["{case}/m.mlir", "-o", "{out}/libm.so"], [r"m\.mlir"])
f = cli_model("cli_tmpdir_missing")
cli_err("cli_tmpdir_missing", "TMPDIR names a folder that does not exist",
        [f, "-o", "{out}/libm.so"], [r"(?i)tmpdir|/nonexistent|temporary"],
        env={"TMPDIR": "/nonexistent/anvil-corpus"})
f = cli_model("cli_name_from_libtimer")
cli_err("cli_name_from_libtimer", "-o libtimer.so (default name 'timer')",
        [f, "-o", "{out}/libtimer.so"], [r"timer"])

x = rand(2, 3)
for cid, desc, extra in (
    ("cli_ok_target_v3", "--target=x86-64-v3", ["--target=x86-64-v3"]),
    ("cli_ok_target_fat", "--target=x86-64-v4+emulated,x86-64-v3 (fat)",
     ["--target=x86-64-v4+emulated,x86-64-v3"]),
    ("cli_ok_name_long", "a 200-character --name",
     ["--name=" + "m" * 200]),
    ("cli_ok_name_keyword", "--name=int (a C keyword as a prefix)",
     ["--name=int"]),
    ("cli_ok_o0", "--O0", ["--O0"]),
    ("cli_ok_threads_default", "--threads-default 1",
     ["--threads-default", "1"]),
    ("cli_ok_flags_after_dashdash_style", "-o glued to its value",
     []),
):
    f = cli_model(cid)
    if cid == "cli_ok_flags_after_dashdash_style":
        args = [f, "-o{out}/libm.so"]
    else:
        args = [f, "-o", "{out}/libm.so"] + extra
    runs(cid, C, desc, None, {"x": x}, [("y", np.maximum(x, 0))], args=args)
f = cli_model("cli_ok_shape_pin", DYN)
runs("cli_ok_shape_pin", C, "--shape x=4x3 pins the dynamic dim", None,
     {"x": (xp := rand(4, 3))}, [("y", np.maximum(xp, 0))],
     args=[f, "--shape", "x=4x3", "-o", "{out}/libm.so"])
f = cli_model("cli_ok_shape_pin_zero", DYN)
err("cli_ok_shape_pin_zero", C, "--shape x=0x3 (an empty batch; refused: "
    "no empty runtime tensors)", None, [r"\bempty\b", r"x=0x3"],
    args=[f, "--shape", "x=0x3", "-o", "{out}/libm.so"], fname=f,
    name_file=False)
f = cli_model("cli_ok_output_replaced")
with open(os.path.join(case_dir("cli_ok_output_replaced"), "old.so"),
          "w") as fh:
    fh.write("old contents")
runs("cli_ok_output_replaced", C, "-o an existing regular file replaces it",
     None, {"x": x}, [("y", np.maximum(x, 0))],
     args=[f, "-o", "{case}/old.so"], lib="{case}/old.so")
for cid, emit, files in (
    ("cli_ok_emit_cpp", "cpp", ["{out}/m.cpp", "{out}/m.h",
                                "{out}/m.weights.bin"]),
    ("cli_ok_emit_mlir", "mlir", ["{out}/m.mlir"]),
):
    f = cli_model(cid)
    compiles(cid, C, "--emit=%s" % emit, None,
             [f, "--emit=" + emit, "-o", files[0]], files)
f = cli_model("cli_ok_object")
compiles("cli_ok_object", C, "-o m.o writes the object and its header",
         None, [f, "-o", "{out}/m.o"], ["{out}/m.o", "{out}/m.h"])
f = cli_model("cli_ok_compile_to_import")
compiles("cli_ok_compile_to_import", C, "--compile-to=import -o x.mlir",
         None, [f, "--compile-to=import", "-o", "{out}/x.mlir"],
         ["{out}/x.mlir"])
f = cli_model("cli_ok_help")
compiles("cli_ok_help", C, "--help prints usage and exits 0", None,
         ["--help"], [], stdout=[r"usage: anvilc"])
compiles("cli_ok_print_compile_flags", C, "--print-compile-flags "
         "--target=x86-64-v3", None,
         ["--print-compile-flags", "--target=x86-64-v3"], [],
         stdout=[r"-march=x86-64-v3|x86-64-v3"])

# ===========================================================================
# Class: anvil_run — bad input files and misuse of anvil-run
# ===========================================================================
fixture("relu", RELU)
fixture("add2", model([node("Add", ["a", "b"], ["y"], name="add")],
                      [vi("a", [2, 3]), vi("b", [3])], [vi("y", None)]))
RL = "{fixture:relu}"
A2 = "{fixture:add2}"


def npy_bytes(arr, version=(1, 0), header=None):
    import io
    bio = io.BytesIO()
    if header is None:
        np.lib.format.write_array(bio, arr, version=version)
        return bio.getvalue()
    h = header.encode("latin1")
    pad = 64 - (10 + len(h) + 1) % 64
    h = h + b" " * pad + b"\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(h)) + h + \
        arr.tobytes()


GOOD = npy_bytes(np.arange(6, dtype=np.float32).reshape(2, 3))


def run_in(cid, fname, data, res, desc, model_lib=RL, name="x", extra=()):
    fname = "data" + os.path.splitext(fname)[1]
    p = os.path.join(case_dir(cid), fname)
    with open(p, "wb") as fh:
        fh.write(data)
    run_err(cid, desc, [model_lib, "--input", "%s={case}/%s" % (name, fname),
                        "--output-dir", "{out}/res"] + list(extra),
            [r"\b%s\b" % name] + res, stderr_file=fname)


MAL = r"(?i)malformed|truncated|invalid|short|header|corrupt|bytes|size"
for cut in (0, 5, 9, 40, len(GOOD) - 1, len(GOOD) - 12):
    run_in("run_npy_truncated_%d" % cut, "x.npy", GOOD[:cut],
           [MAL + (r"|not a \.npy|magic" if cut < 6 else "")],
           ".npy cut to %d of %d bytes" % (cut, len(GOOD)))
run_in("run_npy_bad_magic", "x.npy", b"\x93NUMPZ" + GOOD[6:], [MAL + "|magic"],
       ".npy with a wrong magic")
run_in("run_npy_version_9", "x.npy", GOOD[:6] + b"\x09\x00" + GOOD[8:],
       [r"(?i)version"], ".npy format version 9.0")
run_in("run_npy_header_len_huge", "x.npy",
       GOOD[:8] + struct.pack("<H", 0xFFFF) + GOOD[10:], [MAL],
       ".npy whose HEADER_LEN (65535) runs past the file")
run_in("run_npy_v2_header_len_4g", "x.npy",
       b"\x93NUMPY\x02\x00" + struct.pack("<I", 0xFFFFFFF0) + b"{" * 64,
       [MAL], ".npy v2 claiming a 4 GB header")
for tag, hdr in {
    "not_dict": "[1, 2, 3]",
    "no_descr": "{'fortran_order': False, 'shape': (2, 3), }",
    "no_shape": "{'descr': '<f4', 'fortran_order': False, }",
    "shape_negative": "{'descr': '<f4', 'fortran_order': False, "
                      "'shape': (-2, -3), }",
    "shape_huge": "{'descr': '<f4', 'fortran_order': False, "
                  "'shape': (4611686018427387904, 4), }",
    "shape_overflow": "{'descr': '<f4', 'fortran_order': False, "
                      "'shape': (4294967296, 4294967296, 16), }",
    "shape_text": "{'descr': '<f4', 'fortran_order': False, "
                  "'shape': ('two', 3), }",
    "descr_garbage": "{'descr': '<zz', 'fortran_order': False, "
                     "'shape': (2, 3), }",
    "descr_structured": "{'descr': [('a', '<f4')], 'fortran_order': False, "
                        "'shape': (2, 3), }",
    "unterminated": "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3",
    "nested_parens": "{'descr': '<f4', 'fortran_order': False, 'shape': " +
                     "(" * 2000 + ")" * 2000 + ", }",
}.items():
    run_in("run_npy_header_%s" % tag, "x.npy",
           npy_bytes(np.arange(6, dtype=np.float32), header=hdr),
           [MAL + r"|descr|shape|dtype|expects|elements"],
           ".npy header %s" % tag)
for tag, arr, res in (
    ("f64", np.zeros((2, 3)), r"<f8|float64|dtype"),
    ("i32", np.zeros((2, 3), np.int32), r"<i4|int32|dtype"),
    ("f16", np.zeros((2, 3), np.float16), r"<f2|float16|dtype"),
    ("bool", np.zeros((2, 3), bool), r"\|b1|bool|dtype"),
    ("big_endian", np.zeros((2, 3), ">f4"), r">f4|endian|dtype"),
    ("object", None, r"(?i)object|\|O|dtype|pickle"),
    ("shape_mismatch", np.zeros((3, 2), np.float32), r"\[3, 2\]|3.?x.?2|shape"),
    ("rank_mismatch", np.zeros((6,), np.float32), r"\[6\]|shape"),
    ("too_few_elements", np.zeros((2, 2), np.float32), r"shape|elements"),
    ("scalar", np.zeros((), np.float32), r"shape|\[\]|scalar"),
    ("fortran", np.asfortranarray(np.zeros((2, 3), np.float32)),
     r"(?i)fortran"),
):
    if tag == "object":
        data = npy_bytes(np.zeros(6, np.float32),
                         header="{'descr': '|O', 'fortran_order': False, "
                                "'shape': (2, 3), }")
    else:
        data = npy_bytes(arr)
    run_in("run_npy_%s" % tag, "x.npy", data, [res], ".npy of %s" % tag)
run_in("run_npy_trailing_garbage", "x.npy", GOOD + b"\0" * 7,
       [MAL + r"|trailing|extra|size"], ".npy with 7 bytes after its data")
t = numpy_helper.from_array(np.zeros((2, 3), np.float32), "x")
PB = t.SerializeToString()
for tag, data, res in (
    ("truncated", PB[:7], r"(?i)TensorProto|valid|truncated|malformed"),
    ("garbage", b"\xff" * 40, r"(?i)TensorProto|valid|malformed"),
    ("int64", numpy_helper.from_array(np.zeros((2, 3), np.int64),
                                      "x").SerializeToString(),
     r"INT64|int64"),
    ("shape_mismatch", numpy_helper.from_array(np.zeros((3, 2), np.float32),
                                               "x").SerializeToString(),
     r"shape|\[3, 2\]"),
    ("raw_short", None, r"(?i)bytes|raw|short|size|elements"),
    ("float_data_short", None, r"(?i)values|float_data|elements|size"),
    ("negative_dims", None, r"(?i)dim|shape|-2|negative"),
    ("huge_dims", None, r"(?i)dim|shape|overflow|large|elements|size"),
    ("external", None, r"(?i)external"),
    ("model_proto", BASE_BYTES, r"(?i)TensorProto|valid|shape|type"),
    ("empty", b"", r"(?i)TensorProto|valid|empty|shape|elements"),
):
    if data is None:
        t = onnx.TensorProto(name="x", data_type=F, dims=[2, 3])
        if tag == "raw_short":
            t.raw_data = b"\0" * 20
        elif tag == "float_data_short":
            t.float_data.extend([1.0] * 5)
        elif tag == "negative_dims":
            del t.dims[:]
            t.dims.extend([-2, -3])
            t.raw_data = b"\0" * 24
        elif tag == "huge_dims":
            del t.dims[:]
            t.dims.extend([2**40, 2**40])
        elif tag == "external":
            t.data_location = TensorProto.EXTERNAL
            e = t.external_data.add()
            e.key, e.value = "location", "/etc/passwd"
        data = t.SerializeToString()
    run_in("run_pb_%s" % tag, "x.pb", data, [res], ".pb %s" % tag)

os.makedirs(os.path.join(case_dir("run_input_is_directory"), "d.npy"))
run_err("run_input_is_directory", "an input file that is a directory",
        [RL, "--input", "x={case}/d.npy"], [r"d\.npy"])
run_err("run_input_missing", "an input file that does not exist",
        [RL, "--input", "x={case}/none.npy"], [r"none\.npy"])
run_err("run_input_dev_zero", "/dev/zero as an input (endless)",
        [RL, "--input", "x=/dev/zero", "--output-dir", "{out}/res"],
        [r"/dev/zero"])
run_err("run_input_unknown_name", "--input for a name the model lacks",
        [RL, "--input", "nope={case}/x.npy"],
        [r"\bnope\b"])
with open(os.path.join(case_dir("run_input_unknown_name"), "x.npy"),
          "wb") as fh:
    fh.write(GOOD)
for cid, desc, args, res in (
    ("run_input_twice", "the same input given twice",
     [RL, "--input", "x={case}/x.npy", "--input", "x={case}/x.npy"],
     [r"\bx\b"]),
    ("run_too_many_inputs", "two files for a one-input model",
     [RL, "{case}/x.npy", "{case}/x.npy"], [r"(?i)too many|input"]),
    ("run_missing_input", "no file for input b",
     [A2, "--input", "a={case}/x.npy"], [r"\bb\b"]),
    ("run_no_input_equals", "--input with an empty name",
     [RL, "--input", "={case}/x.npy"], [r"(?i)input"]),
    ("run_threads_negative", "--threads -1", [RL, "--threads", "-1",
                                              "--zero-inputs"],
     [r"--threads"]),
    ("run_threads_text", "--threads many", [RL, "--threads", "many",
                                            "--zero-inputs"],
     [r"--threads", r"many"]),
    ("run_threads_huge", "--threads 1000000000",
     [RL, "--threads", "1000000000", "--zero-inputs"], [r"--threads"]),
    ("run_bench_negative", "--bench -5", [RL, "--bench", "-5",
                                          "--zero-inputs"], [r"--bench"]),
    ("run_bench_text", "--bench lots", [RL, "--bench", "lots",
                                        "--zero-inputs"], [r"--bench"]),
    ("run_warmup_negative", "--warmup -1", [RL, "--bench", "1", "--warmup",
                                            "-1", "--zero-inputs"],
     [r"--warmup"]),
    ("run_unknown_flag", "an unknown flag", [RL, "--frobnicate"],
     [r"--frobnicate"]),
    ("run_missing_flag_value", "--threads with no value", [RL, "--threads"],
     [r"--threads"]),
    ("run_lib_missing", "a library that does not exist",
     ["{case}/nolib.so", "--info"], [r"nolib\.so"]),
    ("run_lib_directory", "a library path that is a directory",
     ["{case}", "--info"], [r"<dir>"]),
    ("run_lib_text_file", "a text file as the library",
     ["{case}/x.npy", "--info"], [r"x\.npy"]),
    ("run_lib_not_a_model", "a real shared library that is not a model",
     ["{anvil_run}", "--info"], [r"anvil-run"]),
    ("run_output_dir_is_file", "--output-dir names a regular file",
     [RL, "--input", "x={case}/x.npy", "--output-dir", "{case}/x.npy"],
     [r"x\.npy"]),
    ("run_no_args", "no arguments", [], [r"(?i)usage|library|model"]),
):
    run_err(cid, desc, args, res)
    p = os.path.join(case_dir(cid), "x.npy")
    with open(p, "wb") as fh:
        fh.write(GOOD)
with open(os.path.join(case_dir("run_lib_text_file"), "x.npy"), "w") as fh:
    fh.write("not a library\n")

# anvil-run cases that must work.
x = np.arange(6, dtype=np.float32).reshape(2, 3) - 2
for cid, desc, data, fname in (
    ("run_ok_npy_v2", ".npy version 2.0", npy_bytes(x, (2, 0)), "x.npy"),
    ("run_ok_npy_v3", ".npy version 3.0 (UTF-8 header)",
     npy_bytes(x, (3, 0)), "x.npy"),
    ("run_ok_pb_float_data", ".pb with float_data", helper.make_tensor(
        "x", F, [2, 3], x.flatten().tolist()).SerializeToString(), "x.pb"),
    ("run_ok_pb_other_name", ".pb whose tensor name differs from the input",
     numpy_helper.from_array(x, "other").SerializeToString(), "x.pb"),
    ("run_ok_npy_no_extension_pb", "a .npy without an extension",
     npy_bytes(x), "x_input"),
):
    d = case_dir(cid)
    with open(os.path.join(d, fname), "wb") as fh:
        fh.write(data)
    np.save(os.path.join(d, "expected0.npy"), np.maximum(x, 0))
    add(cid, "anvil_run", desc, "runs", "anvil-run",
        [RL, "--input", "x={case}/" + fname, "--output-dir", "{out}/res"],
        outputs=[["y", "expected0.npy"]], result_dir="{out}/res",
        rtol=0, atol=0)

# ===========================================================================
# Class: names — hostile names and paths
# ===========================================================================
C = "names"
x = rand(2, 3)
for cid, desc, name in (
    ("names_newline", "a name holding line ends", "a\nb\r\nc"),
    ("names_comment_close", "a name holding */ and //", "x */ int y; // "),
    ("names_preprocessor", "a name holding #include and #define",
     "#include </etc/passwd>\n#define main exit"),
    ("names_quotes", "a name holding quotes and backslashes",
     "\"'\\\"\\\\'"),
    ("names_printf", "a name holding printf directives", "%s%n%x%99999999d"),
    ("names_shell", "a name holding shell metacharacters",
     "$(touch /tmp/anvil_pwned)`id`;|&"),
    ("names_trigraph", "a name holding trigraphs and digraphs",
     "??=??/??' <: :> <% %>"),
    ("names_c_keywords", "names that are C keywords", "int"),
    ("names_long", "a 20000-character node and input name (the output, "
     "a file name, 200)", "n" * 20000),
    ("names_spaces_only", "a name of spaces", "   "),
    ("names_dotdot", "an output named '..' (file name)", ".."),
    ("names_slash", "an output named '../../escape' (file name)",
     "../../escape"),
    ("names_unicode", "a name in UTF-8 with RTL and zero-width marks",
     "\u202ey\u200b\u00e9\U0001F600"),
    ("names_control_bytes", "a name of control bytes",
     "\x01\x02\x1b[31m\x7f"),
    ("names_entry_symbol", "tensor names that are Anvil's own symbols",
     "anvil_model_get"),
):
    out_name = name if cid != "names_long" else "o" * 200
    in_name = name + "_in" if name not in ("..",) else "in"
    m = model([node("Relu", [in_name], [out_name], name=name)],
              [vi(in_name, [2, 3])], [vi(out_name, None)], name=name)
    runs(cid, C, desc, m, {in_name: x}, [(out_name, np.maximum(x, 0))],
         by_position=True)
m = model([node("Relu", ["x"], ["a:b"], name="r1"),
           node("Neg", ["x"], ["a_b"], name="r2")],
          [vi("x", [2, 3])], [vi("a:b", None), vi("a_b", None)])
runs("names_sanitize_collision", C, "outputs 'a:b' and 'a_b' map to the same "
     "file name", m, {"x": x}, [("a:b", np.maximum(x, 0)), ("a_b", -x)])
m = model([node("Relu", ["x=1"], ["y"])], [vi("x=1", [2, 3])],
          [vi("y", None)])
runs("names_equals_in_input", C, "an input named 'x=1'", m, {"x=1": x},
     [("y", np.maximum(x, 0))], by_position=True)
for cid, where in (("names_nul_node", "node"), ("names_nul_initializer",
                                                "initializer"),
                   ("names_nul_input", "input")):
    if where == "node":
        m = model([node("Relu", ["x"], ["y"], name="bad\0node")],
                  [vi("x", [2])], [vi("y", None)])
    elif where == "initializer":
        m = model([node("Add", ["x", "b\0c"], ["y"])], [vi("x", [2])],
                  [vi("y", None)], [init("b\0c", np.ones(2, np.float32))])
    else:
        m = model([node("Relu", ["x\0y"], ["y"])], [vi("x\0y", [2])],
                  [vi("y", None)])
    err(cid, C, "a %s name holding a NUL byte" % where, m,
        [r"(?i)NUL|\\0|\\x00|null"])
# Hostile paths: the model file, the output and the temp folder.
for cid, desc, fname, outname in (
    ("names_path_spaces", "model and output paths with spaces and quotes",
     "my model 'v1'.onnx", "lib my \"out\".so"),
    ("names_path_newline", "paths holding a newline", "m\nx.onnx",
     "lib\nm.so"),
    ("names_path_dollar", "paths holding $ and backticks", "m$(id)`x`.onnx",
     "lib$HOME`x`.so"),
    ("names_path_dash", "a model path starting with '-'", "-m.onnx",
     "lib-m.so"),
    ("names_path_percent", "paths holding % and \\", "m%s\\n.onnx",
     "lib%d\\.so"),
):
    write_model(cid, RELU, fname)
    lib = "{out}/" + outname
    mpath = "{case}/" + fname
    runs(cid, C, desc, None, {"x": x}, [("y", np.maximum(x, 0))],
         args=[mpath, "-o", lib, "--name", "m"], lib=lib)
write_model("names_tmpdir_spaces", RELU)
runs("names_tmpdir_spaces", C, "TMPDIR with spaces, quotes and a newline",
     None, {"x": x}, [("y", np.maximum(x, 0))],
     args=["{case}/names_tmpdir_spaces.onnx", "-o", "{out}/libm.so"],
     tmpdir_name="tmp dir 'q' \"d\"\nnl")
write_model("names_graph_name_hostile", model(
    [node("Relu", ["x"], ["y"])], [vi("x", [2, 3])], [vi("y", None)],
    name="*/ #error g \n timer"))
compiles("names_graph_name_hostile", C, "a hostile graph name with "
         "--emit=cpp (the model name comes from the output)", None,
         ["{case}/names_graph_name_hostile.onnx", "--emit=cpp", "-o",
          "{out}/g.cpp"], ["{out}/g.cpp", "{out}/g.h"])

# Materializations that fit in the address space (2^35 to 2^43 bytes): a
# clean error naming the node, or a compiled runtime op; never an OOM.
for c in CASES:
    if c["id"] in ("dims_constantofshape_2p20sq", "dims_expand_const_2p20sq",
                   "dims_expand_runtime_2p20sq", "dims_expand_const_2p31x1",
                   "dims_expand_runtime_2p31x1", "dims_range_2p40",
                   "dims_tile_2p40"):
        c["expect"] = "error_or_compiles"

# ---------------------------------------------------------------------------
with open(os.path.join(OUT, "manifest.json"), "w") as fh:
    json.dump({"version": 1, "fixtures": FIXTURES, "cases": CASES}, fh,
              indent=1)
by = {}
for c in CASES:
    by[c["class"]] = by.get(c["class"], 0) + 1
print("%d cases: %s" % (len(CASES), ", ".join(
    "%s %d" % kv for kv in sorted(by.items()))))
