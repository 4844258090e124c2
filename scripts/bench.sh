#!/usr/bin/env bash
# Builds the gateway, the benchmark and its echo server in release mode, then runs the benchmark.
#
#   scripts/bench.sh [switchyard-bench options, e.g. --calls 50000]
#
# SCRATCH_PATH picks the build directory (default .build), so a benchmark build can live beside a debug one.
# `swift build` honours only the last --product flag, so each product is built in turn.
set -euo pipefail
cd "$(dirname "$0")/.."

scratch="${SCRATCH_PATH:-.build}"
for product in switchyard bench-echo-server switchyard-bench; do
    echo "building $product (release, $scratch)" >&2
    swift build -c release --scratch-path "$scratch" --product "$product"
done

bin="$(swift build -c release --scratch-path "$scratch" --show-bin-path)"
exec "$bin/switchyard-bench" --binary "$bin/switchyard" --echo-server "$bin/bench-echo-server" "$@"
