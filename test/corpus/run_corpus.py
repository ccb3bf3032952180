#===- run_corpus.py - run the hostile-model corpus and classify ---------===#
# usage: run_corpus.py CORPUS_DIR --build BUILD --work WORK [-j N]
#                      [--timeout S] [--filter REGEX] [--mem-limit-gb G]
# CORPUS_DIR is make_corpus.py's output (manifest.json + one folder per
# case). Runs every case (anvilc or anvil-run from BUILD/bin) under a
# timeout and a memory limit, and classifies it:
#   pass            the expected outcome (README.md gives the rules)
#   wrong-outcome   a clean exit, but not the expected one (an error where
#                   it should run, a message that misses what is wrong, a
#                   wrong result, ...)
#   crash           a signal, a sanitizer report, 'LLVM ERROR', 'terminate
#                   called', an assertion, a stack dump, a traceback
#   hang            no exit within the timeout (the process group is killed)
#   partial-output  files left behind after an error (in the output folder,
#                   $TMPDIR or beside the model), or temp files after success
# Prints each failure on one line, per-class counts, and last
# `N passed, N failed`. Writes WORK/results.json. Exit 1 when any failed.
#===----------------------------------------------------------------------===#
import argparse
import concurrent.futures
import json
import os
import re
import resource
import shutil
import signal
import subprocess
import sys
import time

import numpy as np

CRASH_MARKERS = [
    ("AddressSanitizer", "AddressSanitizer report"),
    ("LeakSanitizer", "LeakSanitizer report"),
    ("UndefinedBehaviorSanitizer", "UBSan report"),
    ("runtime error:", "UBSan runtime error"),
    ("LLVM ERROR", "LLVM ERROR"),
    ("terminate called", "uncaught C++ exception (terminate called)"),
    ("std::bad_alloc", "std::bad_alloc (out of memory)"),
    ("Assertion", "assertion failure"),
    ("Stack dump:", "LLVM stack dump"),
    ("PLEASE submit a bug report", "LLVM crash report"),
    ("Traceback (most recent call last)", "Python traceback"),
    ("Segmentation fault", "segmentation fault"),
    ("stack-overflow", "stack overflow"),
]
RAW_DIAG = re.compile(r"\.(cpp|h|cc|c|s|S):\d+:\d+: (error|warning|fatal)")


class Ctx:
    pass


def sig_name(n):
    try:
        return signal.Signals(n).name
    except ValueError:
        return "signal %d" % n


def snapshot(root):
    """Every entry under root (lstat only: never opens a FIFO)."""
    out = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for n in dirnames + filenames:
            p = os.path.join(dirpath, n)
            try:
                st = os.lstat(p)
            except OSError:
                continue
            out[os.path.relpath(p, root)] = (st.st_mode, st.st_size,
                                             st.st_mtime_ns)
    return out


def files_under(root):
    """Non-directory entries under root."""
    found = []
    if not os.path.isdir(root):
        return found
    for dirpath, dirnames, filenames in os.walk(root):
        for n in filenames:
            found.append(os.path.relpath(os.path.join(dirpath, n), root))
        for n in dirnames:
            p = os.path.join(dirpath, n)
            if os.path.islink(p):
                found.append(os.path.relpath(p, root))
    return sorted(found)


def sanitize(name):
    out = "".join(c if (c.isascii() and (c.isalnum() or c in "_.-")) else "_"
                  for c in name.encode("utf-8", "surrogateescape")
                  .decode("latin1"))
    if out in ("", ".", ".."):
        out = "_" + out
    return out


def run_proc(ctx, argv, env, cwd=None):
    """(rc or None on timeout, stdout, stderr, seconds)."""
    def limits():
        if ctx.mem_limit:
            resource.setrlimit(resource.RLIMIT_AS,
                               (ctx.mem_limit, ctx.mem_limit))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    t0 = time.time()
    p = subprocess.Popen(argv, stdin=subprocess.DEVNULL,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         env=env, cwd=cwd, start_new_session=True,
                         preexec_fn=limits)
    try:
        out, err = p.communicate(timeout=ctx.timeout)
        rc = p.returncode
    except subprocess.TimeoutExpired:
        try:
            os.killpg(p.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        out, err = p.communicate()
        rc = None
    return rc, out.decode("utf-8", "replace"), err.decode("utf-8",
                                                         "replace"), \
        time.time() - t0


def crash_reason(rc, stderr):
    if rc is not None and rc < 0:
        return sig_name(-rc)
    for marker, what in CRASH_MARKERS:
        if marker in stderr:
            return what
    if rc is not None and rc > 128:
        return "exit status %d (a signal?)" % rc
    return None


def first_line(s, n=160):
    for line in s.splitlines():
        if line.strip():
            return line.strip()[:n]
    return "(no output)"


def subst(ctx, case, s):
    s = s.replace("{case}", case["_case"]).replace("{out}", case["_out"])
    s = s.replace("{anvil_run}", ctx.anvil_run)
    s = s.replace("{fixdir}", case.get("_fixdir", ""))

    def fx(m):
        return os.path.join(ctx.work, "fixtures", m.group(1),
                            "lib%s.so" % m.group(1))
    return re.sub(r"\{fixture:(\w+)\}", fx, s)


class Result:
    def __init__(self, case):
        self.id = case["id"]
        self.cls = case["class"]
        self.expect = case["expect"]
        self.status = "pass"
        self.actual = None      # clean-error, compiled-correct, ...
        self.detail = ""
        self.problems = []
        self.seconds = 0.0

    def fail(self, status, detail):
        order = ["pass", "wrong-outcome", "partial-output", "crash", "hang"]
        if order.index(status) > order.index(self.status):
            self.status = status
        self.problems.append(detail)


def tool_path(ctx, tool):
    return ctx.anvilc if tool == "anvilc" else ctx.anvil_run


def check_stage(res, what, rc, err):
    """Crash/hang checks common to every process; True when it may go on."""
    if rc is None:
        res.fail("hang", "%s: no exit within the timeout" % what)
        return False
    c = crash_reason(rc, err)
    if c:
        res.fail("crash", "%s: %s: %s" % (what, c, first_line(
            "\n".join(l for l in err.splitlines()
                      if not l.startswith("anvilc: error: ") or
                      c in l) or err)))
        return False
    return True


def check_error_message(res, tool, err, case, ctx):
    """The message is one clean error line naming the model file (when the
    case says which) and matching every regex. The regexes see the message
    with the case's paths and the model's file name blanked out, so a case
    id or folder never matches what the message must name itself."""
    regexes = case["stderr"]
    f = case.get("stderr_file")
    if f and f not in err:
        lines = [l for l in err.splitlines() if l.strip()]
        res.fail("wrong-outcome", "message does not name the file %s: %s" %
                 (f, lines[0][:200] if lines else ""))
    blank = err
    for p in sorted((case["_case"], case["_out"], ctx.corpus, ctx.work),
                    key=len, reverse=True):
        blank = blank.replace(p + "/", "<dir>/").replace(p, "<dir>")
    if f:
        blank = blank.replace(f, "<file>")
    return _check_error_lines(res, tool, err, blank, regexes)


def _check_error_lines(res, tool, err, blank, regexes):
    lines = [l for l in err.splitlines() if l.strip()]
    prefix = tool + ": error: "
    ok = True
    if not lines:
        res.fail("wrong-outcome", "exit 1 with nothing on stderr")
        return False
    if not lines[0].startswith(prefix):
        res.fail("wrong-outcome", "stderr does not start with '%s': %s" %
                 (prefix.strip(), lines[0][:160]))
        ok = False
    extra = [l for l in lines[1:] if "error:" in l]
    if extra:
        res.fail("wrong-outcome", "more than one error line: %s" %
                 extra[0][:160])
        ok = False
    if RAW_DIAG.search(err):
        res.fail("wrong-outcome", "raw compiler diagnostics on stderr: %s" %
                 RAW_DIAG.search(err).group(0))
        ok = False
    missing = [r for r in regexes if not re.search(r, blank)]
    if missing:
        res.fail("wrong-outcome", "message does not match /%s/: %s" %
                 (missing[0], lines[0][:200]))
        ok = False
    return ok


def compare(expected, got, rtol, atol):
    if expected.shape != got.shape:
        return "shape %s, expected %s" % (list(got.shape),
                                          list(expected.shape))
    e = expected.astype(np.float64)
    g = got.astype(np.float64)
    en, gn = np.isnan(e), np.isnan(g)
    if (en != gn).any():
        i = np.flatnonzero(en != gn)[0]
        return "element %d is %r, expected %r" % (i, g.flat[i], e.flat[i])
    ei, gi = np.isinf(e), np.isinf(g)
    bad = (ei | gi) & ~en & (e != g)
    fin = ~(ei | gi | en)
    with np.errstate(all="ignore"):
        bad |= fin & (np.abs(g - e) > rtol * np.abs(e) + atol)
    if bad.any():
        i = np.flatnonzero(bad)[0]
        return "element %d is %r, expected %r (%d of %d differ)" % (
            i, float(g.flat[i]), float(e.flat[i]), int(bad.sum()), bad.size)
    return None


def run_anvil_run_outputs(ctx, case, res, env, lib, result_dir):
    """anvil-run on lib with the case's inputs; compare the outputs."""
    argv = [ctx.anvil_run, lib, "--threads", "1", "--output-dir", result_dir]
    for name, path in case.get("inputs", []):
        p = os.path.join(case["_case"], path)
        if case.get("by_position"):
            argv.append(p)
        else:
            argv += ["--input", "%s=%s" % (name, p)]
    rc, out, err, dt = run_proc(ctx, argv, env)
    res.seconds += dt
    if not check_stage(res, "anvil-run", rc, err):
        return
    if rc != 0:
        res.fail("wrong-outcome", "anvil-run failed (exit %d): %s" %
                 (rc, first_line(err)))
        return
    check_outputs(case, res, result_dir)


def check_outputs(case, res, result_dir):
    used = set()
    for name, path in case["outputs"]:
        base = sanitize(name)
        f = base
        k = 1
        while f in used:
            f = "%s_%d" % (base, k)
            k += 1
        used.add(f)
        p = os.path.join(result_dir, f + ".npy")
        if not os.path.exists(p):
            res.fail("wrong-outcome", "no output file %s.npy (found %s)" %
                     (f, ", ".join(files_under(result_dir)) or "none"))
            return
        try:
            got = np.load(p)
        except Exception as e:  # noqa: BLE001
            res.fail("wrong-outcome", "unreadable output %s: %s" % (f, e))
            return
        want = np.load(os.path.join(case["_case"], path))
        d = compare(want, got, case.get("rtol", 1e-5), case.get("atol", 1e-6))
        if d:
            res.fail("wrong-outcome", "output '%s': %s" % (
                name.encode("unicode_escape").decode()[:40], d))
            return


def run_case(ctx, case):
    res = Result(case)
    try:
        _run_case(ctx, case, res)
    except Exception as e:  # noqa: BLE001 - a runner bug is a failure too
        res.fail("wrong-outcome", "runner error: %r" % e)
    if res.status == "pass":
        res.detail = "ok"
    else:
        res.detail = "; ".join(res.problems)
    return res


def _run_case(ctx, case, res):
    cid = case["id"]
    case["_case"] = os.path.join(ctx.corpus, cid)
    case["_out"] = os.path.join(ctx.work, "out", cid)
    tmp = os.path.join(ctx.work, "tmp", cid)
    for d in (case["_out"], tmp):
        shutil.rmtree(d, ignore_errors=True)
        os.makedirs(d)
    if case.get("tmpdir_name"):
        tmp = os.path.join(tmp, case["tmpdir_name"])
        os.makedirs(tmp)
    env = dict(os.environ)
    env["TMPDIR"] = tmp
    env.update(case.get("env", {}))
    for fx in re.findall(r"\{fixture:(\w+)\}", " ".join(case["args"])):
        if not ctx.fixtures_ok.get(fx):
            res.fail("wrong-outcome", "fixture '%s' did not compile: %s" %
                     (fx, ctx.fixture_msg.get(fx, "?")))
            return
    before = snapshot(case["_case"])
    tool = case["tool"]
    argv = [tool_path(ctx, tool)] + [subst(ctx, case, a)
                                     for a in case["args"]]
    rc, out, err, dt = run_proc(ctx, argv, env, cwd=case["_out"])
    res.seconds += dt
    alive = check_stage(res, tool, rc, err)
    exp = case["expect"]

    def leftovers(after_success):
        left = []
        if not after_success:
            left += ["out/" + f for f in files_under(case["_out"])]
        left += ["$TMPDIR/" + f for f in files_under(tmp)]
        if not after_success or tool == "anvil-run":
            after = snapshot(case["_case"])
            changed = [k for k in set(before) | set(after)
                       if before.get(k) != after.get(k)]
            left += ["model folder: " + k for k in sorted(changed)]
        if left:
            res.fail("partial-output", "files left behind: %s" %
                     ", ".join(left[:4]) + (" ..." if len(left) > 4 else ""))

    if exp == "error_or_compiles" and alive and rc == 0:
        leftovers(after_success=True)
        if res.status == "pass":
            res.actual = "compiled-correct"
        return
    if exp in ("error", "error_or_compiles"):
        if alive:
            if rc == 0:
                res.fail("wrong-outcome", "exit 0, expected an error (%s)" %
                         (("stderr: " + first_line(err)) if err.strip()
                          else "no message"))
            elif rc != 1:
                res.fail("wrong-outcome", "exit status %d, expected 1: %s" %
                         (rc, first_line(err)))
                res.actual = "clean-error"
            else:
                res.actual = "clean-error"
                check_error_message(res, tool, err, case, ctx)
        if rc != 0:
            leftovers(after_success=False)
        return
    # runs / compiles
    if not alive:
        return
    if rc != 0:
        res.fail("wrong-outcome", "%s failed (exit %d), expected success: %s"
                 % (tool, rc, first_line(err)))
        if rc == 1:
            res.actual = "clean-error"
        leftovers(after_success=False)
        return
    leftovers(after_success=True)
    if exp == "compiles":
        for f in case.get("files", []):
            p = subst(ctx, case, f)
            if not os.path.exists(p):
                res.fail("wrong-outcome", "exit 0 but %s was not written" %
                         os.path.basename(p))
        for r in case.get("stdout", []):
            if not re.search(r, out):
                res.fail("wrong-outcome", "stdout does not match /%s/: %s" %
                         (r, first_line(out)))
        if case.get("info"):
            lib = subst(ctx, case, case["files"][0])
            rc2, out2, err2, dt2 = run_proc(ctx, [ctx.anvil_run, lib,
                                                  "--info"], env)
            res.seconds += dt2
            if check_stage(res, "anvil-run --info", rc2, err2):
                for r in case["info"]:
                    if not re.search(r, out2):
                        res.fail("wrong-outcome",
                                 "anvil-run --info does not match /%s/: %s"
                                 % (r, first_line(out2 or err2)))
    elif tool == "anvil-run":
        check_outputs(case, res, subst(ctx, case, case["result_dir"]))
    else:
        run_anvil_run_outputs(ctx, case, res, env, subst(ctx, case,
                                                          case["lib"]),
                              os.path.join(case["_out"], "res"))
    if res.status == "pass":
        res.actual = "compiled-correct"


def build_fixture(ctx, fx):
    d = os.path.join(ctx.work, "fixtures", fx["name"])
    src = os.path.join(ctx.corpus, "fixtures", fx["name"])
    shutil.rmtree(d, ignore_errors=True)
    shutil.copytree(src, d)
    argv = [ctx.anvilc] + [a.replace("{fixdir}", d) for a in fx["args"]]
    rc, out, err, dt = run_proc(ctx, argv, dict(os.environ))
    return fx["name"], rc == 0, first_line(err) if rc != 0 else "", dt


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("corpus")
    ap.add_argument("--build", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("-j", type=int, default=2)
    ap.add_argument("--timeout", type=float, default=None,
                    help="seconds per process (default 30; 120 for "
                    "sanitizer builds)")
    ap.add_argument("--filter", default="")
    ap.add_argument("--mem-limit-gb", type=float, default=None,
                    help="address-space limit per process (default 4; 0 "
                    "= none; none for sanitizer builds)")
    ap.add_argument("-v", action="store_true", help="print every case")
    a = ap.parse_args()

    ctx = Ctx()
    ctx.corpus = os.path.abspath(a.corpus)
    ctx.work = os.path.abspath(a.work)
    ctx.anvilc = os.path.join(os.path.abspath(a.build), "bin", "anvilc")
    ctx.anvil_run = os.path.join(os.path.abspath(a.build), "bin",
                                 "anvil-run")
    ctx.timeout = a.timeout
    for b in (ctx.anvilc, ctx.anvil_run):
        if not os.access(b, os.X_OK):
            sys.exit("run_corpus.py: error: %s not built" % b)
    sanitized = False
    with open(ctx.anvilc, "rb") as f:
        data = f.read()
        sanitized = b"__asan_init" in data or b"__ubsan_handle" in data
    gb = a.mem_limit_gb
    if gb is None:
        gb = 0 if sanitized else 4
    ctx.mem_limit = int(gb * 2**30) if gb else 0
    if ctx.timeout is None:
        ctx.timeout = 120 if sanitized else 30
    if sanitized:
        # No address-space limit under ASan (its shadow memory needs
        # terabytes of it): cap single allocations instead, so an attempt to
        # materialize gigabytes is an ASan report, not a machine-wide OOM.
        opts = os.environ.get("ASAN_OPTIONS", "")
        if "max_allocation_size_mb" not in opts:
            os.environ["ASAN_OPTIONS"] = ":".join(
                o for o in (opts, "max_allocation_size_mb=4096") if o)

    manifest = json.load(open(os.path.join(ctx.corpus, "manifest.json")))
    cases = [c for c in manifest["cases"] if re.search(a.filter, c["id"])]
    os.makedirs(ctx.work, exist_ok=True)
    t0 = time.time()
    ctx.fixtures_ok, ctx.fixture_msg = {}, {}
    needed = set()
    for c in cases:
        needed |= set(re.findall(r"\{fixture:(\w+)\}", " ".join(c["args"])))
    with concurrent.futures.ThreadPoolExecutor(a.j) as pool:
        for name, ok, msg, _ in pool.map(
                lambda fx: build_fixture(ctx, fx),
                [fx for fx in manifest["fixtures"] if fx["name"] in needed]):
            ctx.fixtures_ok[name] = ok
            ctx.fixture_msg[name] = msg
        # Slow cases (compiles) first keeps both workers busy to the end.
        order = sorted(cases, key=lambda c: c["expect"] == "error")
        results = list(pool.map(lambda c: run_case(ctx, c), order))
    elapsed = time.time() - t0
    byid = {r.id: r for r in results}
    results = [byid[c["id"]] for c in cases]

    failed = [r for r in results if r.status != "pass"]
    for r in results:
        if r.status != "pass" or a.v:
            print("%s %s [%s, expected %s]: %s" % (
                "PASS" if r.status == "pass" else "FAIL", r.id, r.status,
                r.expect, r.detail))
    classes = []
    for r in results:
        if r.cls not in classes:
            classes.append(r.cls)
    cols = ["cases", "clean-err", "ran-ok", "crash", "hang", "partial",
            "wrong", "passed", "failed"]
    print()
    print("%-12s" % "class" + "".join("%10s" % c for c in cols))
    tot = [0] * len(cols)
    for cl in classes + ["total"]:
        rs = results if cl == "total" else [r for r in results
                                            if r.cls == cl]
        row = [len(rs),
               sum(r.actual == "clean-error" for r in rs),
               sum(r.actual == "compiled-correct" for r in rs),
               sum(r.status == "crash" for r in rs),
               sum(r.status == "hang" for r in rs),
               sum(r.status == "partial-output" for r in rs),
               sum(r.status == "wrong-outcome" for r in rs),
               sum(r.status == "pass" for r in rs),
               sum(r.status != "pass" for r in rs)]
        print("%-12s" % cl + "".join("%10d" % v for v in row))
    print("(clean-err: exited 1 without crashing; ran-ok: compiled and ran "
          "or compiled as expected; %.0f s on %d jobs)" % (elapsed, a.j))
    with open(os.path.join(ctx.work, "results.json"), "w") as f:
        json.dump([dict(id=r.id, cls=r.cls, expect=r.expect,
                        status=r.status, actual=r.actual, detail=r.detail,
                        seconds=round(r.seconds, 2)) for r in results], f,
                  indent=1)
    print("%d passed, %d failed" % (len(results) - len(failed), len(failed)))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
