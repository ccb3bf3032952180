#!/usr/bin/env bash
#===- test/e2e/run_all.sh - every end-to-end suite, with one total --------===#
#
# Runs the ONNX conformance suite (conformance.py) and the ResNet-50 check
# against PyTorch (resnet50/check_resnet50.py), then adds up their
# `N passed, N failed` lines. The build dir is $ANVIL_BUILD_DIR, else the
# repo's build/. Ends with the plain line `N passed, N failed`; exit status 1
# if anything failed or a suite did not finish.
#
#===----------------------------------------------------------------------===#
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
export ANVIL_BUILD_DIR="${ANVIL_BUILD_DIR:-$root/build}"
python=/usr/bin/python3

passed=0
failed=0
summary=""
run_suite() { # run_suite NAME COMMAND...
  local name="$1"
  shift
  local log="$ANVIL_BUILD_DIR/e2e/$name.log"
  mkdir -p "$ANVIL_BUILD_DIR/e2e"
  echo "run_all: $name"
  local start=$SECONDS
  "$@" 2>&1 | tee "$log"
  local line
  line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$log" | tail -1)
  if [ -z "$line" ]; then
    echo "run_all: $name did not finish (no summary line)"
    line="0 passed, 1 failed"
  fi
  local p f
  p=$(echo "$line" | cut -d' ' -f1)
  f=$(echo "$line" | cut -d' ' -f3)
  passed=$((passed + p))
  failed=$((failed + f))
  summary+="run_all: $name: $p passed, $f failed ($((SECONDS - start)) s)"$'\n'
}

start=$SECONDS
run_suite conformance "$python" "$here/conformance.py"
# The other ISA on a fixed subset that reaches every kernel family (conv
# paths, matmul, pooling, elementwise, softmax, data movement): AVX2
# natively on an AVX-512 host; on an AVX2-only host the AVX-512 kernels
# through anvilc's emulated target (SIMDe on x86-64-v3).
other_subset='node/test_(basic_conv|conv_with_strides|conv_with_autopad|maxpool_2d_(default|strides|pads|dilations)|averagepool_2d_(default|pads|strides)|globalaveragepool|globalmaxpool|gemm_(default|all)|matmul_2d|softmax_axis|sigmoid$|tanh$|erf$|exp$|log$|add_bcast|mul_bcast|pow_bcast|transpose_all|concat_2d|constant_pad|reflect_pad|edge_pad|batchnorm_epsilon|layer_normalization_2d|relu$|leakyrelu$|hardswish$|clip$)|pytorch-converted/test_(Conv2d_depthwise|Conv2d_groups|Linear$|Softmax|MaxPool2d$|AvgPool2d$)'
if grep -qw avx512f /proc/cpuinfo; then
  run_suite conformance-x86-64-v3 "$python" "$here/conformance.py" \
    --target=x86-64-v3 --work-name=conformance-x86-64-v3 \
    --filter="$other_subset"
  # The emulated target the AVX2-only hosts rely on, on every conv path and
  # the masked-tail kernels, so a change that breaks it fails here too.
  emulated_subset='node/test_(basic_conv|conv_with_strides|conv_with_autopad|maxpool_2d_pads|averagepool_2d_pads|gemm_all|matmul_2d|softmax_axis|erf$|add_bcast|transpose_all)|pytorch-converted/test_(Conv2d_depthwise|Conv2d_groups)'
  run_suite conformance-x86-64-v4+emulated "$python" "$here/conformance.py" \
    --target=x86-64-v4+emulated --work-name=conformance-x86-64-v4+emulated \
    --filter="$emulated_subset"
else
  run_suite conformance-x86-64-v4+emulated "$python" "$here/conformance.py" \
    --target=x86-64-v4+emulated --work-name=conformance-x86-64-v4+emulated \
    --filter="$other_subset"
fi
run_suite resnet50 "$python" "$here/resnet50/check_resnet50.py"
printf '%s' "$summary"
echo "run_all: total $((SECONDS - start)) s"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
