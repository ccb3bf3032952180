#!/usr/bin/env bash
#===- tools/check.sh - install, build and run every Anvil test -----------===#
#
# The README's test command. Installs missing Debian packages and ends with
# one plain line: `N passed, N failed`.
#
#   tools/check.sh             release build in build/ (ANVIL_BUILD_DIR): the
#                              lit suites (import, dialects, passes, codegen,
#                              e2e), the GoogleTest suites (through lit), the
#                              ONNX conformance suite and ResNet-50, the
#                              hostile-model corpus (test/corpus/run.sh) and
#                              the short deterministic fuzz run
#                              (test/fuzz/run.sh --short, clang++-22 build in
#                              build-fuzz/)
#   tools/check.sh --sanitize  Anvil built with ASan + UBSan by g++ into
#                              build-sanitize/ (ANVIL_SANITIZE_BUILD_DIR): the
#                              lit suites and the model corpus
#                              (test/corpus/run.sh) under the sanitizers
#   --no-fuzz                  skip the short fuzz run (default mode only)
#
#===----------------------------------------------------------------------===#
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
export CCACHE_BASEDIR="$root"

mode=release
fuzz=1
for arg in "$@"; do
  case "$arg" in
    --sanitize) mode=sanitize ;;
    --no-fuzz) fuzz=0 ;;
    -h|--help) sed -n '4,/^#===/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "check: unknown option '$arg' (see --help)"; echo "0 passed, 1 failed"; exit 1 ;;
  esac
done

if [ "$mode" = sanitize ]; then
  build="${ANVIL_SANITIZE_BUILD_DIR:-$root/build-sanitize}"
  cmake_extra=(-DANVIL_SANITIZE=address,undefined)
  # allow_user_poisoning=0: LLVM's headers poison BumpPtrAllocator slabs in
  # ASan builds, and the uninstrumented libMLIR.so allocates from them
  # without unpoisoning (false use-after-poison reports).
  # allocator_may_return_null=1: a huge request fails as it would without
  # ASan (the runtime's tests check that contexts report it).
  export ASAN_OPTIONS="${ASAN_OPTIONS:-allow_user_poisoning=0:allocator_may_return_null=1:detect_leaks=1}"
  export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
else
  build="${ANVIL_BUILD_DIR:-$root/build}"
  cmake_extra=()
fi

./tools/setup.sh || { echo "check: setup failed"; echo "0 passed, 1 failed"; exit 1; }

echo "check: configuring and building into $build"
if ! { cmake -S . -B "$build" -G Ninja -DMLIR_DIR=/usr/lib/llvm-22/lib/cmake/mlir \
         -DLLVM_EXTERNAL_LIT=/usr/lib/llvm-22/bin/lit "${cmake_extra[@]}" >/dev/null &&
       ninja -C "$build"; }; then
  echo "check: build failed"
  echo "0 passed, 1 failed"
  exit 1
fi

passed=0
failed=0
add_counts() { # add_counts PASSED FAILED
  passed=$((passed + $1))
  failed=$((failed + $2))
}
# add_summary LOG: adds the last `N passed, N failed` line of LOG, or one
# failure when the suite did not get that far.
add_summary() {
  local line
  line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$1" | tail -1)
  if [ -n "$line" ]; then
    add_counts "$(echo "$line" | cut -d' ' -f1)" "$(echo "$line" | cut -d' ' -f3)"
  else
    add_counts 0 1
  fi
}

# lit: FileCheck suites and unit tests (GoogleTest through lit).
run_lit() {
  echo "check: lit suites ($build)"
  local lit_log="$build/check-lit.log"
  /usr/lib/llvm-22/bin/lit -sv "$build/test" "$build/test/unit" 2>&1 | tee "$lit_log"
  sum_lit() { # sum_lit REGEX: adds up lit's summary counts for those result kinds
    grep -E "^ *($1) *: *[0-9]+" "$lit_log" | awk -F: '{s += $2} END {print s + 0}'
  }
  add_counts "$(sum_lit 'Passed|Expectedly Failed')" \
             "$(sum_lit 'Failed|Unresolved|Timed Out|Unexpectedly Passed')"
  grep -q 'Passed' "$lit_log" || add_counts 0 1 # lit itself did not run
}

# End to end: ONNX conformance data and ResNet-50 against PyTorch.
run_e2e() {
  echo "check: end-to-end suites"
  local e2e_log="$build/check-e2e.log"
  ANVIL_BUILD_DIR="$build" ./test/e2e/run_all.sh 2>&1 | tee "$e2e_log"
  add_summary "$e2e_log"
}

# The model corpus (test/corpus/run.sh) against the Anvil built in $build;
# a missing runner is a failure, not a silent skip.
run_corpus() {
  echo "check: model corpus ($build)"
  if [ ! -x test/corpus/run.sh ]; then
    echo "check: test/corpus/run.sh is missing (or not executable): the corpus did not run"
    add_counts 0 1
    return
  fi
  local corpus_log="$build/check-corpus.log"
  ANVIL_BUILD_DIR="$build" ./test/corpus/run.sh 2>&1 | tee "$corpus_log"
  add_summary "$corpus_log"
}

# libFuzzer harnesses (test/fuzz): a fixed seed corpus, -seed=1 and a fixed
# number of inputs, so the same tree gives the same run; a harness that
# crashes, leaks or trips a sanitizer counts as a failure.
run_fuzz_short() {
  echo "check: short fuzz run"
  local fuzz_log="$build/check-fuzz.log"
  ./test/fuzz/run.sh --short 2>&1 | tee "$fuzz_log"
  add_summary "$fuzz_log"
}

if [ "$mode" = sanitize ]; then
  run_lit
  run_corpus
else
  run_lit
  run_e2e
  run_corpus
  [ "$fuzz" -eq 1 ] && run_fuzz_short
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
