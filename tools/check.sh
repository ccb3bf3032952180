#!/usr/bin/env bash
#===- tools/check.sh - install, build and run every Anvil test -----------===#
#
# The README's test command. Installs missing Debian packages, builds into
# build/, runs the lit suites (import, dialects, passes, codegen, e2e), the
# GoogleTest suites (through lit), the ONNX conformance suite and ResNet-50,
# and ends with one plain line: `N passed, N failed`.
#
#===----------------------------------------------------------------------===#
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
build="${ANVIL_BUILD_DIR:-$root/build}"
export CCACHE_BASEDIR="$root"

./tools/setup.sh || { echo "check: setup failed"; echo "0 passed, 1 failed"; exit 1; }

echo "check: configuring and building into $build"
if ! { cmake -S . -B "$build" -G Ninja -DMLIR_DIR=/usr/lib/llvm-22/lib/cmake/mlir \
         -DLLVM_EXTERNAL_LIT=/usr/lib/llvm-22/bin/lit >/dev/null &&
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

# lit: FileCheck suites and unit tests (GoogleTest through lit).
echo "check: lit suites"
lit_log="$build/check-lit.log"
/usr/lib/llvm-22/bin/lit -sv "$build/test" "$build/test/unit" 2>&1 | tee "$lit_log"
sum_lit() { # sum_lit REGEX: adds up lit's summary counts for those result kinds
  grep -E "^ *($1) *: *[0-9]+" "$lit_log" | awk -F: '{s += $2} END {print s + 0}'
}
lit_pass=$(sum_lit 'Passed|Expectedly Failed')
lit_fail=$(sum_lit 'Failed|Unresolved|Timed Out|Unexpectedly Passed')
add_counts "${lit_pass:-0}" "${lit_fail:-0}"
grep -q 'Passed' "$lit_log" || add_counts 0 1 # lit itself did not run

# End to end: ONNX conformance data and ResNet-50 against PyTorch.
echo "check: end-to-end suites"
e2e_log="$build/check-e2e.log"
ANVIL_BUILD_DIR="$build" ./test/e2e/run_all.sh 2>&1 | tee "$e2e_log"
e2e_line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$e2e_log" | tail -1)
if [ -n "$e2e_line" ]; then
  add_counts "$(echo "$e2e_line" | cut -d' ' -f1)" "$(echo "$e2e_line" | cut -d' ' -f3)"
else
  add_counts 0 1 # the end-to-end driver did not finish
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
