#!/usr/bin/env bash
#===- test/fuzz/triage.sh - group a harness's reproducers by crash site ---===#
#
# usage: test/fuzz/triage.sh HARNESS [FILE|DIR]...
# Replays each reproducer (default: build-fuzz/fuzz/findings/HARNESS/*) and
# prints one line per distinct crash: the sanitizer's summary, the first
# frames, how many reproducers hit it and the smallest of them.
#
#===----------------------------------------------------------------------===#
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
build="${ANVIL_FUZZ_BUILD_DIR:-$root/build-fuzz}"
h="${1:?usage: triage.sh HARNESS [FILE|DIR]...}"
shift
bin="$build/bin/anvil-fuzz-$h"
[ -x "$bin" ] || { echo "triage: no $bin (run test/fuzz/run.sh --short first)"; exit 1; }
[ $# -eq 0 ] && set -- "$build/fuzz/findings/$h"
declare -A count smallest size
for f in $(find "$@" -type f | sort); do
  out=$("$bin" "$f" 2>&1)
  summary=$(echo "$out" | grep -m1 -E '^SUMMARY: |^==[0-9]+== ?ERROR: libFuzzer|runtime error:|^fuzz-' |
            sed -E 's/\(BuildId[^)]*\)//g; s/0x[0-9a-f]+//g; s/==[0-9]+==//')
  frames=$(echo "$out" | grep -E '^    #[0-9]+ ' | grep -vE ' in (std::|__|fuzzer::|LLVMFuzzer)' |
           head -3 | sed -E 's/^ *#[0-9]+ 0x[0-9a-f]+ in //; s/ \(.*BuildId.*//; s/ \/.*//' | paste -sd'<' | sed 's/</ <- /g')
  [ -z "$summary$frames" ] && summary="no crash"
  key="$summary | $frames"
  count[$key]=$(( ${count[$key]:-0} + 1 ))
  s=$(stat -c %s "$f")
  if [ -z "${size[$key]:-}" ] || [ "$s" -lt "${size[$key]}" ]; then
    size[$key]=$s
    smallest[$key]=$f
  fi
done
for key in "${!count[@]}"; do
  echo "${count[$key]} x $key"
  echo "    smallest: ${smallest[$key]} (${size[$key]} bytes)"
done
