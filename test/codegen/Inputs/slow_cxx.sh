#!/bin/sh
# Stands in for clang++ and never finishes on its own: writes the object it
# was asked for (so the scratch directory holds clang's output too), then
# records its pid in $SLOW_CXX_MARK and sleeps until killed.
out=""
while [ $# -gt 0 ]; do
  if [ "$1" = "-o" ]; then out=$2; fi
  shift
done
[ -n "$out" ] && echo partial > "$out"
echo $$ > "$SLOW_CXX_MARK.tmp" && mv "$SLOW_CXX_MARK.tmp" "$SLOW_CXX_MARK"
exec sleep 120
