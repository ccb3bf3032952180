#!/usr/bin/env bash
#===- tools/demo.sh - build Anvil and run the Fashion-MNIST example -------===#
#
# From a fresh Debian 12 machine (as root, or with sudo):
#   ./tools/demo.sh
# installs the dependencies, builds anvilc and the runtime, compiles
# examples/fashion_mnist/model.onnx into a shared library, builds the C++
# application against its generated header, and classifies the 10,000
# Fashion-MNIST test images, comparing with PyTorch's recorded accuracy.
#
# Environment:
#   ANVIL_BUILD_DIR    build directory (default: <repo>/build)
#   ANVIL_SKIP_SETUP=1 do not run tools/setup.sh
#   ANVIL_THREADS=N    threads of the inference context (default: all CPUs)
#   FASHION_MNIST_DIR  dataset (default: /usr/share/datasets/fashion-mnist)
#   CXX                compiler for classify.cpp (default: clang++ of LLVM 22)
#
# Exits non-zero when any step fails or Anvil's accuracy differs from
# PyTorch's by more than 0.05 percentage points.
#
#===----------------------------------------------------------------------===#
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

BUILD_DIR="${ANVIL_BUILD_DIR:-$ROOT/build}"
case "$BUILD_DIR" in /*) ;; *) BUILD_DIR="$ROOT/$BUILD_DIR" ;; esac
EXAMPLE="$ROOT/examples/fashion_mnist"
OUT="$BUILD_DIR/examples/fashion_mnist"
DATA_SRC="${FASHION_MNIST_DIR:-/usr/share/datasets/fashion-mnist}"
LLVM_DIR=/usr/lib/llvm-22
JOBS="$(nproc 2>/dev/null || echo 2)"

if [ -t 1 ]; then BOLD=$'\033[1m' RESET=$'\033[0m'; else BOLD= RESET=; fi
step_no=0
step() {
  step_no=$((step_no + 1))
  printf '\n%s==> [%d] %s%s\n' "$BOLD" "$step_no" "$*" "$RESET"
}
fail() {
  printf 'demo: error: %s\n' "$*" >&2
  exit 2
}
# Prints a command, then runs it.
run() {
  printf '+ %s\n' "$*"
  "$@"
}

# --- 1. Dependencies --------------------------------------------------------
step "Installing dependencies (tools/setup.sh)"
if [ "${ANVIL_SKIP_SETUP:-0}" = 1 ]; then
  echo "skipped (ANVIL_SKIP_SETUP=1)"
else
  "$ROOT/tools/setup.sh"
fi

if ! grep -qw avx2 /proc/cpuinfo 2>/dev/null || ! grep -qw fma /proc/cpuinfo 2>/dev/null; then
  fail "this CPU has neither AVX2+FMA nor AVX-512; Anvil's kernels need x86-64-v3 at least"
fi

if command -v ccache >/dev/null 2>&1; then
  export CCACHE_BASEDIR="$ROOT"
  CCACHE=ccache
else
  CCACHE=
fi

# --- 2. Build anvilc and the runtime ---------------------------------------
step "Building anvilc and the runtime in ${BUILD_DIR#"$ROOT"/}"
cmake_log="$(mktemp)"
trap 'rm -f "$cmake_log"' EXIT
cmake_args=(-S "$ROOT" -B "$BUILD_DIR" -G Ninja
  -DMLIR_DIR="$LLVM_DIR/lib/cmake/mlir"
  -DLLVM_EXTERNAL_LIT="$LLVM_DIR/bin/lit")
printf '+ cmake %s\n' "${cmake_args[*]}"
cmake "${cmake_args[@]}" >"$cmake_log" 2>&1 || {
  cat "$cmake_log" >&2
  fail "cmake configure failed (log above)"
}
grep -E '^-- (Build files|Configuring done|Generating done)' "$cmake_log" || true
run ninja -C "$BUILD_DIR" -j "$JOBS" anvilc anvil_runtime
ANVILC="$BUILD_DIR/bin/anvilc"
[ -x "$ANVILC" ] || fail "$ANVILC was not built"

# --- 3. Compile the model ----------------------------------------------------
step "Compiling examples/fashion_mnist/model.onnx with anvilc"
mkdir -p "$OUT"
rm -f "$OUT/libfashion_mnist.so"
# One library for every x86-64 with AVX2: an AVX-512 and an AVX2 variant;
# create picks the best one this CPU runs (ANVIL_MAX_CPU_ISA=avx2 forces
# the AVX2 one).
run "$ANVILC" "$EXAMPLE/model.onnx" -o "$OUT/libfashion_mnist.so" \
  --target=x86-64-v4,x86-64-v3 -v
[ -f "$OUT/libfashion_mnist.so" ] || fail "anvilc wrote no $OUT/libfashion_mnist.so"
# The generated C++ source, header and weights, to read (and the header to
# compile against when anvilc does not put one next to the library).
mkdir -p "$OUT/generated"
run "$ANVILC" "$EXAMPLE/model.onnx" --emit=cpp --target=x86-64-v4,x86-64-v3 \
  -o "$OUT/generated/fashion_mnist.cpp"
if [ -f "$OUT/fashion_mnist.h" ]; then
  HEADER_DIR="$OUT"
else
  HEADER_DIR="$OUT/generated"
fi
[ -f "$HEADER_DIR/fashion_mnist.h" ] || fail "anvilc wrote no header fashion_mnist.h"
ls -l "$OUT/libfashion_mnist.so" "$HEADER_DIR/fashion_mnist.h" "$OUT/generated"

# --- 4. Build the application ------------------------------------------------
step "Building the C++ application (examples/fashion_mnist/classify.cpp)"
CXX="${CXX:-$LLVM_DIR/bin/clang++}"
command -v "$CXX" >/dev/null 2>&1 || CXX=c++
# The model library is self-contained: it exports its entry points
# (fashion_mnist_*, anvil_model_get) and the runtime's C functions.
run $CCACHE "$CXX" -std=c++20 -O2 -Wall -Wextra \
  -I "$HEADER_DIR" -I "$ROOT/runtime/include" \
  "$EXAMPLE/classify.cpp" -o "$OUT/classify" \
  -L "$OUT" -lfashion_mnist -Wl,-rpath,"$OUT"

# --- 5. Test data ------------------------------------------------------------
step "Unpacking the Fashion-MNIST test set from $DATA_SRC"
mkdir -p "$OUT/data"
for f in t10k-images-idx3-ubyte t10k-labels-idx1-ubyte; do
  [ -f "$DATA_SRC/$f.gz" ] || fail "$DATA_SRC/$f.gz not found (package dataset-fashion-mnist)"
  if [ ! -f "$OUT/data/$f" ] || [ "$DATA_SRC/$f.gz" -nt "$OUT/data/$f" ]; then
    gzip -dc "$DATA_SRC/$f.gz" >"$OUT/data/$f.tmp"
    mv "$OUT/data/$f.tmp" "$OUT/data/$f"
  fi
done
ls -l "$OUT/data"

# --- 6. Classify ---------------------------------------------------------------
step "Classifying 10,000 test images with Anvil"
args=(--images "$OUT/data/t10k-images-idx3-ubyte"
      --labels "$OUT/data/t10k-labels-idx1-ubyte"
      --reference "$EXAMPLE/accuracy.json")
[ -f "$EXAMPLE/pytorch_predictions.npy" ] &&
  args+=(--predictions "$EXAMPLE/pytorch_predictions.npy")
[ -n "${ANVIL_THREADS:-}" ] && args+=(--threads "$ANVIL_THREADS")
status=0
run "$OUT/classify" "${args[@]}" || status=$?

echo
if [ "$status" -eq 0 ]; then
  echo "demo: done — Anvil matches PyTorch's accuracy on Fashion-MNIST."
else
  echo "demo: FAILED (classify exited with $status)" >&2
fi
exit "$status"
