#!/usr/bin/env bash
# Memory per idle joined connection of one gateway build: the benchmark stack's NATS, Redis and
# services, plus one extra gateway from BUNDLE_DIR, measured with no connection and with N idle
# joined connections (the load tester at rate 0, 100 rooms).
#   tools/loadtest/heap-per-connection.sh [BUNDLE_DIR] [N]          # live JS heap; default dist/apps/ws-gateway, 6000
#   MEASURE=rss tools/loadtest/heap-per-connection.sh [BUNDLE_DIR] [N]   # resident memory (RSS)
# heap: the gateway runs with --heapsnapshot-signal; a snapshot forces a full GC, so the heap read
#   right after it is live objects only.
# rss: no snapshot (writing one leaves the process's RSS inflated); RSS is read from /proc once the
#   process has been idle for SETTLE_S seconds (default 15: V8 collects after the allocation rate drops).
# Compare two builds by running it once per copy (cp -r dist/apps/ws-gateway tmp/gw-before ...),
# alternating the order. Environment: BASE_PORT (default 25500).
set -euo pipefail
cd "$(dirname "$0")/../.."
bundle=${1:-dist/apps/ws-gateway}; n=${2:-6000}; measure=${MEASURE:-heap}; settle=${SETTLE_S:-15}
export BENCH_DIR=tmp/heap-per-connection BASE_PORT=${BASE_PORT:-25500} JWT_SECRET=heap-per-connection-secret
port=$((BASE_PORT + 90)); snaps=$PWD/$BENCH_DIR/snapshots
node_flags=(); [ "$measure" = heap ] && node_flags=(--heapsnapshot-signal=SIGUSR2)
tools/loadtest/bench-stack.sh start >/dev/null
rm -rf "$snaps"; mkdir -p "$snaps"
(cd "$snaps" && exec env NATS_URL=nats://127.0.0.1:$((BASE_PORT + 222)) REDIS_URL=redis://127.0.0.1:$((BASE_PORT + 379)) \
  NATS_NKEY_SEED_FILE=$OLDPWD/$BENCH_DIR/nats/auth/ws-gateway.nk INSTANCE_ID=gw-heap AUTH_DEV_TOKENS=1 LOG_LEVEL=warn PORT=$port JWT_SECRET=$JWT_SECRET \
  node "${node_flags[@]}" "$OLDPWD/$bundle/main.js" >"$snaps/gateway.log" 2>&1) &
gw=$!
load=
cleanup() { [ -n "$load" ] && kill "$load" 2>/dev/null; kill "$gw" 2>/dev/null; tools/loadtest/bench-stack.sh stop >/dev/null 2>&1 || true; rm -f "$snaps"/*.heapsnapshot; }
trap cleanup EXIT
metric() { curl -s "127.0.0.1:$port/metrics" | awk -v m="$1" 'index($0, m) == 1 { print $NF }'; }
for _ in $(seq 1 200); do curl -sf "127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.1; done
heap_after_gc() { # number of snapshots already taken
  kill -USR2 "$gw"
  for _ in $(seq 1 600); do [ "$(ls "$snaps"/*.heapsnapshot 2>/dev/null | wc -l)" -gt "$1" ] && break; sleep 0.2; done
  sleep 1; metric nodejs_heap_size_used_bytes
}
rss_settled() {
  sleep "$settle"
  # Where the resident memory is, for the record (stderr): V8's heap as allocated vs used, and memory outside it.
  echo "  $(metric relay_gateway_connections{) connections: heap total $(metric nodejs_heap_size_total_bytes) used $(metric nodejs_heap_size_used_bytes) external $(metric nodejs_external_memory_bytes)" >&2
  echo $(( $(awk '{ print $2 }' "/proc/$gw/statm") * $(getconf PAGESIZE) ))
}
if [ "$measure" = heap ]; then m0=$(heap_after_gc 0); else m0=$(rss_settled); fi
node dist/tools/loadtest/main.js --gateways "ws://127.0.0.1:$port/ws" --jwt-secret "$JWT_SECRET" --users "$n" --rooms 100 \
  --rate 0 --duration 300 --warmup 0 --workers 2 --in-flight 200 >"$snaps/loadtest.log" 2>&1 &
load=$!
for _ in $(seq 1 1200); do [ "$(metric relay_gateway_connections{ || echo 0)" -ge "$n" ] 2>/dev/null && break; sleep 0.25; done
c=$(metric relay_gateway_connections{)
sleep 3
if [ "$measure" = heap ]; then m1=$(heap_after_gc 1); what="live heap"; else m1=$(rss_settled); what="RSS"; fi
echo "$bundle: $c connections, $what $m0 -> $m1 bytes: $(( (m1 - m0) / c )) B per connection"
