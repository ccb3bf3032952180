#!/bin/sh
#===- compile_for_target.sh - compile with anvilc's flags for a target ---===#
#
#   compile_for_target.sh ANVILC TARGET COMPILER [ARGS...]
#
# Runs COMPILER ARGS... followed by the flags `ANVILC --print-compile-flags
# --target=TARGET` prints: the kernel tests are built with exactly the flags
# generated code gets (codegen/Toolchain.cpp is their one definition).
#
#===----------------------------------------------------------------------===#
set -eu
anvilc=$1
target=$2
shift 2
flags=$("$anvilc" --target="$target" --print-compile-flags)
# shellcheck disable=SC2086 # one flag per word
exec "$@" $flags
