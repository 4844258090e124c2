#!/usr/bin/env bash
# Formats the Swift code with the toolchain's swift-format and the repository's .swift-format (4 spaces, 125
# columns, the default rules minus a few that fight deliberate choices: curl-named functions, `a; b` one-liners).
#
#   scripts/format.sh          rewrite every file in place
#   scripts/format.sh --check  change nothing; list what differs and exit 1 (the test suite runs this)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
paths=(Package.swift Sources Tests Benchmarks)
if [ "${1:-}" = "--check" ]; then
    swift format lint --strict --recursive --parallel "${paths[@]}"
else
    swift format format --in-place --recursive --parallel "${paths[@]}"
fi
