#!/usr/bin/env bash
#===- run.sh - build the hostile-model corpus and run it ------------------===#
# usage: test/corpus/run.sh [run_corpus.py options: -j N, --timeout S,
#                           --filter REGEX, --mem-limit-gb G, -v]
# Generates the corpus (make_corpus.py) into $ANVIL_CORPUS_WORK (default
# <build>/corpus), runs every case with the anvilc and anvil-run of
# $ANVIL_BUILD_DIR (default: the repo's build/) and ends with
# `N passed, N failed`. Exit status 1 when a case failed.
#===----------------------------------------------------------------------===#
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
build="${ANVIL_BUILD_DIR:-$repo/build}"
build="$(cd "$build" && pwd)"
work="${ANVIL_CORPUS_WORK:-$build/corpus}"
py=/usr/bin/python3

rm -rf "$work"
mkdir -p "$work"
"$py" "$here/make_corpus.py" "$work/cases"
exec "$py" "$here/run_corpus.py" "$work/cases" --build "$build" \
  --work "$work/run" "$@"
