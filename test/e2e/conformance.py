#!/usr/bin/python3
#===- conformance.py - ONNX backend test data through anvilc + anvil-run ---===#
#
# For every test in Debian's libonnx-testdata (node, pytorch-converted,
# pytorch-operator, simple), compiles model.onnx with anvilc to a shared
# library, runs every test_data_set_N through anvil-run (the product path)
# and compares each output with output_K.pb:
#     |actual - expected| <= atol + rtol * |expected|   elementwise
#     (np.isclose semantics: rtol 1e-3, atol 1e-5; NaN matches NaN, inf
#      matches the same inf), and shapes must be equal.
# A test whose compile is refused by the importer as unsupported (an operator,
# attribute or data type Anvil does not handle: non-f32 runtime tensors)
# counts as UNSUPPORTED with the reason. Anything else (a supported model that
# fails to compile, a crash, a wrong shape or value) is a FAIL.
#
# usage: conformance.py [--build-dir DIR] [--jobs 2] [--suites node,simple]
#                       [--filter REGEX] [--keep] [--verbose]
# The build dir defaults to $ANVIL_BUILD_DIR, else <repo>/build. Work files go
# to <build>/e2e/conformance/ (kept only for failures unless --keep).
# Output: one line per test, a summary
#     conformance: supported S, passed P, failed F, unsupported U
# and, last, the plain line `P passed, F failed`. Exit status 1 if F > 0.
#
#===----------------------------------------------------------------------===#
import argparse
import concurrent.futures
import os
import re
import shutil
import subprocess
import sys
import threading
import time

import numpy as np
import onnx
from onnx import numpy_helper

DATA_ROOT = "/usr/share/libonnx-testdata/data"
DEFAULT_SUITES = ["node", "pytorch-converted", "pytorch-operator", "simple"]
RTOL = 1e-3
ATOL = 1e-5
COMPILE_TIMEOUT_S = 600
RUN_TIMEOUT_S = 300

# Tests that are known to be wrong or impossible to support, with the reason.
# Each entry is counted as "expected failure" (neither passed nor failed); if
# one starts passing it is reported as a failure so the list stays honest.
# Keep this empty unless a test is genuinely wrong/unsupportable.
EXPECTED_FAILURES = {
}

# How the importer refuses what Anvil does not support (INTERFACES.md §1: the
# message names the file and every offending node, or the non-f32 tensor).
# Matched against anvilc's stderr when it exits non-zero without a crash.
UNSUPPORTED_PATTERNS = [
    # "N unsupported node(s): 'name' (OpType, opset N[: reason])", and
    # "tensor 'x' has unsupported element type ..."
    # (only the importer's phrases: an "unsupported" from a later phase is a
    # compiler bug, not a coverage gap)
    re.compile(r"\bunsupported nodes?: |has unsupported element type"),
    # "input 'x' has element type int64; runtime tensors must be float (f32)"
    re.compile(r"runtime tensors must be float"),
    # "opset 18 of the default ONNX domain is not supported (Anvil accepts
    # opsets 1 to 17)", or an old model ONNX's converter cannot upgrade
    re.compile(r"opset \d+ of .* is not supported|could not be upgraded to opset"),
    # sequence, map or optional graph inputs
    re.compile(r"input '[^']*' is not a tensor"),
]


def repo_root():
    return os.path.dirname(os.path.dirname(os.path.dirname(
        os.path.abspath(__file__))))


def sanitize(name):
    """anvil-run's output file name for a tensor name."""
    s = re.sub(r"[^A-Za-z0-9_.-]", "_", name)
    if s in ("", ".", ".."):
        s = "_" + s
    return s


def output_files(names):
    """The .npy file anvil-run writes for each output, in order."""
    used, files = set(), []
    for name in names:
        base = sanitize(name)
        f, k = base, 1
        while f in used:
            f = "%s_%d" % (base, k)
            k += 1
        used.add(f)
        files.append(f + ".npy")
    return files


def last_lines(text, n=3):
    lines = [l for l in text.strip().splitlines() if l.strip()]
    return " | ".join(lines[-n:]) if lines else "(no output)"


def first_error(text):
    """The first 'error:' line of a tool's stderr, else its last lines."""
    for line in text.splitlines():
        if "error" in line.lower():
            return line.strip()
    return last_lines(text)


def describe_exit(rc):
    if rc < 0:
        try:
            import signal
            return "killed by signal %s" % signal.Signals(-rc).name
        except (ValueError, ImportError):
            return "killed by signal %d" % -rc
    return "exit status %d" % rc


def run(cmd, timeout, cwd=None):
    """Runs cmd; returns (rc, stdout, stderr, seconds). rc None on timeout."""
    start = time.monotonic()
    try:
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=timeout, cwd=cwd)
        return (p.returncode, p.stdout.decode(errors="replace"),
                p.stderr.decode(errors="replace"), time.monotonic() - start)
    except subprocess.TimeoutExpired as e:
        out = (e.stdout or b"").decode(errors="replace")
        err = (e.stderr or b"").decode(errors="replace")
        return None, out, err, time.monotonic() - start


INFO_OUTPUT = re.compile(r"^output (\d+): (.*) f32 \[([0-9, ]*)\] \(\d+ bytes\)$")


def model_outputs(anvil_run, lib):
    """Output names of a compiled library, in order, from anvil-run --info."""
    rc, out, err, _ = run([anvil_run, lib, "--info"], RUN_TIMEOUT_S)
    if rc != 0:
        return None, "anvil-run --info: %s: %s" % (
            describe_exit(rc) if rc is not None else "timed out",
            first_error(err))
    names = []
    for line in out.splitlines():
        m = INFO_OUTPUT.match(line)
        if m:
            names.append(m.group(2))
    return names, None


def compare(actual, expected):
    """None if they match, else a short description of the mismatch."""
    if actual.shape != expected.shape:
        return "shape %s, expected %s" % (list(actual.shape),
                                          list(expected.shape))
    if expected.dtype != np.float32:
        # The importer should have refused non-f32 outputs.
        return "expected output has dtype %s" % expected.dtype
    if expected.size == 0:
        return None
    ok = np.isclose(actual, expected, rtol=RTOL, atol=ATOL, equal_nan=True)
    if ok.all():
        return None
    bad = np.flatnonzero(~ok.reshape(-1))
    a, e = actual.reshape(-1), expected.reshape(-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        diff = np.abs(a.astype(np.float64) - e.astype(np.float64))
        diff = np.where(np.isnan(diff), np.inf, diff)
    i = int(bad[np.argmax(diff[bad])])
    return ("%d/%d elements differ; worst at flat index %d: got %r, "
            "expected %r" % (bad.size, expected.size, i, float(a[i]),
                             float(e[i])))


def reason_keys(detail):
    """Short, groupable reasons behind an importer refusal."""
    msg = re.sub(r"^anvilc: error: \S+?: ", "", detail)
    keys = []
    if re.search(r"unsupported nodes?: ", msg):
        keys += ["unsupported op %s" % op
                 for op in re.findall(r"\(([A-Za-z0-9_.]+), opset \d+", msg)]
    for dtype in re.findall(r"element type (\w+); runtime tensors must be "
                            r"float", msg):
        keys.append("non-f32 runtime tensor (%s)" % dtype)
    for m in re.findall(r"(opset \d+ of .*? is not supported)", msg):
        keys.append(m)
    if re.search(r"is not a tensor", msg):
        keys.append("non-tensor graph input (sequence/map/optional)")
    if re.search(r"has unsupported element type (\w+)", msg):
        keys += ["unsupported element type %s" % t for t in
                 re.findall(r"has unsupported element type (\w+)", msg)]
    if not keys:
        keys.append(re.sub(r"'[^']*'", "'...'", msg)[:100])
    return keys


class Result:
    def __init__(self, name, status, detail="", seconds=0.0):
        self.name, self.status, self.detail = name, status, detail
        self.seconds = seconds


def run_test(suite, test, args, tools):
    anvilc, anvil_run = tools
    name = "%s/%s" % (suite, test)
    src = os.path.join(DATA_ROOT, suite, test)
    work = os.path.join(args.work_dir, suite, test)
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    start = time.monotonic()

    def done(status, detail=""):
        res = Result(name, status, detail, time.monotonic() - start)
        if status in ("PASS", "UNSUPPORTED", "XFAIL") and not args.keep:
            shutil.rmtree(work, ignore_errors=True)
        return res

    model = os.path.join(src, "model.onnx")
    if not os.path.exists(model):
        return done("UNSUPPORTED", "no model.onnx")
    lib = os.path.join(work, "model.so")
    compile_cmd = [anvilc, model, "-o", lib, "--target=" + args.target]
    with open(os.path.join(work, "repro.sh"), "w") as f:
        f.write(" ".join(compile_cmd) + "\n")
    rc, out, err, secs = run(compile_cmd, COMPILE_TIMEOUT_S)
    if rc is None:
        return done("FAIL", "anvilc timed out after %d s" % COMPILE_TIMEOUT_S)
    if rc != 0:
        msg = err.strip() or out.strip()
        if rc > 0 and any(p.search(msg) for p in UNSUPPORTED_PATTERNS):
            return done("UNSUPPORTED", first_error(msg))
        if os.path.exists(lib):
            return done("FAIL", "anvilc failed (%s) but left %s behind: %s" %
                        (describe_exit(rc), lib, first_error(msg)))
        return done("FAIL", "anvilc %s: %s" % (describe_exit(rc),
                                               first_error(msg)))
    if not os.path.exists(lib):
        return done("FAIL", "anvilc succeeded but wrote no library")

    names, problem = model_outputs(anvil_run, lib)
    if problem:
        return done("FAIL", problem)
    files = output_files(names)

    data_sets = sorted(d for d in os.listdir(src)
                       if d.startswith("test_data_set_"))
    if not data_sets:
        return done("FAIL", "no test_data_set_* directories")
    for ds in data_sets:
        ds_dir = os.path.join(src, ds)

        def numbered(prefix):
            found = {}
            for f in os.listdir(ds_dir):
                m = re.match(prefix + r"_(\d+)\.pb$", f)
                if m:
                    found[int(m.group(1))] = os.path.join(ds_dir, f)
            return [found[k] for k in sorted(found)]

        inputs, outputs = numbered("input"), numbered("output")
        out_dir = os.path.join(work, ds)
        run_cmd = [anvil_run, lib] + inputs + ["--output-dir", out_dir]
        if args.threads is not None:
            run_cmd += ["--threads", str(args.threads)]
        with open(os.path.join(work, "repro.sh"), "a") as f:
            f.write(" ".join(run_cmd) + "\n")
        rc, out, err, _ = run(run_cmd, RUN_TIMEOUT_S)
        if rc is None:
            return done("FAIL", "%s: anvil-run timed out" % ds)
        if rc != 0:
            return done("FAIL", "%s: anvil-run %s: %s" %
                        (ds, describe_exit(rc), first_error(err)))
        if len(outputs) != len(names):
            return done("FAIL", "%s: library has %d outputs, test data %d" %
                        (ds, len(names), len(outputs)))
        for k, (expected_pb, f) in enumerate(zip(outputs, files)):
            try:
                t = onnx.TensorProto()
                with open(expected_pb, "rb") as fh:
                    t.ParseFromString(fh.read())
                expected = numpy_helper.to_array(t)
                actual = np.load(os.path.join(out_dir, f))
            except Exception as e:  # a bad expected file is a harness bug
                return done("FAIL", "%s: output %d: cannot load: %s" %
                            (ds, k, e))
            problem = compare(actual, expected)
            if problem:
                return done("FAIL", "%s: output %d '%s': %s" %
                            (ds, k, names[k], problem))
    return done("PASS")


def main():
    parser = argparse.ArgumentParser(
        description="ONNX backend test data through anvilc and anvil-run")
    parser.add_argument("--build-dir", default=os.environ.get(
        "ANVIL_BUILD_DIR", os.path.join(repo_root(), "build")))
    parser.add_argument("--jobs", "-j", type=int, default=2)
    parser.add_argument("--suites", default=",".join(DEFAULT_SUITES))
    parser.add_argument("--filter", default=None,
                        help="regex on suite/test names")
    parser.add_argument("--threads", type=int, default=1,
                        help="anvil-run --threads (default 1: the suite "
                        "already runs tests in parallel)")
    parser.add_argument("--target", default="native",
                        help="anvilc --target (default: native)")
    parser.add_argument("--work-name", default="conformance",
                        help="folder under build/e2e for this run's files")
    parser.add_argument("--keep", action="store_true",
                        help="keep work files of passing tests")
    parser.add_argument("--verbose", "-v", action="store_true",
                        help="print unsupported tests too")
    args = parser.parse_args()
    build = os.path.abspath(args.build_dir)
    args.work_dir = os.path.join(build, "e2e", args.work_name)
    tools = (os.path.join(build, "bin", "anvilc"),
             os.path.join(build, "bin", "anvil-run"))
    for t in tools:
        if not os.access(t, os.X_OK):
            print("conformance: error: %s not built" % t)
            print("0 passed, 1 failed")
            return 1
    if not os.path.isdir(DATA_ROOT):
        print("conformance: error: %s missing (apt-get install "
              "libonnx-testdata)" % DATA_ROOT)
        print("0 passed, 1 failed")
        return 1

    tests = []
    pattern = re.compile(args.filter) if args.filter else None
    for suite in args.suites.split(","):
        d = os.path.join(DATA_ROOT, suite)
        if not os.path.isdir(d):
            print("conformance: error: no suite %s" % d)
            print("0 passed, 1 failed")
            return 1
        for test in sorted(os.listdir(d)):
            if pattern and not pattern.search("%s/%s" % (suite, test)):
                continue
            tests.append((suite, test))

    start = time.monotonic()
    lock = threading.Lock()
    results = []

    def report(res):
        if res.name in EXPECTED_FAILURES:
            if res.status == "PASS":
                res.status, res.detail = "FAIL", (
                    "unexpectedly passed; remove it from EXPECTED_FAILURES")
            elif res.status == "FAIL":
                res.status, res.detail = "XFAIL", "%s (%s)" % (
                    EXPECTED_FAILURES[res.name], res.detail)
        with lock:
            results.append(res)
            if res.status != "UNSUPPORTED" or args.verbose:
                line = "%-11s %s" % (res.status, res.name)
                if res.status == "PASS":
                    line += " (%.1f s)" % res.seconds
                elif res.detail:
                    line += ": " + res.detail
                print(line, flush=True)

    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as ex:
        futures = {ex.submit(run_test, s, t, args, tools): (s, t)
                   for s, t in tests}
        for fut in concurrent.futures.as_completed(futures):
            s, t = futures[fut]
            try:
                res = fut.result()
            except Exception as e:  # a harness bug must not hide a test
                res = Result("%s/%s" % (s, t), "FAIL",
                             "harness error: %r" % e)
            report(res)

    count = lambda st: sum(1 for r in results if r.status == st)
    passed, failed = count("PASS"), count("FAIL")
    unsupported, xfail = count("UNSUPPORTED"), count("XFAIL")

    # Unsupported reasons, most common first, so coverage gaps are visible.
    reasons = {}
    for r in results:
        if r.status == "UNSUPPORTED":
            for key in set(reason_keys(r.detail)):
                reasons[key] = reasons.get(key, 0) + 1
    if reasons and not args.verbose:
        top = sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0]))[:25]
        print("unsupported tests by reason (a test may count under several; "
              "-v lists every test):")
        for k, v in top:
            print("  %4d  %s" % (v, k))
        if len(reasons) > len(top):
            print("  ...   %d more reasons" % (len(reasons) - len(top)))
    if failed:
        print("failed tests:")
        for r in sorted(results, key=lambda r: r.name):
            if r.status == "FAIL":
                print("  %s: %s" % (r.name, r.detail))
        print("work files (repro.sh) of failed tests are in %s" %
              args.work_dir)
    print("conformance: supported %d, passed %d, failed %d, unsupported %d%s"
          % (passed + failed + xfail, passed, failed, unsupported,
             (", expected failures %d" % xfail) if xfail else ""))
    print("conformance: %d tests in %.1f s" % (len(results),
                                               time.monotonic() - start))
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
