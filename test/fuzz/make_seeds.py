#!/usr/bin/python3
#===- make_seeds.py - seed corpora of the libFuzzer harnesses -------------===#
# usage: make_seeds.py OUT_DIR [--onnx-testdata]
# Writes, deterministically (same sources, same bytes):
#   OUT_DIR/importer/    every test/import ONNX text model (.onnxtxt) as is
#                        and as binary protobuf, and the models the e2e tests
#                        generate (test/e2e/Inputs/make_models.py,
#                        make_libonnx_traps.py, make_hostile_names.py)
#   OUT_DIR/tensorfile/  the .npy / .pb inputs of anvil_run.test
#                        (test/e2e/Inputs/make_tensors.py) and a few more
#                        shapes, versions and encodings
# With --onnx-testdata, also (for the long runs; too many for the short one)
#   OUT_DIR/testdata/importer/    every model of Debian's libonnx-testdata
#   OUT_DIR/testdata/tensorfile/  the first input .pb of each of its tests
# Needs Debian's python3-onnx and python3-numpy: run with /usr/bin/python3.
#===----------------------------------------------------------------------===#
import glob
import os
import shutil
import subprocess
import sys
import tempfile

import numpy as np
import onnx
import onnx.parser
from onnx import TensorProto, helper, numpy_helper

here = os.path.dirname(os.path.abspath(__file__))
src = os.path.dirname(os.path.dirname(here))
out = sys.argv[1]
with_testdata = "--onnx-testdata" in sys.argv[2:]
importer = os.path.join(out, "importer")
tensorfile = os.path.join(out, "tensorfile")
for d in (importer, tensorfile):
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)


def write(path, data):
    with open(path, "wb") as f:
        f.write(data)


# --- importer: the lit suite's text models, as text and as binary ---------
for path in sorted(glob.glob(os.path.join(src, "test", "import", "**", "*.onnxtxt"),
                            recursive=True)):
    name = os.path.splitext(os.path.basename(path))[0]
    with open(path, "rb") as f:
        text = f.read()
    write(os.path.join(importer, name + ".onnxtxt"), text)
    try:
        model = onnx.parser.parse_model(text.decode("utf-8"))
    except Exception:  # bad_syntax.onnxtxt and the like: text seed only
        continue
    write(os.path.join(importer, name + ".onnx"), model.SerializeToString())

# --- importer: the models the e2e tests generate ---------------------------
inputs = os.path.join(src, "test", "e2e", "Inputs")
with tempfile.TemporaryDirectory() as tmp:
    for script in ("make_models.py", "make_libonnx_traps.py",
                   "make_hostile_names.py"):
        sub = os.path.join(tmp, os.path.splitext(script)[0])
        os.makedirs(sub)
        subprocess.run([sys.executable, os.path.join(inputs, script), sub],
                       check=True, stdout=subprocess.DEVNULL)
        prefix = os.path.splitext(script)[0].replace("make_", "")
        for f in sorted(glob.glob(os.path.join(sub, "*.onnx"))):
            shutil.copy(f, os.path.join(importer,
                                        prefix + "_" + os.path.basename(f)))

# --- tensorfile: anvil_run.test's inputs -----------------------------------
with tempfile.TemporaryDirectory() as tmp:
    subprocess.run([sys.executable, os.path.join(inputs, "make_tensors.py"), tmp],
                   check=True, stdout=subprocess.DEVNULL)
    for f in sorted(os.listdir(tmp)):
        shutil.copy(os.path.join(tmp, f), os.path.join(tensorfile, "run_" + f))


def npy(name, array, version=None):
    with open(os.path.join(tensorfile, name + ".npy"), "wb") as f:
        np.lib.format.write_array(f, array, version=version)


def pb(name, proto):
    write(os.path.join(tensorfile, name + ".pb"), proto.SerializeToString())


rng = np.random.default_rng(0)
x = rng.standard_normal((2, 3, 4)).astype(np.float32)
npy("f32_rank3_v1", x, (1, 0))
npy("f32_rank3_v2", x, (2, 0))
npy("f32_rank3_v3", x, (3, 0))
npy("f32_scalar", np.array(1.5, np.float32))
npy("f32_empty", np.zeros((0, 3), np.float32))
npy("f32_rank8", np.ones((1, 2, 1, 2, 1, 2, 1, 2), np.float32))
npy("f32_special", np.array([np.nan, np.inf, -np.inf, -0.0, 1e-45], np.float32))
npy("i64", np.arange(4, dtype=np.int64))
npy("f16", np.ones(3, np.float16))
pb("raw", numpy_helper.from_array(x, "x"))
typed = helper.make_tensor("y", TensorProto.FLOAT, [2, 2], [1.0, 2.0, 3.0, 4.0])
pb("float_data", typed)
pb("scalar", helper.make_tensor("s", TensorProto.FLOAT, [], [7.0]))
pb("empty", numpy_helper.from_array(np.zeros((3, 0), np.float32), "e"))
pb("int64", numpy_helper.from_array(np.arange(3, dtype=np.int64), "i"))
external = numpy_helper.from_array(x, "ext")
external.ClearField("raw_data")
external.data_location = TensorProto.EXTERNAL
entry = external.external_data.add()
entry.key, entry.value = "location", "weights.bin"
pb("external", external)

# --- libonnx-testdata: ONNX's backend models and their tensors -------------
if with_testdata:
    data = "/usr/share/libonnx-testdata/data"
    t_importer = os.path.join(out, "testdata", "importer")
    t_tensorfile = os.path.join(out, "testdata", "tensorfile")
    for d in (t_importer, t_tensorfile):
        shutil.rmtree(d, ignore_errors=True)
        os.makedirs(d)
    for model in sorted(glob.glob(os.path.join(data, "*", "*", "model.onnx"))):
        test = os.path.dirname(model)
        name = os.path.basename(os.path.dirname(test)) + "_" + os.path.basename(test)
        if os.path.getsize(model) <= 65536:
            shutil.copy(model, os.path.join(t_importer, name + ".onnx"))
        first = os.path.join(test, "test_data_set_0", "input_0.pb")
        if os.path.exists(first) and os.path.getsize(first) <= 65536:
            shutil.copy(first, os.path.join(t_tensorfile, name + ".pb"))
