#!/bin/sh
# Stands in for clang++: prints a diagnostic and fails.
echo "fake.cpp:1:1: error: simulated compiler failure" >&2
exit 3
