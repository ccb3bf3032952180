#===- make_tensors.py - input files for anvil_run.test --------------------===#
# Writes the .npy and TensorProto .pb inputs that anvil_run.test feeds to the
# hand-written model, good and bad, into the directory given as argv[1].
#===----------------------------------------------------------------------===#
import os
import sys

import numpy as np
from onnx import TensorProto, helper, numpy_helper

out = sys.argv[1]
a = np.arange(6, dtype=np.float32).reshape(2, 3)
np.save(os.path.join(out, "a.npy"), a)
np.save(os.path.join(out, "a_fortran.npy"), np.asfortranarray(a))
np.save(os.path.join(out, "b.npy"), np.array([10, 20, 30], np.float32))
np.save(os.path.join(out, "b_f64.npy"), np.array([1, 2, 3], np.float64))
np.save(os.path.join(out, "b_be.npy"), np.array([1, 2, 3], ">f4"))
np.save(os.path.join(out, "b_1x3.npy"), np.zeros((1, 3), np.float32))
with open(os.path.join(out, "a_v2.npy"), "wb") as f:
    np.lib.format.write_array(f, a, version=(2, 0))

b = np.array([1, 2, 3], np.float32)
with open(os.path.join(out, "b_raw.pb"), "wb") as f:
    f.write(numpy_helper.from_array(b, "b").SerializeToString())
with open(os.path.join(out, "b_float.pb"), "wb") as f:
    t = helper.make_tensor("b", TensorProto.FLOAT, [3], [1.0, 2.0, 3.0])
    assert not t.raw_data
    f.write(t.SerializeToString())
with open(os.path.join(out, "b_i64.pb"), "wb") as f:
    f.write(numpy_helper.from_array(np.array([1, 2, 3], np.int64), "b")
            .SerializeToString())
