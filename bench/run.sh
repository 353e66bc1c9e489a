#!/usr/bin/env bash
# Runs the OrleansChat benchmark scenarios (issue 6) with bench/ChatLoad against
#   cluster   the process cluster of scripts/cluster.sh (redis, 2 silos, 2 WebFronts), clients spread over both
#             WebFronts directly (not through nginx), so senders and receivers sit on different WebFronts
#   embedded  one WebFront process hosting its own silo (what `dotnet run --project WebFront` starts)
# Every scenario gets a fresh cluster (or WebFront), so memory baselines and stream subscriptions start clean.
# Writes bench/results/$RESULTS_NAME.json (every report) and .md (tables + targets), and bench/results/latest.md.
#
#   bench/run.sh                          all scenarios, both modes (~20 min on 2 cores)
#   SCENARIOS="S1 S3" MODES=cluster bench/run.sh
#
# Settings (environment): MODES ("cluster embedded"), SCENARIOS ("S1 S2 S3 S4 S5"), RESULTS_NAME (today's date),
# DURATION (30, seconds measured per S1-S3), WARMUP (30: the servers start fresh; under load their JIT tiering takes ~30-40 s to settle), S5_STEPS, S5_DURATION (15), NO_BUILD=1 (skip the Release
# build), NOTE (free text stored in every report), EXTRA_ENV ("Name=value ..." exported to the servers, e.g.
# "Orleans__StreamPollPeriod=00:00:00.002" to try a setting without changing the code), SERVER_ROOT (a checkout
# whose scripts/cluster.sh and Release binaries are the servers under test, e.g. an unchanged copy for a
# before/after comparison; default: this checkout).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

MODES="${MODES:-cluster embedded}"
SCENARIOS="${SCENARIOS:-S1 S2 S3 S4 S5}"
RESULTS_NAME="${RESULTS_NAME:-$(date +%F)}"
DURATION="${DURATION:-30}"
WARMUP="${WARMUP:-30}"
S5_STEPS="${S5_STEPS:-1x5,1x10,2x8,2x12,3x12,4x12,5x12}"
S5_DURATION="${S5_DURATION:-15}"
NOTE="${NOTE:-}"
EXTRA_ENV="${EXTRA_ENV:-}"
SERVER_ROOT="$(cd "${SERVER_ROOT:-$root}" && pwd)"

stamp="$(date +%Y%m%d-%H%M%S)"
work="$root/.run/bench/$stamp"
mkdir -p "$work/reports" "$work/logs" "$root/bench/results"
export CLUSTER_DIR="$work/cluster"

# 5,000 sockets need 5,000+ descriptors in the harness and half of that in each WebFront.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
if [[ "$(ulimit -n)" != unlimited && "$(ulimit -n)" -lt 12000 ]]; then
  echo "bench: ulimit -n is $(ulimit -n); S4 needs about 11,000 descriptors" >&2
fi

# Ports of their own, so a cluster from scripts/cluster.sh or the tests can run beside it.
export LB_PORT=3290 REDIS_PORT=6399 WEB1_PORT=3291 WEB2_PORT=3292 SILO1_PORT=11191 SILO2_PORT=11192
export GATEWAY1_PORT=30091 GATEWAY2_PORT=30092 DASHBOARD1_PORT=8191 DASHBOARD2_PORT=8192
export CLUSTER_ID="bench-$stamp" CONFIGURATION=Release
EMBEDDED_PORT=3295

for kv in $EXTRA_ENV; do export "${kv?}"; done

if [[ "${NO_BUILD:-}" != 1 ]]; then
  echo "bench: building (Release)"
  dotnet build "$root/bench/ChatLoad" -c Release -v quiet -nologo >"$work/logs/build.log" 2>&1 || { tail -n 40 "$work/logs/build.log" >&2; exit 1; }
  for project in Silo WebFront; do
    dotnet build "$SERVER_ROOT/$project" -c Release -v quiet -nologo >>"$work/logs/build.log" 2>&1 || { tail -n 40 "$work/logs/build.log" >&2; exit 1; }
  done
fi
# The harness runs from a copy, so a rebuild of the checkout during the run cannot change it.
cp -r "$root/bench/ChatLoad/bin/Release/net10.0" "$work/chatload"
CHATLOAD=(dotnet "$work/chatload/ChatLoad.dll" run)
cluster() { "$SERVER_ROOT/scripts/cluster.sh" "$@"; }

embedded_pid=""
cleanup() {
  if [[ -n "$embedded_pid" ]] && kill -0 "$embedded_pid" 2>/dev/null; then kill "$embedded_pid"; wait "$embedded_pid" 2>/dev/null || true; fi
  cluster down >/dev/null 2>&1 || true
}
trap cleanup EXIT

ports_free() { # refuse to measure processes that are not the ones answering
  local port
  for port in "$LB_PORT" "$WEB1_PORT" "$WEB2_PORT" "$EMBEDDED_PORT" "$REDIS_PORT" "$GATEWAY1_PORT" "$GATEWAY2_PORT"; do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "bench: port $port is already in use (a cluster left running?); stop it first" >&2; exit 1
    fi
  done
}

start_servers() { # mode scenario
  ports_free
  if [[ "$1" == cluster ]]; then
    NO_BUILD=1 cluster up >"$work/logs/cluster-$2.log" 2>&1 || { cat "$work/logs/cluster-$2.log" >&2; exit 1; }
    TARGET=(--url "web1=ws://127.0.0.1:$WEB1_PORT/ws" --url "web2=ws://127.0.0.1:$WEB2_PORT/ws" --cluster-dir "$CLUSTER_DIR")
  else
    # The same settings as the cluster's processes (scripts/cluster.sh), in one process.
    Orleans__SiloPort=11199 Orleans__GatewayPort=30099 Logging__LogLevel__Default=Warning \
      ASPNETCORE_URLS="http://127.0.0.1:$EMBEDDED_PORT" \
      dotnet "$SERVER_ROOT/WebFront/bin/Release/net10.0/OrleansChat.WebFront.dll" >"$work/logs/embedded-$2.log" 2>&1 &
    embedded_pid=$!
    for _ in $(seq 1 120); do curl -fs -o /dev/null "http://127.0.0.1:$EMBEDDED_PORT/ready" && break; sleep 0.5; done
    curl -fs -o /dev/null "http://127.0.0.1:$EMBEDDED_PORT/ready" || { echo "embedded WebFront did not start" >&2; exit 1; }
    TARGET=(--url "web=ws://127.0.0.1:$EMBEDDED_PORT/ws" --pid "web=$embedded_pid")
  fi
  sleep 3 # let start-up work (JIT, membership, first stream polls) settle before measuring
}

stop_servers() { # mode
  if [[ "$1" == cluster ]]; then
    cp "$CLUSTER_DIR"/logs/{silo1,silo2,web1,web2}.log "$work/logs/" 2>/dev/null || true
    cluster down >/dev/null
  else
    kill "$embedded_pid"; wait "$embedded_pid" 2>/dev/null || true; embedded_pid=""
  fi
  sleep 2
}

scenario_args() { # scenario
  case "$1" in
    S1) echo --rooms 1 --clients 10 --typists 2 --rate 10 --commit-every 3s --duration "$DURATION" --warmup "$WARMUP" --idle-sample 10 ;;
    S2) echo --rooms 1 --clients 200 --typists 1 --rate 20 --commit-every 3s --duration "$DURATION" --warmup "$WARMUP" ;;
    S3) echo --rooms 200 --clients 5 --typists 1 --rate 5 --commit-every 3s --duration "$DURATION" --warmup "$WARMUP" ;;
    S4) echo --rooms 1000 --clients 5 --typists 0 --hold 15 --idle-sample 10 --connect-concurrency 64 ;;
    S5) echo --rooms 200 --clients 5 --steps "$S5_STEPS" --commit-every 3s --duration "$S5_DURATION" --warmup 3 --first-warmup "$WARMUP" --stop-p99 100 ;;
    *) echo "unknown scenario $1" >&2; exit 2 ;;
  esac
}

for mode in $MODES; do
  for scenario in $SCENARIOS; do
    echo "bench: $mode $scenario (load average $(cut -d' ' -f1-3 /proc/loadavg))"
    start_servers "$mode" "$scenario"
    # shellcheck disable=SC2046
    "${CHATLOAD[@]}" "${TARGET[@]}" $(scenario_args "$scenario") --scenario "$scenario" --mode "$mode" \
      --note "$NOTE" --json "$work/reports/$mode-$scenario.json" >"$work/logs/chatload-$mode-$scenario.md" \
      2> >(tee "$work/logs/chatload-$mode-$scenario.log" >&2) || echo "bench: $mode $scenario failed (see $work/logs)" >&2
    stop_servers "$mode"
  done
done

server_label() {
  if (cd "$SERVER_ROOT" && git rev-parse --is-inside-work-tree >/dev/null 2>&1); then
    (cd "$SERVER_ROOT" && echo "$(git rev-parse --short HEAD)$(git diff --quiet HEAD -- WebFront Silo Grains Grains.Interfaces || echo ' + uncommitted changes')")
  else
    basename "$SERVER_ROOT"
  fi
}

reports=()
for mode in $MODES; do for scenario in $SCENARIOS; do
  [[ -f "$work/reports/$mode-$scenario.json" ]] && reports+=("$work/reports/$mode-$scenario.json")
done; done
dotnet "$work/chatload/ChatLoad.dll" summarize \
  --title "OrleansChat benchmark $RESULTS_NAME ($(nproc) cores, servers: $(server_label))" \
  --json "bench/results/$RESULTS_NAME.json" --markdown "bench/results/$RESULTS_NAME.md" "${reports[@]}" >/dev/null
cp "bench/results/$RESULTS_NAME.md" bench/results/latest.md
echo "bench: wrote bench/results/$RESULTS_NAME.json and .md (raw reports and logs in $work)"
