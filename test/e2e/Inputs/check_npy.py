#===- check_npy.py - assert a .npy file holds the given float32 values -----===#
# usage: check_npy.py FILE V0 V1 ...   (values in C order; exact match)
#===----------------------------------------------------------------------===#
import sys

import numpy as np

arr = np.load(sys.argv[1])
want = np.array([float(v) for v in sys.argv[2:]], np.float32)
if arr.dtype != np.float32 or arr.size != want.size or \
        not np.array_equal(arr.reshape(-1), want):
    sys.exit("check_npy: %s holds %s %r, expected %r" %
             (sys.argv[1], arr.dtype, arr.reshape(-1).tolist(), want.tolist()))
