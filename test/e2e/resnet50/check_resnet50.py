#!/usr/bin/python3
#===- check_resnet50.py - ResNet-50 through anvilc against PyTorch --------===#
#
# Exports torchvision's ResNet-50 (export_resnet50.py; cached in the work dir),
# compiles it with anvilc to a shared library (timed), runs it with anvil-run
# and compares with PyTorch's output.
#
# Criterion: elementwise |anvil - torch| <= rtol * |torch| + atol with
# rtol = 1e-3 and atol = 1e-4 * max|torch| (np.allclose with an absolute floor
# scaled to the output's magnitude: logits near zero cannot be held to a pure
# relative bound after 50 layers of float32 sums in a different order). The
# top-1 class must also agree. Prints
#   resnet50: compile X.X s, max abs err E, max rel err R, PASS|FAIL
# where R = max over elements of |anvil - torch| / |torch| (elements with
# torch == 0 excluded), and whether the pure rtol 1e-3 bound (atol 0) holds
# too; then `N passed, N failed`.
#
# usage: check_resnet50.py [--build-dir DIR] [--bench N] [--threads T]
# The build dir defaults to $ANVIL_BUILD_DIR, else <repo>/build; the model and
# work files go to <build>/e2e/resnet50/.
#
#===----------------------------------------------------------------------===#
import argparse
import os
import subprocess
import sys
import time

import numpy as np

RTOL = 1e-3
ATOL_FRACTION = 1e-4
HERE = os.path.dirname(os.path.abspath(__file__))


def finish(ok, line):
    print(line, flush=True)
    print("%d passed, %d failed" % (1 if ok else 0, 0 if ok else 1))
    return 0 if ok else 1


def tail(text, n=5):
    return "\n".join(text.strip().splitlines()[-n:])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--build-dir", default=os.environ.get(
        "ANVIL_BUILD_DIR",
        os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(HERE))),
                     "build")))
    parser.add_argument("--bench", type=int, default=10,
                        help="timed runs after the check (0: skip)")
    parser.add_argument("--threads", type=int, default=0,
                        help="anvil-run --threads for the bench (0: all CPUs)")
    args = parser.parse_args()
    build = os.path.abspath(args.build_dir)
    work = os.path.join(build, "e2e", "resnet50")
    anvilc = os.path.join(build, "bin", "anvilc")
    anvil_run = os.path.join(build, "bin", "anvil-run")
    for tool in (anvilc, anvil_run):
        if not os.access(tool, os.X_OK):
            return finish(False, "resnet50: error: %s not built, FAIL" % tool)

    onnx_path = os.path.join(work, "resnet50.onnx")
    input_path = os.path.join(work, "input.npy")
    expected_path = os.path.join(work, "expected.npy")
    exporter = os.path.join(HERE, "export_resnet50.py")
    stale = any(not os.path.exists(p) or
                os.path.getmtime(p) < os.path.getmtime(exporter)
                for p in (onnx_path, input_path, expected_path))
    if stale:
        p = subprocess.run([sys.executable, exporter, work],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        out = p.stdout.decode(errors="replace")
        if p.returncode != 0:
            print(tail(out, 20))
            return finish(False, "resnet50: export with PyTorch failed, FAIL")
        print(out.strip().splitlines()[-1])

    lib = os.path.join(work, "resnet50.so")
    if os.path.exists(lib):
        os.remove(lib)
    cmd = [anvilc, onnx_path, "-o", lib, "-v"]
    print("resnet50: " + " ".join(cmd), flush=True)
    start = time.monotonic()
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    compile_s = time.monotonic() - start
    out = p.stdout.decode(errors="replace")
    if out.strip():
        print(tail(out, 10))
    if p.returncode != 0 or not os.path.exists(lib):
        return finish(False, "resnet50: compile %.1f s, anvilc failed "
                      "(exit %d), FAIL" % (compile_s, p.returncode))

    out_dir = os.path.join(work, "out")
    cmd = [anvil_run, lib, "--input", "input=" + input_path,
           "--output-dir", out_dir]
    print("resnet50: " + " ".join(cmd), flush=True)
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    if p.returncode != 0:
        print(tail(p.stdout.decode(errors="replace")))
        return finish(False, "resnet50: compile %.1f s, anvil-run failed "
                      "(exit %d), FAIL" % (compile_s, p.returncode))
    expected = np.load(expected_path)
    try:
        actual = np.load(os.path.join(out_dir, "output.npy"))
    except Exception as e:
        return finish(False, "resnet50: compile %.1f s, cannot read output: "
                      "%s, FAIL" % (compile_s, e))
    if actual.shape != expected.shape:
        return finish(False, "resnet50: compile %.1f s, output shape %s, "
                      "expected %s, FAIL" % (compile_s, actual.shape,
                                             expected.shape))
    a = actual.astype(np.float64)
    e = expected.astype(np.float64)
    scale = float(np.abs(e).max())
    abs_err = np.abs(a - e)
    max_abs = float(abs_err.max()) if np.isfinite(abs_err).all() else np.inf
    nonzero = e != 0
    with np.errstate(invalid="ignore", divide="ignore"):
        rel = abs_err[nonzero] / np.abs(e[nonzero])
    max_rel = float(rel.max()) if rel.size and np.isfinite(rel).all() \
        else (0.0 if not rel.size else np.inf)
    within = np.allclose(a, e, rtol=RTOL, atol=ATOL_FRACTION * scale)
    pure_rtol = np.allclose(a, e, rtol=RTOL, atol=0.0)
    same_top1 = int(a.argmax()) == int(e.argmax())
    ok = bool(within and same_top1 and np.isfinite(a).all())
    print("resnet50: criterion |a-e| <= %g*|e| + %g*max|e| (max|e| = %.4g): "
          "%s; pure |a-e| <= %g*|e|: %s; top-1 %s (%d vs %d)" % (
              RTOL, ATOL_FRACTION, scale, "holds" if within else "VIOLATED",
              RTOL, "holds" if pure_rtol else "violated",
              "agrees" if same_top1 else "DIFFERS",
              int(a.argmax()), int(e.argmax())))
    if ok and args.bench > 0:
        cmd = [anvil_run, lib, "--input", "input=" + input_path,
               "--bench", str(args.bench), "--threads", str(args.threads)]
        p = subprocess.run(cmd, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT)
        print("resnet50: %s" % p.stdout.decode(errors="replace").strip())
    return finish(ok, "resnet50: compile %.1f s, max abs err %.3g, "
                  "max rel err %.3g, %s" % (compile_s, max_abs, max_rel,
                                            "PASS" if ok else "FAIL"))


if __name__ == "__main__":
    sys.exit(main())
