#!/usr/bin/env bash
#===- run.sh - Anvil vs ONNX Runtime, side by side -------------------------===#
#
# usage: tools/bench/run.sh [--rounds R] [--runs N] [--threads "1 2"] [MODEL.onnx...]
#
# For every model (default: examples/fashion_mnist/model.onnx and torchvision's
# ResNet-50 from test/e2e/resnet50/export_resnet50.py): compile it with anvilc,
# make a random input, check that Anvil's and ONNX Runtime's outputs agree,
# then time both, interleaved round by round (anvil T=1, ort T=1, anvil T=2,
# ort T=2, next round ...), and report the median of the per-round medians.
# The table goes to stdout and to <build>/bench/results.md. See README.md.
#
# Environment: ANVIL_BUILD_DIR (default: the repo's build/), ROUNDS, RUNS,
# THREADS, PEAK_STATED (115), PEAK_MEASURED (221).
#
#===----------------------------------------------------------------------===#
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
BUILD="$(cd "${ANVIL_BUILD_DIR:-$REPO/build}" && pwd)"
BENCH="$BUILD/bench"
ANVILC="$BUILD/bin/anvilc"
ANVIL_RUN="$BUILD/bin/anvil-run"
PY=/usr/bin/python3
NODE=/usr/bin/node
ORT_VERSION=1.30.0

ROUNDS="${ROUNDS:-5}"
RUNS="${RUNS:-}"            # empty: chosen per model so one batch takes ~1 s
THREADS="${THREADS:-1 2}"
PEAK_STATED="${PEAK_STATED:-115}"
PEAK_MEASURED="${PEAK_MEASURED:-221}"
PEAK_MEASURED_RANGE="${PEAK_MEASURED_RANGE:-213-229 GFLOPS/core measured}"

MODELS=()
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) ROUNDS="$2"; shift 2 ;;
    --runs) RUNS="$2"; shift 2 ;;
    --threads) THREADS="$2"; shift 2 ;;
    -h|--help) sed -n '3,15p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "run.sh: unknown option $1" >&2; exit 2 ;;
    *) MODELS+=("$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"); shift ;;
  esac
done

die() { echo "run.sh: error: $*" >&2; exit 1; }
log() { echo "== $*" >&2; }

for t in "$ANVILC" "$ANVIL_RUN"; do
  [ -x "$t" ] || die "$t not built (ninja -C $BUILD anvilc anvil-run)"
done
[ -x "$NODE" ] || die "$NODE not found (apt-get install nodejs npm)"
mkdir -p "$BENCH"
LOAD_START="$(cut -d' ' -f1-3 /proc/loadavg)"

# --- ONNX Runtime from npm, into <build>/bench/node_modules (idempotent) -----
ORT_PKG="$BENCH/node_modules/onnxruntime-node/package.json"
have_ort() {
  [ -f "$ORT_PKG" ] && [ "$($NODE -p "require('$ORT_PKG').version")" = "$ORT_VERSION" ]
}
if ! have_ort; then
  command -v npm >/dev/null || die "npm not found (apt-get install npm)"
  log "installing onnxruntime-node@$ORT_VERSION into $BENCH/node_modules"
  [ -f "$BENCH/package.json" ] ||
    echo '{"name": "anvil-bench", "private": true}' > "$BENCH/package.json"
  # --ignore-scripts: its install script downloads GPU add-ons and fails
  # offline; the CPU library ships inside the package.
  (cd "$BENCH" && npm install --ignore-scripts --no-audit --no-fund \
      --loglevel=error "onnxruntime-node@$ORT_VERSION" >&2)
  have_ort || die "onnxruntime-node@$ORT_VERSION did not install"
fi
export ORT_NODE_MODULES="$BENCH/node_modules"

# --- default models ----------------------------------------------------------
if [ ${#MODELS[@]} -eq 0 ]; then
  RN="$BENCH/resnet50"
  if [ ! -f "$RN/resnet50.onnx" ]; then
    log "exporting ResNet-50 into $RN"
    "$PY" "$REPO/test/e2e/resnet50/export_resnet50.py" "$RN" >&2
  fi
  MODELS=("$REPO/examples/fashion_mnist/model.onnx" "$RN/resnet50.onnx")
fi

# a short name per model: the file stem, or its folder's name for model.onnx
model_name() {
  local stem; stem="$(basename "$1" .onnx)"
  if [ "$stem" = model ]; then basename "$(dirname "$1")"; else echo "$stem"; fi
}

# `latency_ms median=X ...` -> X
median_of() { sed -n 's/^latency_ms median=\([0-9.]*\).*/\1/p'; }

TSV="$BENCH/rounds.tsv"
: > "$TSV"

for MODEL in "${MODELS[@]}"; do
  [ -f "$MODEL" ] || die "no such model: $MODEL"
  NAME="$(model_name "$MODEL")"
  DIR="$BENCH/$NAME"
  mkdir -p "$DIR"
  log "$NAME: $MODEL"

  eval "$("$PY" "$HERE/bench_helper.py" prepare "$MODEL" "$DIR" 20240601)"

  LIB="$DIR/lib$NAME.so"
  t0=$(date +%s.%N)
  "$ANVILC" "$MODEL" "${SHAPE_ARGS[@]}" -o "$LIB" ||
    die "anvilc failed on $MODEL"
  COMPILE_S=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
  log "$NAME: compiled in ${COMPILE_S}s"

  # Same input, both engines; outputs must agree or the timing compares
  # different work.
  rm -rf "$DIR/out_anvil" "$DIR/out_ort"
  "$ANVIL_RUN" "$LIB" "${ANVIL_INPUTS[@]}" --output-dir "$DIR/out_anvil" >/dev/null
  "$NODE" "$HERE/ort_bench.mjs" --model "$MODEL" "${ORT_INPUTS[@]}" \
      --output-dir "$DIR/out_ort"
  CMP="$("$PY" "$HERE/bench_helper.py" compare "$DIR/out_anvil" "$DIR/out_ort")"
  log "$NAME: anvil vs ort: $CMP"

  # Runs per batch: enough for ~1 s of Anvil at one thread, 20..5000.
  N="$RUNS"
  if [ -z "$N" ]; then
    ms=$("$ANVIL_RUN" "$LIB" "${ANVIL_INPUTS[@]}" --threads 1 --bench 5 | median_of)
    N=$(awk -v ms="$ms" 'BEGIN { n = int(1000 / (ms + 0.0001));
                                  print (n < 20 ? 20 : (n > 5000 ? 5000 : n)) }')
  fi
  W=$(( N / 10 > 3 ? N / 10 : 3 ))
  log "$NAME: $ROUNDS rounds x $N runs (warm-up $W) per engine and thread count"

  set -- $CMP
  printf 'model\t%s\tflops=%s\truns=%s\trounds=%s\tcompile_s=%s\t%s\t%s\t%s\n' \
    "$NAME" "$FLOPS" "$N" "$ROUNDS" "$COMPILE_S" "$1" "$2" "$3" >> "$TSV"

  for r in $(seq 1 "$ROUNDS"); do
    for T in $THREADS; do
      a=$("$ANVIL_RUN" "$LIB" "${ANVIL_INPUTS[@]}" --threads "$T" \
            --bench "$N" --warmup "$W" | median_of)
      o=$("$NODE" "$HERE/ort_bench.mjs" --model "$MODEL" "${ORT_INPUTS[@]}" \
            --threads "$T" --runs "$N" --warmup "$W" | median_of)
      [ -n "$a" ] && [ -n "$o" ] || die "$NAME: a timing run failed"
      printf '%s\t%s\t%s\tanvil\t%s\n' "$NAME" "$T" "$r" "$a" >> "$TSV"
      printf '%s\t%s\t%s\tort\t%s\n' "$NAME" "$T" "$r" "$o" >> "$TSV"
      log "$NAME round $r T=$T: anvil $a ms, ort $o ms"
    done
  done
done

# The fixed cost of one ORT call through the Node binding (matters for
# models that run in tens of microseconds).
"$PY" "$HERE/bench_helper.py" floor "$BENCH/floor"
FLOOR=$("$NODE" "$HERE/ort_bench.mjs" --model "$BENCH/floor/relu.onnx" \
          --input "x=$BENCH/floor/relu_in.npy" --threads 1 --runs 5000 \
          --warmup 500 | median_of)

LOAD_END="$(cut -d' ' -f1-3 /proc/loadavg)"
BUSY=$(awk -v l="${LOAD_START%% *}" -v n="$(nproc)" 'BEGIN { print (l + 1 > n ? "yes" : "no") }')
LOAD_NOTE="load average (1/5/15 min) at start: $LOAD_START; at end: $LOAD_END"
if [ "$BUSY" = yes ]; then
  LOAD_NOTE="$LOAD_NOTE. WARNING: other jobs kept the CPUs busy (load + 1 > $(nproc) CPUs); multi-thread rows then measure contention more than scaling"
fi
CPU="$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)"
COMMIT="$(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo unknown)"
"$PY" "$HERE/bench_helper.py" report "$TSV" "$BENCH/results.md" \
  "$PEAK_STATED" "$PEAK_MEASURED" "$PEAK_MEASURED_RANGE" \
  "date: $(date -u '+%Y-%m-%d %H:%M UTC'), anvil commit $COMMIT, onnxruntime-node $ORT_VERSION (CPU EP, graphOptimizationLevel all, interOp 1, sequential)" \
  "machine: $CPU, $(nproc) online CPUs" \
  "$LOAD_NOTE" \
  "ORT call floor through the Node binding (a 1-node Relu model, T=1, median of 5000): $FLOOR ms; it is inside every ort_ms" \
  "method: per model, $ROUNDS rounds; each round runs anvil T, ort T for T in: $THREADS; each entry is one process timing N runs after N/10 warm-up runs"
echo "wrote $BENCH/results.md"
