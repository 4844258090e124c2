#!/usr/bin/env bash
# The whole test suite, from a fresh Debian machine: Debian packages, the Python test venv, a debug build, the
# Swift unit tests (every target), then the interop tests that drive the built binary with the official `mcp`
# Python SDK and the reference servers mcp-server-time and mcp-server-git.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

scripts/install-deps.sh
scripts/setup-venv.sh

echo "== formatting (scripts/format.sh --check)"
scripts/format.sh --check

echo "== swift build"
swift build --build-tests

echo "== swift test (unit and loop-level tests)"
swift test --skip-build --parallel --num-workers 2

echo "== interop tests (Python mcp SDK, mcp-server-time, mcp-server-git)"
SWITCHYARD_BIN="$root/.build/debug/switchyard" .venv/bin/python -m pytest -q Tests/Interop "$@"
