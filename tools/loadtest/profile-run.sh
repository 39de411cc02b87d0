#!/usr/bin/env bash
# CPU profiles of Relay under one load: starts the benchmark stack with --cpu-prof on the gateways
# and chat-services, runs the load tester for 20 s (3 s warm-up), stops the stack (profiles are
# written on SIGTERM) and prints the top self-time frames of each profile.
#   tools/loadtest/profile-run.sh NAME USERS ROOMS RATE [APPS_DIR]
#   tools/loadtest/profile-run.sh light 500 50 1                  # profiles in tmp/prof-light/profiles
#   tools/loadtest/profile-run.sh medium-before 2000 100 0.5 tmp/apps-before
# Environment: BASE_PORT (default 23000).
set -euo pipefail
cd "$(dirname "$0")/../.."
[ $# -ge 4 ] || { sed -n 2,8p "$0" >&2; exit 2; }
name=$1; users=$2; rooms=$3; rate=$4
export BENCH_DIR=tmp/prof-$name BASE_PORT=${BASE_PORT:-23000} PROFILE_DIR=$PWD/tmp/prof-$name/profiles APPS_DIR=${5:-dist/apps} JWT_SECRET=profile-run-secret
rm -rf "$BENCH_DIR"
gateways=$(tools/loadtest/bench-stack.sh start | tail -1)
trap 'tools/loadtest/bench-stack.sh stop' EXIT
node dist/tools/loadtest/main.js --gateways "$gateways" --users "$users" --rooms "$rooms" --rate "$rate" --duration 20 --warmup 3 \
  --workers 2 --padding 74 --jwt-secret "$JWT_SECRET" --out "$BENCH_DIR/result.json" >"$BENCH_DIR/loadtest.log" 2>&1 || true
tools/loadtest/bench-stack.sh stop
trap - EXIT
grep -E '^(PASS|FAIL|e2e latency|throughput|errors)' "$BENCH_DIR/loadtest.log" || true
for f in "$PROFILE_DIR"/*.cpuprofile; do node tools/loadtest/profile-top.mjs "$f" 12; done
