#===- check_hostile_names.py - names survive, nothing else does ------------===#
# usage: check_hostile_names.py DIR ANVIL_RUN
# DIR holds make_hostile_names.py's files and libnames.so. Checks that
# `anvil-run --info` prints every graph input and output name byte for byte
# (names.txt), and that the library computes y0 = sigmoid(relu(x) + b) and
# y1 = relu(x). Prints `hostile names: ok` or the first difference; exit 1
# on a difference.
#===----------------------------------------------------------------------===#
import glob
import os
import subprocess
import sys

import numpy as np

d, anvil_run = sys.argv[1], sys.argv[2]
names = [l.encode("ascii").decode("unicode_escape").encode("utf-8")
         for l in open(os.path.join(d, "names.txt")).read().splitlines()]
lib = os.path.join(d, "libnames.so")


def fail(msg):
    print("hostile names: " + msg)
    sys.exit(1)


info = subprocess.run([anvil_run, lib, "--info"], capture_output=True,
                      check=True).stdout
expected = [b"input 0: " + names[0], b"output 0: " + names[1],
            b"output 1: " + names[2]]
for e in expected:
    line = e + b" f32 [2, 3] (24 bytes)\n"
    if line not in info:
        fail("--info does not print %r; it printed %r" % (line, info))

x = np.array([[-1.0, 0.5, 2.0], [0.25, -3.0, 1.5]], np.float32)
np.save(os.path.join(d, "x.npy"), x)
outdir = os.path.join(d, "out")
subprocess.run([anvil_run, lib, "--input", os.path.join(d, "x.npy"),
                "--output-dir", outdir], check=True, capture_output=True)
relu = np.maximum(x, 0)
want = [1 / (1 + np.exp(-(relu + np.array([0.5, -0.25, 1.0], np.float32)))),
        relu]
got = [np.load(f) for f in sorted(glob.glob(os.path.join(outdir, "*.npy")))]
if len(got) != 2:
    fail("expected 2 output files, found %d" % len(got))
for w in want:
    if not any(g.shape == w.shape and np.allclose(g, w, rtol=1e-5, atol=1e-6)
               for g in got):
        fail("no output matches %r" % w)
print("hostile names: ok")
