#!/usr/bin/env bash
# The deployment test (scripts/prod_test.py), bounded in time: `make prod-test`, and a CI
# step of its own before `make test`. Needs PostgreSQL and Redis running (as the tests do),
# installs nginx and openssl from Debian when missing (scripts/prod.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.local/bin:$PATH"
status=0
timeout --kill-after=30 "${PROD_TEST_TIMEOUT:-600}" .venv/bin/python -u scripts/prod_test.py || status=$?
if [ "$status" -eq 124 ]; then
    echo "prod-test: FAILED: took longer than ${PROD_TEST_TIMEOUT:-600} s" >&2
    PROD_ENV=var/prod/test.env scripts/prod.sh down || true
fi
exit "$status"
