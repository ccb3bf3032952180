#!/usr/bin/python3
#===- bench_helper.py - model facts, inputs, agreement and the report -----===#
#
# The Python half of tools/bench/run.sh (Debian's numpy and onnx only):
#
#   prepare MODEL DIR [SEED]
#       Pins every dynamic input dim to 1, writes one random float32 input
#       per graph input to DIR/inputs/<i>.npy (fixed seed, N(0,1)), counts the
#       model's FLOPs (2 * multiply-accumulates of Conv, ConvTranspose, Gemm,
#       MatMul after ONNX shape inference), writes DIR/info.json and prints
#       shell assignments (SHAPE_ARGS, ANVIL_INPUTS, ORT_INPUTS, FLOPS).
#   compare DIR_A DIR_B
#       Compares every DIR_A/*.npy with DIR_B/*.npy of the same name; prints
#       `max_abs_diff=.. max_abs_ref=.. agree=yes|no` (agree: every element
#       within 1e-3*|b| + 1e-4*max|b|, the tolerance of check_resnet50.py).
#   floor DIR
#       Writes DIR/relu.onnx (one Relu on 1x1x28x28) and DIR/relu_in.npy: a
#       near-empty model whose ORT time is the cost of a session.run() call
#       through the Node binding.
#   report TSV OUT.md META...
#       Reads the per-round medians and FMA peaks that run.sh collected,
#       prints the table and writes it (with per-round details) to OUT.md.
#
#===----------------------------------------------------------------------===#
import glob
import json
import os
import shlex
import statistics
import sys

import numpy as np


def load_model(path):
    import onnx
    return onnx.load(path, load_external_data=False)


def dims_of(type_proto):
    t = type_proto.tensor_type
    if not t.HasField("shape"):
        return None
    out = []
    for d in t.shape.dim:
        out.append(d.dim_value if d.HasField("dim_value") else None)
    return out


def count_macs(model):
    """Multiply-accumulates per op type; None when a shape is unknown."""
    import onnx
    from onnx import shape_inference
    model = shape_inference.infer_shapes(model)
    g = model.graph
    shapes = {}
    for vi in list(g.input) + list(g.value_info) + list(g.output):
        shapes[vi.name] = dims_of(vi.type)
    for init in g.initializer:
        shapes[init.name] = list(init.dims)

    def known(s):
        return s is not None and all(isinstance(d, int) and d > 0 for d in s)

    macs = {}
    unknown = []
    for node in g.node:
        op = node.op_type
        if op not in ("Conv", "ConvTranspose", "Gemm", "MatMul"):
            continue
        ins = [shapes.get(n) for n in node.input]
        out = shapes.get(node.output[0])
        attrs = {a.name: onnx.helper.get_attribute_value(a)
                 for a in node.attribute}
        n = None
        if op == "Conv" and known(out) and known(ins[1]):
            # every output element: C/group * prod(kernel) MACs
            n = int(np.prod(out)) * int(np.prod(ins[1][1:]))
        elif op == "ConvTranspose" and known(ins[0]) and known(ins[1]):
            # every input element scatters into M/group * prod(kernel) outputs
            n = int(np.prod(ins[0])) * int(np.prod(ins[1][1:]))
        elif op == "Gemm" and known(out) and known(ins[0]):
            k = ins[0][0] if attrs.get("transA", 0) else ins[0][1]
            n = int(np.prod(out)) * k
        elif op == "MatMul" and known(out) and known(ins[0]):
            n = int(np.prod(out)) * ins[0][-1]
        if n is None:
            unknown.append(node.name or op)
        else:
            macs[op] = macs.get(op, 0) + n
    return macs, unknown


def cmd_prepare(model_path, out_dir, seed=0):
    model = load_model(model_path)
    g = model.graph
    inits = {i.name for i in g.initializer}
    rng = np.random.default_rng(int(seed))
    os.makedirs(os.path.join(out_dir, "inputs"), exist_ok=True)
    shape_args, anvil_inputs, ort_inputs, inputs = [], [], [], []
    for i, vi in enumerate(x for x in g.input if x.name not in inits):
        d = dims_of(vi.type)
        if d is None:
            sys.exit("bench_helper: input '%s' has no shape" % vi.name)
        if vi.type.tensor_type.elem_type != 1:
            sys.exit("bench_helper: input '%s' is not float32" % vi.name)
        pinned = [x if x else 1 for x in d]
        if pinned != d:
            shape_args += ["--shape", "%s=%s" % (vi.name,
                                                 "x".join(map(str, pinned)))]
        # pin the dims in the graph so shape inference (FLOPs) sees them
        for dim, v in zip(vi.type.tensor_type.shape.dim, pinned):
            dim.Clear()
            dim.dim_value = v
        f = os.path.join(out_dir, "inputs", "%d.npy" % i)
        np.save(f, rng.standard_normal(pinned).astype(np.float32))
        anvil_inputs += ["--input", "%s=%s" % (vi.name, f)]
        ort_inputs += ["--input", "%s=%s" % (vi.name, f)]
        inputs.append({"name": vi.name, "shape": pinned, "file": f})
    macs, unknown = count_macs(model)
    flops = 2 * sum(macs.values()) if macs and not unknown else 0
    info = {"model": os.path.abspath(model_path), "inputs": inputs,
            "macs_by_op": macs, "unknown_shape_nodes": unknown,
            "flops": flops}
    with open(os.path.join(out_dir, "info.json"), "w") as f:
        json.dump(info, f, indent=1)
    q = lambda xs: " ".join(shlex.quote(x) for x in xs)
    print("SHAPE_ARGS=(%s)" % q(shape_args))
    print("ANVIL_INPUTS=(%s)" % q(anvil_inputs))
    print("ORT_INPUTS=(%s)" % q(ort_inputs))
    print("FLOPS=%d" % flops)


def cmd_compare(dir_a, dir_b):
    files = sorted(glob.glob(os.path.join(dir_a, "*.npy")))
    if not files:
        sys.exit("bench_helper: no outputs in %s" % dir_a)
    worst, ref_max, ok = 0.0, 0.0, True
    for fa in files:
        fb = os.path.join(dir_b, os.path.basename(fa))
        if not os.path.exists(fb):
            print("max_abs_diff=nan max_abs_ref=nan max_rel_err=nan agree=no "
                  "(missing %s)" % fb)
            return
        a = np.load(fa).astype(np.float64)
        b = np.load(fb).astype(np.float64)
        if a.shape != b.shape:
            print("max_abs_diff=nan max_abs_ref=nan max_rel_err=nan agree=no "
                  "(shape %s vs %s)" % (a.shape, b.shape))
            return
        diff = np.abs(a - b)
        m = float(np.abs(b).max()) if b.size else 0.0
        worst = max(worst, float(diff.max()) if diff.size else 0.0)
        ref_max = max(ref_max, m)
    # The zoo's bar: max |a - b| / max |ref| <= 1e-4 over all outputs.
    rel = worst / ref_max if ref_max > 0 else (0.0 if worst == 0 else np.inf)
    print("max_abs_diff=%.3g max_abs_ref=%.3g max_rel_err=%.3g agree=%s"
          % (worst, ref_max, rel, "yes" if rel <= 1e-4 else "no"))


def cmd_floor(out_dir):
    import onnx
    from onnx import helper, TensorProto
    os.makedirs(out_dir, exist_ok=True)
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 1, 28, 28])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 1, 28, 28])
    g = helper.make_graph([helper.make_node("Relu", ["x"], ["y"])], "floor",
                          [x], [y])
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)])
    onnx.save(m, os.path.join(out_dir, "relu.onnx"))
    np.save(os.path.join(out_dir, "relu_in.npy"),
            np.random.default_rng(0).standard_normal((1, 1, 28, 28))
            .astype(np.float32))


def cmd_report(tsv, out_md, *meta):
    times = {}     # (model, threads, engine) -> [per-round medians]
    # (model, config, threads) -> [per-round GFLOP/s, all threads]: a
    # model's rows divide by the peaks measured in its own rounds (clocks
    # drift over a long run); `peak` lines follow their model's line.
    peaks = {}
    current = None
    order = []     # (model, threads) in first-seen order
    configs = []   # anvil variants in first-seen order
    extra = {}     # model -> dict of key=value facts
    with open(tsv) as f:
        for line in f:
            parts = line.rstrip("\n").split("\t")
            if parts[0] == "model":
                current = parts[1]
                extra[parts[1]] = dict(p.split("=", 1) for p in parts[2:])
                continue
            if parts[0] == "peak":
                _, config, threads, _rnd, gflops = parts[:5]
                peaks.setdefault((current, config, int(threads)), []).append(
                    float(gflops))
                continue
            model, threads, _rnd, engine, med = parts[:5]
            key = (model, int(threads))
            if key not in order:
                order.append(key)
            if engine.startswith("anvil:") and engine[6:] not in configs:
                configs.append(engine[6:])
            times.setdefault((model, int(threads), engine), []).append(
                float(med))

    med = statistics.median
    hdr = ("model", "target", "threads", "anvil_ms", "ort_ms",
           "anvil/ort", "GFLOP/s", "FMA peak GFLOP/s", "% of peak",
           "max rel err vs ORT (<= 1e-4)")
    rows = []
    for model, threads in order:
        e = extra.get(model, {})
        o = med(times[(model, threads, "ort")])
        flops = float(e.get("flops", 0))
        for c in configs:
            a = med(times[(model, threads, "anvil:" + c)])
            pk = med(peaks[(model, c, threads)])
            gf = flops / (a * 1e-3) / 1e9 if flops else 0.0
            agree = "%s (%s)" % (e.get(c + "_max_rel_err", "?"),
                                 e.get(c + "_agree", "?"))
            rows.append((model, e.get("target_" + c, c), str(threads),
                         "%.3f" % a, "%.3f" % o, "%.3f" % (a / o),
                         "%.1f" % gf if flops else "n/a", "%.0f" % pk,
                         "%.1f%%" % (100 * gf / pk) if flops else "n/a",
                         agree))

    # terminal table
    cells = [hdr] + rows
    w = [max(len(c[i]) for c in cells) for i in range(len(hdr))]
    print()
    for c in cells:
        print("  ".join(x.rjust(w[i]) if i > 1 else x.ljust(w[i])
                        for i, x in enumerate(c)))
    print()
    notes = [
        "anvil/ort = anvil_ms / ort_ms: Anvil's latency as a multiple of "
        "ONNX Runtime's (< 1: Anvil faster). Each time is the median of the "
        "per-round medians; no best runs.",
        "FMA peak: `anvil-run --peak --threads T` in the same rounds (a loop "
        "of independent fp32 FMAs on T threads at once, for the ISA the "
        "variant runs: avx2 rows are capped with ANVIL_MAX_CPU_ISA=avx2); "
        "median over rounds. % of peak = Anvil's GFLOP/s / that peak. ONNX "
        "Runtime picks its own best ISA on this host in every row.",
        "FLOPs = 2 x multiply-accumulates of Conv/Gemm/MatMul from ONNX "
        "shape inference (direct convolution; Winograd layers do fewer, so "
        "their GFLOP/s is effective and % of peak may pass 100); GFLOP/s = "
        "FLOPs / anvil median.",
    ]
    for n in notes:
        print(n)

    md = ["# Anvil vs ONNX Runtime", ""]
    md += ["- " + m for m in meta]
    md += ["", "| " + " | ".join(hdr) + " |", "|" + "---|" * len(hdr)]
    md += ["| " + " | ".join(r) + " |" for r in rows]
    md += [""] + [n + "\n" for n in notes]
    md += ["## Measured FMA peak (GFLOP/s, fp32, in each model's rounds)", "",
           "| model | variant | threads | median | per thread | rounds |",
           "|---|---|---|---|---|---|"]
    for (m, c, t), v in peaks.items():
        md.append("| %s | %s | %d | %.1f | %.1f | %s |" % (
            m, c, t, med(v), med(v) / t, " ".join("%.1f" % x for x in v)))
    md += ["", "## Models", "",
           "| model | FLOPs | runs x rounds | anvil compile | output max abs |",
           "|---|---|---|---|---|"]
    for model, e in extra.items():
        flops = float(e.get("flops", 0))
        md.append("| %s | %s | %s x %s | %s s | %s |" % (
            model, ("%.4g" % flops) if flops else "n/a", e.get("runs", "?"),
            e.get("rounds", "?"), e.get("compile_s", "?"),
            e.get("best_max_abs_ref", "?")))
    md += ["", "## Per-round medians (ms)", "",
           "| model | threads | engine | rounds |", "|---|---|---|---|"]
    for (model, threads, eng), v in times.items():
        md.append("| %s | %d | %s | %s |" % (
            model, threads, eng, " ".join("%.3f" % x for x in v)))
    with open(out_md, "w") as f:
        f.write("\n".join(md) + "\n")


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "prepare":
        cmd_prepare(*args)
    elif cmd == "compare":
        cmd_compare(*args)
    elif cmd == "floor":
        cmd_floor(*args)
    elif cmd == "report":
        cmd_report(*args)
    else:
        sys.exit("bench_helper: unknown command %s" % cmd)


if __name__ == "__main__":
    main()
