#!/usr/bin/env bash
#===- test/fuzz/run.sh - build and run Anvil's libFuzzer harnesses --------===#
#
# usage: test/fuzz/run.sh [--short | --time SECONDS] [--seeds DIR]... [HARNESS]...
#
#   HARNESS       importer, tensorfile (default: both)
#   --short       the deterministic run tools/check.sh does: each harness
#                 -seed=1 for a fixed number of inputs over the seeds only
#   --time S      S seconds per harness (3600 = one CPU hour): a libFuzzer
#                 fork-mode worker (-fork=1) that keeps going after crashes,
#                 growing build-fuzz/fuzz/corpus/HARNESS across runs; seeded
#                 with libonnx-testdata's models and tensors as well
#   --seeds DIR   extra seed folders, by harness: DIR/HARNESS if it exists,
#                 else DIR itself (also ANVIL_FUZZ_SEEDS=DIR:DIR...), e.g.
#                 the generated models of test/corpus
#
# Builds the harnesses with clang++-22 (-fsanitize=fuzzer,address,undefined)
# into ANVIL_FUZZ_BUILD_DIR (default build-fuzz/), writes the seed corpus with
# make_seeds.py, and adds the committed seeds of test/fuzz/seeds/HARNESS.
# Crash reproducers land in build-fuzz/fuzz/findings/HARNESS/ (see
# test/fuzz/README.md for triage). Ends with `N passed, N failed`, a harness
# passing when its run found nothing.
#
#===----------------------------------------------------------------------===#
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
build="${ANVIL_FUZZ_BUILD_DIR:-$root/build-fuzz}"
export CCACHE_BASEDIR="$root"

# The short run's fixed budget: executions per harness (inputs replayed from
# the seeds count too): ~30 s and ~5 s on this project's 2-core machine.
short_runs_importer=8000
short_runs_tensorfile=200000

mode=short
seconds=0
harnesses=()
seed_dirs=()
IFS=: read -r -a env_seeds <<< "${ANVIL_FUZZ_SEEDS:-}"
for d in "${env_seeds[@]}"; do [ -n "$d" ] && seed_dirs+=("$d"); done
while [ $# -gt 0 ]; do
  case "$1" in
    --short) mode=short ;;
    --time) mode=time; seconds="${2:?--time needs SECONDS}"; shift ;;
    --seeds) seed_dirs+=("${2:?--seeds needs DIR}"); shift ;;
    importer|tensorfile) harnesses+=("$1") ;;
    -h|--help) sed -n '4,/^#===/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "fuzz: unknown argument '$1' (see --help)"; echo "0 passed, 1 failed"; exit 1 ;;
  esac
  shift
done
[ ${#harnesses[@]} -eq 0 ] && harnesses=(importer tensorfile)

echo "fuzz: building the harnesses into $build"
if ! { cmake -S "$root" -B "$build" -G Ninja \
         -DMLIR_DIR=/usr/lib/llvm-22/lib/cmake/mlir \
         -DLLVM_EXTERNAL_LIT=/usr/lib/llvm-22/bin/lit \
         -DCMAKE_C_COMPILER=clang-22 -DCMAKE_CXX_COMPILER=clang++-22 \
         -DANVIL_ENABLE_FUZZERS=ON >/dev/null &&
       ninja -C "$build" anvil-fuzzers; }; then
  echo "fuzz: build failed"
  echo "0 passed, ${#harnesses[@]} failed"
  exit 1
fi

seeds="$build/fuzz/seeds"
seed_flags=()
[ "$mode" = time ] && seed_flags=(--onnx-testdata) # ONNX's backend models too
if ! /usr/bin/python3 "$here/make_seeds.py" "$seeds" "${seed_flags[@]}"; then
  echo "fuzz: make_seeds.py failed"
  echo "0 passed, ${#harnesses[@]} failed"
  exit 1
fi

# The short run is the same run every time only without address space
# randomization: libFuzzer's comparison hooks put the pointers compared
# into its mutation dictionary. (Also no -reload: it rereads the corpus on
# a timer.)
launch=()
if [ "$mode" = short ]; then
  if setarch "$(uname -m)" -R true 2>/dev/null; then
    launch=(setarch "$(uname -m)" -R)
  else
    echo "fuzz: setarch -R is not permitted here; the short run may vary between runs"
  fi
fi

passed=0
failed=0
for h in "${harnesses[@]}"; do
  bin="$build/bin/anvil-fuzz-$h"
  dirs=("$seeds/$h")
  [ "$mode" = time ] && dirs+=("$seeds/testdata/$h")
  [ -d "$here/seeds/$h" ] && dirs+=("$here/seeds/$h")
  for d in "${seed_dirs[@]}"; do
    src="$d"
    [ -d "$d/$h" ] && src="$d/$h"
    if [ ! -d "$src" ]; then
      echo "fuzz: seed folder '$d' does not exist"
      failed=$((failed + 1))
      continue
    fi
    # libFuzzer opens every entry of a seed folder: stage copies of the
    # regular files up to -max_len (test/corpus's cases hold FIFOs and
    # subfolders, which break its merge).
    staged="$build/fuzz/extra/$h/$(printf '%s' "$src" | md5sum | cut -c1-8)"
    rm -rf "$staged"
    mkdir -p "$staged"
    find "$src" -type f -size -65k -exec cp --backup=numbered -t "$staged" {} +
    dirs+=("$staged")
  done
  findings="$build/fuzz/findings/$h"
  mkdir -p "$findings"
  log="$build/fuzz/$h.log"
  # Common limits: 20 s per input, 2 GB of RSS (also the malloc limit).
  flags=(-timeout=20 -rss_limit_mb=2048 -artifact_prefix="$findings/"
         -print_final_stats=1)
  if [ "$mode" = short ]; then
    # A fresh, empty first folder: inputs found along the way go there, so
    # every short run starts from the same corpus.
    work="$build/fuzz/short/$h"
    rm -rf "$work" && mkdir -p "$work"
    runs_var="short_runs_$h"
    flags+=(-seed=1 -runs="${!runs_var}" -reload=0)
  else
    work="$build/fuzz/corpus/$h"
    mkdir -p "$work"
    flags+=(-max_total_time="$seconds" -fork=1 -ignore_crashes=1
            -ignore_ooms=1 -ignore_timeouts=1 -max_len=65536)
  fi
  echo "fuzz: $h: $bin ${flags[*]} $work ${dirs[*]}"
  start=$SECONDS
  marker="$build/fuzz/$h.start"
  touch "$marker"
  # Leaks are findings too (LeakSanitizer at the end of each input).
  ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1}" \
    "${launch[@]}" "$bin" "${flags[@]}" "$work" "${dirs[@]}" >"$log" 2>&1
  rc=$?
  # Fork mode prints no final stats: its progress lines start with #RUNS.
  execs=$(grep -E '^stat::number_of_executed_units' "$log" | tail -1 | awk '{print $2}')
  [ -z "$execs" ] && execs=$(grep -oE '^#[0-9]+' "$log" | tail -1 | tr -d '#')
  echo "fuzz: $h: exit $rc after $((SECONDS - start)) s, ${execs:-?} inputs run; log $log"
  new=$(find "$findings" -maxdepth 1 -type f -newer "$marker" | sort)
  if [ $rc -eq 0 ] && [ -z "$new" ]; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    echo "fuzz: $h FOUND SOMETHING (exit $rc); new reproducers:"
    echo "$new" | sed '/^$/d; s/^/  /' | head -20
    grep -E -A12 '^==[0-9]+==ERROR|runtime error:|deadly signal|out-of-memory|timeout after' "$log" | head -40
  fi
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
