#===- check_trace.py - anvil-run --trace writes a sound trace --------------===#
# usage: check_trace.py TRACE.json RUNS [REPORT]
# Checks the Chrome/Perfetto trace anvil-run --trace wrote: strict JSON; a
# process_name record; RUNS "run" events, each followed by the same number
# of "op" events with the same names in the same order, which tile the run
# (each op starts where the previous one ended, the first at the run's
# start, the last ending at its end, to the microsecond rounding) with
# non-negative durations, runs in time order. Prints `trace ok: R runs of N
# ops` or the first problem (exit 1). With REPORT (anvil-run --profile's
# output) the ops must also be the ones its `profile: N ops` line counts.
#===----------------------------------------------------------------------===#
import json
import sys


def fail(msg):
    print("trace: " + msg)
    sys.exit(1)


path, want_runs = sys.argv[1], int(sys.argv[2])
with open(path, "rb") as f:
    raw = f.read()
try:
    doc = json.loads(raw.decode("utf-8"))
except (UnicodeDecodeError, json.JSONDecodeError) as e:
    fail("not strict UTF-8 JSON: %s" % e)
events = doc.get("traceEvents")
if not isinstance(events, list) or not events:
    fail("no traceEvents")
if events[0].get("ph") != "M" or events[0].get("name") != "process_name":
    fail("the first event is not the process_name record")
runs = []
for e in events[1:]:
    if e.get("ph") != "X" or "ts" not in e or "dur" not in e:
        fail("not a complete event: %r" % e)
    if e["dur"] < 0:
        fail("negative duration: %r" % e)
    if e.get("cat") == "run":
        runs.append((e, []))
    elif e.get("cat") == "op":
        if not runs:
            fail("an op before the first run")
        runs[-1][1].append(e)
    else:
        fail("unknown category: %r" % e)
if len(runs) != want_runs:
    fail("%d runs, expected %d" % (len(runs), want_runs))
names = [o["name"] for o in runs[0][1]]
if not names:
    fail("run 0 has no ops")
tol = 0.0015  # two roundings to 0.001 us
prev_end = -1.0
for run, ops in runs:
    if [o["name"] for o in ops] != names:
        fail("%s has other ops than run 0" % run["name"])
    start, end = run["ts"], run["ts"] + run["dur"]
    if start < prev_end - tol:
        fail("%s starts before the previous run ended" % run["name"])
    prev_end = end
    at = start
    for o in ops:
        if abs(o["ts"] - at) > tol:
            fail("%s: op %r starts at %.3f, not where the previous ended "
                 "(%.3f)" % (run["name"], o["name"], o["ts"], at))
        for key in ("op", "kernel", "flops", "run"):
            if key not in o.get("args", {}):
                fail("op %r has no %s" % (o["name"], key))
        at = o["ts"] + o["dur"]
    if abs(at - end) > 2 * tol * len(ops):
        fail("%s: its ops end at %.3f, the run at %.3f" % (run["name"], at,
                                                          end))
if len(sys.argv) > 3:
    with open(sys.argv[3]) as f:
        counts = [int(l.split()[1]) for l in f if l.startswith("profile: ")]
    if counts != [len(names)]:
        fail("the report counts %r ops, the trace %d" % (counts, len(names)))
print("trace ok: %d runs of %d ops" % (len(runs), len(names)))
