#!/usr/bin/env bash
#===- tools/setup.sh - install Anvil's build and test dependencies --------===#
#
# Idempotent: returns in seconds when everything is present. Debian packages
# only; the ONNX Runtime peer (benchmarks only) comes from npm.
#
#===----------------------------------------------------------------------===#
set -euo pipefail

packages=(
  cmake ninja-build ccache pkg-config
  clang-22 libclang-rt-22-dev llvm-22-dev llvm-22-tools libmlir-22-dev mlir-22-tools
  libonnx-dev libprotobuf-dev protobuf-compiler
  libdnnl-dev libgtest-dev libsimde-dev
  python3-numpy python3-onnx python3-torch python3-torchvision
  libonnx-testdata dataset-fashion-mnist
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  echo "setup: all dependencies present"
fi
