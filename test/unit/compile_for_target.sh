#!/bin/sh
#===- compile_for_target.sh - compile with anvilc's flags for a target ---===#
#
#   compile_for_target.sh ANVILC TARGET COMPILER [ARGS...] [--after ARGS...]
#
# Runs COMPILER ARGS..., then the flags `ANVILC --print-compile-flags
# --target=TARGET` prints, then the ARGS after --after (which may override
# them, e.g. the optimization level): the kernel tests are built with exactly
# the flags generated code gets (codegen/Target.cpp and Toolchain.cpp are
# their one definition).
#
#===----------------------------------------------------------------------===#
set -eu
anvilc=$1
target=$2
shift 2
# One flag per line; joined so eval below sees one command.
flags=$("$anvilc" --target="$target" --print-compile-flags)
flags=$(printf '%s' "$flags" | tr '\n' ' ')
before=""
after=""
seen_after=0
for a in "$@"; do
  if [ "$seen_after" = 0 ] && [ "$a" = "--after" ]; then
    seen_after=1
  elif [ "$seen_after" = 0 ]; then
    before="$before $(printf '%s' "$a" | sed "s/'/'\\\\''/g; s/^/'/; s/\$/'/")"
  else
    after="$after $(printf '%s' "$a" | sed "s/'/'\\\\''/g; s/^/'/; s/\$/'/")"
  fi
done
# shellcheck disable=SC2086 # one flag per word
eval "exec $before $flags $after"
