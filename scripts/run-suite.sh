#!/usr/bin/env bash
# Run one pytest suite and refuse an empty one.
#
# Usage: scripts/run-suite.sh NAME [pytest args...]
# Writes test-results/NAME.xml (JUnit) for scripts/test_summary.py. pytest's exit
# code 5 ("no tests collected") is turned into a failure: a suite that runs nothing
# proves nothing, and CI must not pass on it.
set -uo pipefail

name="$1"
shift
mkdir -p test-results
rm -f "test-results/$name.xml"
echo
echo "=== suite $name: pytest $* ==="
uv run --frozen pytest --junitxml="test-results/$name.xml" -o junit_suite_name="$name" "$@"
status=$?
if [ "$status" -eq 5 ]; then
    echo "error: suite $name collected no tests (pytest exit code 5)" >&2
    exit 1
fi
exit "$status"
