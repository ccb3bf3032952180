#!/usr/bin/env bash
#===- run.sh - Anvil vs ONNX Runtime, side by side -------------------------===#
#
# usage: tools/bench/run.sh [--rounds R] [--runs N] [--threads "1 2"] [--zoo] [MODEL.onnx...]
#
# For every model (default: examples/fashion_mnist/model.onnx and torchvision's
# ResNet-50 from test/e2e/resnet50/export_resnet50.py): compile it with anvilc
# for the host (on an AVX-512 host a fat library: native and x86-64-v3), make
# a random input, check that each variant's and ONNX Runtime's outputs agree,
# then time them, interleaved round by round (per thread count T: ort, then
# per variant the FMA peak of its ISA and anvil; on an AVX-512 host the
# variants are the best one and the AVX2 one, capped), and report the median
# of the per-round medians with the share of the FMA peak measured in the
# same rounds. --zoo adds every model of tools/zoo/export_zoo.py (exported
# once into <build>/bench/zoo). The table goes to stdout and
# to <build>/bench/results.md. See README.md.
#
# Environment: ANVIL_BUILD_DIR (default: the repo's build/), ROUNDS, RUNS,
# THREADS, ANVILC_FLAGS (extra anvilc flags, e.g. --no-fusion).
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

# The variants measured: the host's best target, and on an AVX-512 host also
# the AVX2 variant of the same fat library, selected with the runtime's ISA
# cap (the library a user would ship to both kinds of machine).
if grep -qw avx512f /proc/cpuinfo; then
  TARGETS="native,x86-64-v3"
  CONFIGS="best avx2"
else
  TARGETS="native"
  CONFIGS="best"
fi
cap_env() { # cap_env CONFIG: the environment that selects it
  if [ "$1" = avx2 ]; then echo ANVIL_MAX_CPU_ISA=avx2; else echo ANVIL_MAX_CPU_ISA=; fi
}

MODELS=()
ZOO=""
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) ROUNDS="$2"; shift 2 ;;
    --runs) RUNS="$2"; shift 2 ;;
    --threads) THREADS="$2"; shift 2 ;;
    --zoo) ZOO=1; shift ;;
    -h|--help) sed -n '3,18p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
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
if [ -n "$ZOO" ]; then
  ZDIR="$BENCH/zoo"
  mapfile -t ZOO_NAMES < <("$PY" "$REPO/tools/zoo/export_zoo.py" --list)
  MISSING=()
  for z in "${ZOO_NAMES[@]}"; do
    [ -f "$ZDIR/$z.onnx" ] || MISSING+=("$z")
  done
  if [ ${#MISSING[@]} -gt 0 ]; then
    log "exporting ${MISSING[*]} into $ZDIR"
    "$PY" "$REPO/tools/zoo/export_zoo.py" "$ZDIR" "${MISSING[@]}" >&2 ||
      die "the zoo export failed"
  fi
  for z in "${ZOO_NAMES[@]}"; do MODELS+=("$ZDIR/$z.onnx"); done
elif [ ${#MODELS[@]} -eq 0 ]; then
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
  # shellcheck disable=SC2086 # ANVILC_FLAGS is a list of flags
  "$ANVILC" "$MODEL" "${SHAPE_ARGS[@]}" --target="$TARGETS" ${ANVILC_FLAGS:-} -o "$LIB" ||
    die "anvilc failed on $MODEL"
  COMPILE_S=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
  log "$NAME: compiled in ${COMPILE_S}s"

  # Same input, both engines; outputs must agree or the timing compares
  # different work.
  rm -rf "$DIR"/out_*
  "$NODE" "$HERE/ort_bench.mjs" --model "$MODEL" "${ORT_INPUTS[@]}" \
      --output-dir "$DIR/out_ort"
  FACTS=""
  for C in $CONFIGS; do
    ACTIVE=$(env "$(cap_env "$C")" "$ANVIL_RUN" "$LIB" --info |
             sed -n 's/^active target: //p')
    env "$(cap_env "$C")" "$ANVIL_RUN" "$LIB" "${ANVIL_INPUTS[@]}" \
        --output-dir "$DIR/out_$C" >/dev/null
    CMP="$("$PY" "$HERE/bench_helper.py" compare "$DIR/out_$C" "$DIR/out_ort")"
    log "$NAME: anvil ($C: $ACTIVE) vs ort: $CMP"
    set -- $CMP
    FACTS="$FACTS"$'\t'"target_$C=$ACTIVE"
    for kv in "$1" "$2" "$3" "$4"; do FACTS="$FACTS"$'\t'"${C}_$kv"; done
  done

  # Runs per batch: enough for ~1 s of Anvil at one thread, 20..5000.
  N="$RUNS"
  if [ -z "$N" ]; then
    ms=$("$ANVIL_RUN" "$LIB" "${ANVIL_INPUTS[@]}" --threads 1 --bench 5 | median_of)
    N=$(awk -v ms="$ms" 'BEGIN { n = int(1000 / (ms + 0.0001));
                                  print (n < 20 ? 20 : (n > 5000 ? 5000 : n)) }')
  fi
  W=$(( N / 10 > 3 ? N / 10 : 3 ))
  log "$NAME: $ROUNDS rounds x $N runs (warm-up $W) per engine and thread count"

  printf 'model\t%s\tflops=%s\truns=%s\trounds=%s\tcompile_s=%s%s\n' \
    "$NAME" "$FLOPS" "$N" "$ROUNDS" "$COMPILE_S" "$FACTS" >> "$TSV"

  for r in $(seq 1 "$ROUNDS"); do
    for T in $THREADS; do
      o=$("$NODE" "$HERE/ort_bench.mjs" --model "$MODEL" "${ORT_INPUTS[@]}" \
            --threads "$T" --runs "$N" --warmup "$W" | median_of)
      [ -n "$o" ] || die "$NAME: an ORT timing run failed"
      printf '%s\t%s\t%s\tort\t%s\n' "$NAME" "$T" "$r" "$o" >> "$TSV"
      msg="ort $o ms"
      for C in $CONFIGS; do
        # The FMA peak of the ISA this variant runs, on T threads, now.
        pk=$(env "$(cap_env "$C")" "$ANVIL_RUN" --peak --threads "$T" |
             sed -n 's/.* gflops=\([0-9.]*\).*/\1/p')
        a=$(env "$(cap_env "$C")" "$ANVIL_RUN" "$LIB" "${ANVIL_INPUTS[@]}" \
              --threads "$T" --bench "$N" --warmup "$W" | median_of)
        [ -n "$a" ] && [ -n "$pk" ] || die "$NAME: an Anvil timing run failed"
        printf '%s\t%s\t%s\tanvil:%s\t%s\n' "$NAME" "$T" "$r" "$C" "$a" >> "$TSV"
        printf 'peak\t%s\t%s\t%s\t%s\n' "$C" "$T" "$r" "$pk" >> "$TSV"
        msg="$msg, anvil[$C] $a ms (peak $pk GFLOP/s)"
      done
      log "$NAME round $r T=$T: $msg"
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
  "date: $(date -u '+%Y-%m-%d %H:%M UTC'), anvil commit $COMMIT, onnxruntime-node $ORT_VERSION (CPU EP, graphOptimizationLevel all, interOp 1, sequential)" \
  "machine: $CPU, $(nproc) online CPUs; AVX-512: $(grep -o 'avx512[a-z_0-9]*' /proc/cpuinfo | sort -u | tr '\n' ' ')" \
  "anvil library: --target=$TARGETS; variants measured: $CONFIGS (avx2 = ANVIL_MAX_CPU_ISA=avx2)" \
  "$LOAD_NOTE" \
  "ORT call floor through the Node binding (a 1-node Relu model, T=1, median of 5000): $FLOOR ms; it is inside every ort_ms" \
  "method: per model, $ROUNDS rounds; each round runs, for T in $THREADS: ort T, then per variant the FMA peak on T threads and anvil T; each entry is one process timing N runs after N/10 warm-up runs"
echo "wrote $BENCH/results.md"
