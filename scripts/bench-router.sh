#!/usr/bin/env bash
# Builds the gateway, the fake provider and the router benchmark in release mode, then runs the benchmark:
# POST /v1/chat/completions through Switchyard against the fake provider called directly, in the same run.
#
#   scripts/bench-router.sh [switchyard-router-bench options, e.g. --requests 2000 --concurrency 1,16,64]
#
# SCRATCH_PATH picks the build directory (default .build), so a benchmark build can live beside a debug one.
# `swift build` honours only the last --product flag, so each product is built in turn.
set -euo pipefail
cd "$(dirname "$0")/.."

scratch="${SCRATCH_PATH:-.build}"
for product in switchyard fake-provider switchyard-router-bench; do
    echo "building $product (release, $scratch)" >&2
    swift build -c release --scratch-path "$scratch" --product "$product"
done

bin="$(swift build -c release --scratch-path "$scratch" --show-bin-path)"
exec "$bin/switchyard-router-bench" --binary "$bin/switchyard" --fake-provider "$bin/fake-provider" "$@"
