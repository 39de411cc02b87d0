#!/usr/bin/env bash
# A private stack for benchmarks: its own nats-server and redis-server on non-default ports, two
# gateways, two chat-services, one presence-service and one notification-service, run from a
# snapshot of dist/apps (so a rebuild during a run cannot change what is measured). Set up as
# `npm start` runs it: NATS with JetStream and per-service credentials (tools/nats-auth), Redis
# with the append-only file fsynced once a second.
#   tools/loadtest/bench-stack.sh start    # prints the --gateways value
#   tools/loadtest/bench-stack.sh stop
# Environment: BENCH_DIR (default tmp/bench), BASE_PORT (default 47000), PROFILE_DIR (when set,
# the gateways and chat-services run with --cpu-prof and write their profiles there on stop),
# GATEWAY_ENV (extra "K=V ..." for the gateways, e.g. "RATE_PER_SEC=100 RATE_BURST=200"),
# APPS_DIR (where the bundles are copied from, default dist/apps: point it at a patched copy to
# compare two builds under the same load).
set -euo pipefail
cd "$(dirname "$0")/../.."
BENCH_DIR=${BENCH_DIR:-tmp/bench}
APPS_DIR=${APPS_DIR:-dist/apps}
BASE=${BASE_PORT:-47000}
NATS_PORT=$((BASE + 222)); NATS_MON=$((BASE + 223)); REDIS_PORT=$((BASE + 379))
GW1=$((BASE + 80)); GW2=$((BASE + 81)); CHAT1=$((BASE + 101)); CHAT2=$((BASE + 102)); PRES=$((BASE + 103)); NOTIF=$((BASE + 104))

start_app() { # name instance port-var-name port [node flags...]
  local name=$1 id=$2 portvar=$3 port=$4; shift 4
  env NATS_URL=nats://127.0.0.1:$NATS_PORT REDIS_URL=redis://127.0.0.1:$REDIS_PORT INSTANCE_ID=$id NATS_NKEY_SEED_FILE="$BENCH_DIR/nats/auth/$name.nk" \
    AUTH_DEV_TOKENS=1 LOG_LEVEL=${LOG_LEVEL:-warn} "$portvar=$port" ${GATEWAY_ENV_FOR:-} \
    node "$@" "$BENCH_DIR/apps/$name/main.js" >"$BENCH_DIR/logs/$id.log" 2>&1 &
  echo $! >"$BENCH_DIR/pids/$id"
}

wait_ready() { # port
  for _ in $(seq 1 600); do curl -sf "http://127.0.0.1:$1/readyz" >/dev/null && return 0; sleep 0.1; done
  echo "port $1 not ready" >&2; return 1
}

case "${1:-}" in
  start)
    mkdir -p "$BENCH_DIR/logs" "$BENCH_DIR/pids" "$BENCH_DIR/redis" "$BENCH_DIR/nats"
    # Others may be rebuilding dist/apps: wait for each bundle, then copy it.
    for app in ws-gateway chat-service presence-service notification-service; do
      for _ in $(seq 1 120); do [ -f "$APPS_DIR/$app/main.js" ] && break; sleep 0.5; done
      rm -rf "$BENCH_DIR/apps/$app"; mkdir -p "$BENCH_DIR/apps"; cp -r "$APPS_DIR/$app" "$BENCH_DIR/apps/$app"
    done
    # The same private servers the tests and `npm start` run (libs/local-servers).
    # nats-server resolves an include relative to the including file.
    node tools/nats-auth/nats-auth.mjs --out "$BENCH_DIR/nats/auth" >/dev/null
    echo 'include "auth/auth.conf"' >"$BENCH_DIR/nats/server.conf"
    mapfile -t NATS_CMD < <(node libs/local-servers/src/cli.cjs nats --port $NATS_PORT --monitor $NATS_MON --jetstream --dir "$BENCH_DIR/nats/js" --config "$BENCH_DIR/nats/server.conf")
    mapfile -t REDIS_CMD < <(node libs/local-servers/src/cli.cjs redis --port $REDIS_PORT --dir "$BENCH_DIR/redis" --durable)
    [ ${#NATS_CMD[@]} -gt 0 ] && [ ${#REDIS_CMD[@]} -gt 0 ] || { echo "nats-server or redis-server not found (see above)" >&2; exit 1; }
    "${NATS_CMD[@]}" >"$BENCH_DIR/logs/nats.log" 2>&1 & echo $! >"$BENCH_DIR/pids/nats"
    "${REDIS_CMD[@]}" >"$BENCH_DIR/logs/redis.log" 2>&1 & echo $! >"$BENCH_DIR/pids/redis"
    for _ in $(seq 1 50); do curl -sf "http://127.0.0.1:$NATS_MON/healthz" >/dev/null && redis-cli -p $REDIS_PORT ping >/dev/null 2>&1 && break; sleep 0.1; done
    PROF=(); [ -n "${PROFILE_DIR:-}" ] && mkdir -p "$PROFILE_DIR" && PROF=(--cpu-prof "--cpu-prof-dir=$PROFILE_DIR")
    start_app chat-service chat-1 HEALTH_PORT $CHAT1 "${PROF[@]}"
    start_app chat-service chat-2 HEALTH_PORT $CHAT2 "${PROF[@]}"
    start_app presence-service presence-1 HEALTH_PORT $PRES
    start_app notification-service notification-1 HEALTH_PORT $NOTIF
    for p in $CHAT1 $CHAT2 $PRES $NOTIF; do wait_ready $p; done
    GATEWAY_ENV_FOR=${GATEWAY_ENV:-} start_app ws-gateway gw-1 PORT $GW1 "${PROF[@]}"
    GATEWAY_ENV_FOR=${GATEWAY_ENV:-} start_app ws-gateway gw-2 PORT $GW2 "${PROF[@]}"
    wait_ready $GW1; wait_ready $GW2
    echo "ws://127.0.0.1:$GW1/ws,ws://127.0.0.1:$GW2/ws"
    ;;
  stop)
    # SIGTERM first so --cpu-prof profiles are written, then make sure.
    for f in "$BENCH_DIR"/pids/*; do [ -f "$f" ] && kill -TERM "$(cat "$f")" 2>/dev/null || true; done
    for _ in $(seq 1 150); do
      alive=0; for f in "$BENCH_DIR"/pids/*; do [ -f "$f" ] && kill -0 "$(cat "$f")" 2>/dev/null && alive=1; done
      [ $alive = 0 ] && break; sleep 0.1
    done
    for f in "$BENCH_DIR"/pids/*; do [ -f "$f" ] && kill -KILL "$(cat "$f")" 2>/dev/null || true; rm -f "$f"; done
    ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
