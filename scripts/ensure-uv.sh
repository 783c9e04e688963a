#!/usr/bin/env bash
# Make sure `uv` is callable; install it from PyPI with pip when it is missing.
# uv must never download a Python: the project uses the machine's own (>= 3.11).
set -euo pipefail

export PATH="$HOME/.local/bin:$PATH"
if command -v uv >/dev/null 2>&1; then
    exit 0
fi

PYTHON="$(command -v python3 || command -v python || true)"
if [ -z "$PYTHON" ]; then
    echo "error: Python 3.11 or newer is needed (python3 not found)" >&2
    exit 1
fi
if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
    echo "error: Python 3.11 or newer is needed, found $("$PYTHON" --version 2>&1)" >&2
    exit 1
fi

echo "uv not found: installing it with pip ..." >&2
# A user install first; Debian's system Python refuses it (PEP 668) unless told to.
"$PYTHON" -m pip install --user --quiet uv \
    || "$PYTHON" -m pip install --user --quiet --break-system-packages uv \
    || "$PYTHON" -m pip install --quiet uv
hash -r
if ! command -v uv >/dev/null 2>&1; then
    echo "error: uv was installed but is neither on PATH nor in ~/.local/bin" >&2
    exit 1
fi
