#!/usr/bin/env bash
# Runs the OrleansChat benchmark scenarios (issue 6) with bench/ChatLoad against
#   cluster   the process cluster of scripts/cluster.sh (redis, 2 silos, 2 WebFronts), clients spread over both
#             WebFronts directly (not through nginx), so senders and receivers sit on different WebFronts
#   embedded  one WebFront process hosting its own silo (what `dotnet run --project WebFront` starts)
# and, in the same run, the reference peers of $PEERS_DIR (../shared/peers/README.md), for OrleansChat's figures as
# ratios to them:
#   signalr-redis  an ASP.NET Core SignalR hub with the Redis backplane: 2 nodes + their own redis-server, clients
#                  alternating between the nodes (every event goes through redis, as OrleansChat's go through streams)
#   aspnet-ws      the plain relay: one ASP.NET Core process, raw WebSockets, in-memory rooms
#   node-ws        one Node.js + ws process, in-memory rooms
# A mode label `cluster-NAME` / `embedded-NAME` is the cluster / embedded WebFront with the extra server settings of
# MODE_ENV_cluster_NAME ("Name=value ..."); `cluster-conn` and `embedded-conn` default to
# Chat__Relay__FeedScope=Connection, and `cluster-cohosted` to TOPOLOGY=cohosted (scripts/cluster.sh: 2 WebFronts
# that each host a silo of the cluster, + redis: the process count of signalr-redis). Each label is a column of its
# own in the results.
# Every scenario gets fresh servers (cluster, WebFront or peer processes and their redis), so memory baselines and
# stream subscriptions start clean.
# S8 (commit cost by history length; not in the default SCENARIOS) runs in cluster modes only (it reads the cluster's
# redis), with the servers' settings of S8_ENV besides the mode's.
# S6 (faults under load) and S7 (soak; neither in the default SCENARIOS) run in cluster modes only, with clients that
# reconnect like the browser (Tests/ChatClient). S6: the S3 shape through the cluster's nginx, a commit from every
# typist every 3 s, and during one run, S6_SETTLE apart: kill -9 of a silo and its restart, kill -9 of a WebFront and
# its restart, a rolling restart (SIGTERM of each WebFront then each silo, one at a time), a Redis restart (S6_FAULTS).
# S7: S3 load with commits for S7_DURATION, every process's RSS, managed heap, threads and sockets and Redis memory
# sampled every 10 s. Both write a timeline (bench/results/$RESULTS_NAME-MODE-S6-timeline.json) and its charts
# (bench/Charts: ...-latency.png, ...-memory.png) next to the results.
# Writes bench/results/$RESULTS_NAME.json (every report) and .md (tables + targets), and bench/results/latest.md (only
# when one of S1-S5 ran).
#
#   bench/run.sh                          all scenarios, all modes (~50 min on 2 cores)
#   SCENARIOS="S1 S3" MODES=cluster bench/run.sh
#   MODES="signalr-redis aspnet-ws" bench/run.sh          only peers
#   MODES="cluster cluster-conn signalr-redis aspnet-ws" bench/run.sh
#   SCENARIOS=S8 MODES=cluster bench/run.sh                commit cost by history length (~5 min)
#   SCENARIOS=S6 MODES=cluster bench/run.sh                faults under load (~6 min)
#   SCENARIOS=S7 MODES=cluster bench/run.sh                soak (10 min; S7_DURATION=3600 for a release)
#   ROUNDS=3 MODES="cluster-cohosted signalr-redis" bench/run.sh   3 rounds, medians and each round's ratio (~50 min)
#
# Settings (environment): MODES ("cluster cluster-cohosted cluster-conn embedded signalr-redis aspnet-ws node-ws"), SCENARIOS ("S1 S2 S3 S4 S5"),
# ROUNDS (1: how many times every scenario and mode runs; the table then shows medians, bench/README.md), RESULTS_NAME (today's date),
# DURATION (30, seconds measured per S1-S3), WARMUP (30: the servers start fresh; under load their JIT tiering takes ~30-40 s to settle), S5_STEPS, S5_DURATION (15), NO_BUILD=1 (skip the Release
# build), NOTE (free text stored in every report), EXTRA_ENV ("Name=value ..." exported to the servers, e.g.
# "Orleans__StreamPollPeriod=00:00:00.002" to try a setting without changing the code), SERVER_ROOT (a checkout
# whose scripts/cluster.sh and Release binaries are the servers under test, e.g. an unchanged copy for a
# before/after comparison; default: this checkout), MODE_ENV_<label with - as _> (server settings of a cluster-NAME
# or embedded-NAME mode), PEERS_DIR (the peers' sources, read only: built into .run/peers; default ../shared/peers),
# S8_VARIANTS (history x message chars, "10x120,500x120,10000x120,10x4000,500x4000,10000x4000"), S8_COMMITS (200 measured
# per variant), S8_PREFILL_BUDGET (90 s per variant), S8_MEASURE_BUDGET (30 s per variant), S8_ENV (S8's server
# settings: history kept up to 10,000 messages, and the per-socket frame rate limit out of the way of back-to-back commits),
# S6_FAULTS (silo-kill,web-kill,rolling,redis-restart; also silo2-kill), S6_SETTLE (40: seconds of quiet before the first
# fault and after each), S7_DURATION (600 seconds measured after a 60 s warm-up).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

MODES="${MODES:-cluster cluster-cohosted cluster-conn embedded signalr-redis aspnet-ws node-ws}"
ROUNDS="${ROUNDS:-1}"
[[ "$ROUNDS" =~ ^[1-9][0-9]*$ ]] || { echo "bench: ROUNDS must be a whole number from 1 ('$ROUNDS')" >&2; exit 2; }
SCENARIOS="${SCENARIOS:-S1 S2 S3 S4 S5}"
RESULTS_NAME="${RESULTS_NAME:-$(date +%F)}"
DURATION="${DURATION:-30}"
WARMUP="${WARMUP:-30}"
S5_STEPS="${S5_STEPS:-1x5,1x10,2x8,2x12,3x12,4x12,5x12}"
S5_DURATION="${S5_DURATION:-15}"
S8_VARIANTS="${S8_VARIANTS:-10x120,500x120,10000x120,10x4000,500x4000,10000x4000}"
S8_COMMITS="${S8_COMMITS:-200}"
S8_PREFILL_BUDGET="${S8_PREFILL_BUDGET:-90}"
S8_MEASURE_BUDGET="${S8_MEASURE_BUDGET:-30}"
S6_FAULTS="${S6_FAULTS:-silo-kill,web-kill,rolling,redis-restart}"
S6_SETTLE="${S6_SETTLE:-40}"
S7_DURATION="${S7_DURATION:-600}"
S8_ENV="${S8_ENV:-Chat__Limits__MaxHistory=10000 Chat__Socket__FramesPerSecond=10000 Chat__Socket__FrameBurst=10000}"
NOTE="${NOTE:-}"
EXTRA_ENV="${EXTRA_ENV:-}"
SERVER_ROOT="$(cd "${SERVER_ROOT:-$root}" && pwd)"
PEERS_DIR="${PEERS_DIR:-$root/../shared/peers}"
peers="$root/.run/peers" # the peers' builds (their source folder is read-only)

mode_kind() { # mode label -> cluster | embedded | signalr-redis | aspnet-ws | node-ws
  case "$1" in
    signalr-redis|aspnet-ws|node-ws) echo "$1" ;;
    cluster|cluster-*) echo cluster ;;
    embedded|embedded-*) echo embedded ;;
    *) echo "bench: unknown mode '$1' (cluster[-NAME], embedded[-NAME], signalr-redis, aspnet-ws, node-ws)" >&2; exit 2 ;;
  esac
}
mode_env() { # mode label -> its extra server settings ("Name=value ...", besides EXTRA_ENV)
  local label="$1" var
  [[ "$label" == cluster-* || "$label" == embedded-* ]] || return 0
  var="MODE_ENV_${label//-/_}"
  if [[ -n "${!var:-}" ]]; then echo "${!var}"
  elif [[ "${label#*-}" == conn ]]; then echo "Chat__Relay__FeedScope=Connection"
  elif [[ "$label" == cluster-cohosted ]]; then echo "TOPOLOGY=cohosted"
  else echo "bench: mode '$label' needs $var=\"Name=value ...\" (its server settings)" >&2; exit 2
  fi
}
scenario_env() { # scenario -> its extra server settings ("Name=value ...", besides EXTRA_ENV and the mode's)
  case "$1" in
    S8) echo "$S8_ENV" ;;
  esac
}
runs_in() { # scenario mode: whether the scenario applies to the mode (S6-S8 need the process cluster and its redis)
  [[ "$1" != S[678] || "$(mode_kind "$2")" == cluster ]]
}
has_kind() { local m; for m in $MODES; do [[ "$(mode_kind "$m")" == "$1" ]] && return 0; done; return 1; }
for m in $MODES; do mode_kind "$m" >/dev/null; mode_env "$m" >/dev/null; done # fail before building
if has_kind signalr-redis || has_kind aspnet-ws || has_kind node-ws; then
  [[ -f "$PEERS_DIR/README.md" ]] || { echo "bench: no reference peers at $PEERS_DIR (set PEERS_DIR)" >&2; exit 2; }
  PEERS_DIR="$(cd "$PEERS_DIR" && pwd)"
fi

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
export GATEWAY1_PORT=30091 GATEWAY2_PORT=30092 DASHBOARD1_PORT=8191 DASHBOARD2_PORT=8192 METRICS1_PORT=9491 METRICS2_PORT=9492
export CLUSTER_ID="bench-$stamp" CONFIGURATION=Release
EMBEDDED_PORT=3295
ASPNET_WS_PORT=3296 NODE_WS_PORT=3297 SIGNALR1_PORT=3298 SIGNALR2_PORT=3299 SIGNALR_REDIS_PORT=6398

# The load client runs every connection from 127.0.0.1, so every per-address limit would refuse it (new rooms per
# minute, sockets per address, participants per room per address): all off, and every report says so (EXTRA_ENV may
# set one again).
export Chat__Limits__NewRoomsPerMinutePerAddress=0
export Chat__Socket__MaxConnectionsPerAddress=0
export Chat__Limits__MaxParticipantsPerRoomPerAddress=0
LIMITS_NOTE="per-address limits off (NewRoomsPerMinutePerAddress, MaxConnectionsPerAddress, MaxParticipantsPerRoomPerAddress = 0: one load client, one address)"
for kv in $EXTRA_ENV; do export "${kv?}"; done

build() { # project-or-folder, extra dotnet build arguments...
  dotnet build "$@" -c Release -v quiet -nologo >>"$work/logs/build.log" 2>&1 || { tail -n 40 "$work/logs/build.log" >&2; exit 1; }
}
if [[ "${NO_BUILD:-}" != 1 ]]; then
  echo "bench: building (Release)"
  build "$root/bench/ChatLoad"
  for scenario in $SCENARIOS; do [[ "$scenario" == S[67] ]] && { build "$root/bench/Charts"; break; }; done
  if has_kind cluster || has_kind embedded; then
    for project in Silo WebFront; do build "$SERVER_ROOT/$project"; done
  fi
  has_kind aspnet-ws && build "$PEERS_DIR/aspnet-ws/AspnetWs.csproj" --artifacts-path "$peers/aspnet-ws"
  has_kind signalr-redis && build "$PEERS_DIR/signalr-redis/SignalrRedis.csproj" --artifacts-path "$peers/signalr-redis"
  if has_kind node-ws; then
    mkdir -p "$peers/node-ws"
    install -m 644 "$PEERS_DIR"/node-ws/{server.js,package.json,package-lock.json} "$peers/node-ws/"
    if ! cmp -s "$peers/node-ws/package-lock.json" "$peers/node-ws/.installed-lock.json"; then
      (cd "$peers/node-ws" && npm ci --no-audit --no-fund) >>"$work/logs/build.log" 2>&1 || { tail -n 40 "$work/logs/build.log" >&2; exit 1; }
      cp "$peers/node-ws/package-lock.json" "$peers/node-ws/.installed-lock.json"
    fi
  fi
fi
ASPNET_WS_DLL="$peers/aspnet-ws/bin/AspnetWs/release/aspnet-ws.dll"
SIGNALR_DLL="$peers/signalr-redis/bin/SignalrRedis/release/signalr-redis.dll"
for kind_file in "aspnet-ws:$ASPNET_WS_DLL" "signalr-redis:$SIGNALR_DLL" "node-ws:$peers/node-ws/node_modules/ws/package.json"; do
  if has_kind "${kind_file%%:*}" && [[ ! -f "${kind_file#*:}" ]]; then
    echo "bench: ${kind_file%%:*} is not built (${kind_file#*:}); run without NO_BUILD=1" >&2; exit 1
  fi
done
# The harness runs from a copy, so a rebuild of the checkout during the run cannot change it.
cp -r "$root/bench/ChatLoad/bin/Release/net10.0" "$work/chatload"
CHATLOAD=(dotnet "$work/chatload/ChatLoad.dll" run)

# Servers that are not this run's (a cluster left running on other ports, a test run, another bench) share the cores
# with what it measures without being counted: the port check above does not see them. Name them at the start, and
# say so in every report. (Idle build servers are left out.)
others="$(ps -eo pid=,args= | awk '/(redis-server|nginx: master|OrleansChat\.|[ \/]node |dotnet [^ ]*\.dll)/ \
  && !/(MSBuild\.dll|VBCSCompiler|rzc\.dll|awk )/ { $1 = $1; print }')"
if [[ -n "$others" ]]; then
  echo "bench: other servers are running beside this run (their CPU is not counted, but they share the cores):" >&2
  sed 's/^/  /' <<<"$others" >&2
  NOTE="${NOTE:+$NOTE; }$(wc -l <<<"$others") other server process(es) were running at the start: $(awk '{ n = ($2 ~ /dotnet$/ ? $3 : $2); sub(/.*\//, "", n); sub(/:$/, "", n); print n }' <<<"$others" | sort | uniq -c \
    | awk '{ printf "%s%s x%s", (NR > 1 ? ", " : ""), $2, $1 }')"
fi
cluster() { "$SERVER_ROOT/scripts/cluster.sh" "$@"; }

embedded_pid=""
started=() # "name=pid" of the peer processes (and their redis) of the current scenario
stop_started() { # in reverse order of start: the SignalR nodes unsubscribe from their redis before it goes
  local i pid
  for ((i = ${#started[@]} - 1; i >= 0; i--)); do
    pid="${started[i]#*=}"
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  started=()
}
cleanup() {
  if [[ -n "$embedded_pid" ]] && kill -0 "$embedded_pid" 2>/dev/null; then kill "$embedded_pid"; wait "$embedded_pid" 2>/dev/null || true; fi
  stop_started
  cluster down >/dev/null 2>&1 || true
}
trap cleanup EXIT

ports_free() { # refuse to measure processes that are not the ones answering
  local port
  for port in "$LB_PORT" "$WEB1_PORT" "$WEB2_PORT" "$EMBEDDED_PORT" "$REDIS_PORT" "$GATEWAY1_PORT" "$GATEWAY2_PORT" \
    "$ASPNET_WS_PORT" "$NODE_WS_PORT" "$SIGNALR1_PORT" "$SIGNALR2_PORT" "$SIGNALR_REDIS_PORT"; do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "bench: port $port is already in use (a cluster left running?); stop it first" >&2; exit 1
    fi
  done
}

spawn() { # name log command... : start a peer process (environment from the caller) and remember its pid
  local name="$1" log="$2"; shift 2
  "$@" >"$log" 2>&1 &
  started+=("$name=$!")
}

pid_of() { local entry; for entry in "${started[@]}"; do if [[ "${entry%%=*}" == "$1" ]]; then echo "${entry#*=}"; fi; done; }

wait_up() { # name url-or-redis-port log: until it answers, or fail with the end of its log
  local pid log="$3"
  pid="$(pid_of "$1")"
  for _ in $(seq 1 120); do
    if [[ "$2" == http* ]]; then curl -fs -o /dev/null --max-time 2 "$2" && return 0
    else redis-cli -p "$2" ping >/dev/null 2>&1 && return 0; fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.5
  done
  echo "bench: $1 did not start; last lines of $log:" >&2; tail -n 20 "$log" >&2; exit 1
}

start_servers() { # mode scenario
  local kind env
  kind="$(mode_kind "$1")" env="$(mode_env "$1") $(scenario_env "$2")"
  ports_free
  case "$kind" in
    cluster)
      ( for kv in $env; do export "${kv?}"; done
        NO_BUILD=1 cluster up ) >"$work/logs/$1-$2.log" 2>&1 || { cat "$work/logs/$1-$2.log" >&2; exit 1; }
      if [[ "$2" == S6 ]]; then # through nginx, as browsers reconnect
        TARGET=(--url "lb=ws://127.0.0.1:$LB_PORT/ws" --cluster-dir "$CLUSTER_DIR")
      else
        TARGET=(--url "web1=ws://127.0.0.1:$WEB1_PORT/ws" --url "web2=ws://127.0.0.1:$WEB2_PORT/ws" --cluster-dir "$CLUSTER_DIR")
      fi ;;
    embedded)
      # The cluster's Orleans and logging settings in one process; not its runtime settings (scripts/cluster.sh also
      # sets workstation GC and inline socket completions): this mode runs at the runtime's defaults.
      # shellcheck disable=SC2086
      env $env Orleans__SiloPort=11199 Orleans__GatewayPort=30099 Logging__LogLevel__Default=Warning \
        ASPNETCORE_URLS="http://127.0.0.1:$EMBEDDED_PORT" Chat__Metrics__Port=9493 \
        dotnet "$SERVER_ROOT/WebFront/bin/Release/net10.0/OrleansChat.WebFront.dll" >"$work/logs/$1-$2.log" 2>&1 &
      embedded_pid=$!
      for _ in $(seq 1 120); do curl -fs -o /dev/null "http://127.0.0.1:$EMBEDDED_PORT/ready" && break; sleep 0.5; done
      curl -fs -o /dev/null "http://127.0.0.1:$EMBEDDED_PORT/ready" || { echo "embedded WebFront did not start" >&2; exit 1; }
      TARGET=(--url "web=ws://127.0.0.1:$EMBEDDED_PORT/ws" --pid "web=$embedded_pid") ;;
    aspnet-ws|node-ws)
      # Workstation GC like OrleansChat's processes (scripts/cluster.sh), not the Web SDK's server GC.
      local port
      if [[ "$kind" == aspnet-ws ]]; then
        port="$ASPNET_WS_PORT"
        PORT="$port" DOTNET_gcServer=0 spawn web "$work/logs/$1-$2.log" dotnet "$ASPNET_WS_DLL"
      else
        port="$NODE_WS_PORT"
        PORT="$port" spawn web "$work/logs/$1-$2.log" node "$peers/node-ws/server.js"
      fi
      wait_up web "http://127.0.0.1:$port/health" "$work/logs/$1-$2.log"
      TARGET=(--protocol peer-ws --url "web=ws://127.0.0.1:$port/ws" --pid "web=$(pid_of web)") ;;
    signalr-redis)
      mkdir -p "$work/signalr-redis"
      spawn redis "$work/logs/$1-$2-redis.log" redis-server --port "$SIGNALR_REDIS_PORT" --bind 127.0.0.1 \
        --dir "$work/signalr-redis" --save "" --appendonly no --protected-mode yes
      wait_up redis "$SIGNALR_REDIS_PORT" "$work/logs/$1-$2-redis.log"
      PORT="$SIGNALR1_PORT" NODE_ID=node1 REDIS="127.0.0.1:$SIGNALR_REDIS_PORT" DOTNET_gcServer=0 \
        spawn node1 "$work/logs/$1-$2-node1.log" dotnet "$SIGNALR_DLL"
      PORT="$SIGNALR2_PORT" NODE_ID=node2 REDIS="127.0.0.1:$SIGNALR_REDIS_PORT" DOTNET_gcServer=0 \
        spawn node2 "$work/logs/$1-$2-node2.log" dotnet "$SIGNALR_DLL"
      wait_up node1 "http://127.0.0.1:$SIGNALR1_PORT/health" "$work/logs/$1-$2-node1.log"
      wait_up node2 "http://127.0.0.1:$SIGNALR2_PORT/health" "$work/logs/$1-$2-node2.log"
      TARGET=(--protocol signalr --url "node1=http://127.0.0.1:$SIGNALR1_PORT/chat" --url "node2=http://127.0.0.1:$SIGNALR2_PORT/chat"
        --pid "node1=$(pid_of node1)" --pid "node2=$(pid_of node2)" --pid "redis=$(pid_of redis)") ;;
  esac
  sleep 3 # let start-up work (JIT, membership, first stream polls) settle before measuring
}

stop_servers() { # mode scenario
  case "$(mode_kind "$1")" in
    cluster)
      cluster down >/dev/null
      for name in silo1 silo2 web1 web2; do mv "$CLUSTER_DIR/logs/$name.log" "$work/logs/$1-$2-$name.log" 2>/dev/null || true; done ;;
    embedded)
      kill "$embedded_pid"; wait "$embedded_pid" 2>/dev/null || true; embedded_pid="" ;;
    *)
      stop_started ;;
  esac
  sleep 2
}

scenario_args() { # scenario timeline (S6, S7: where their timeline goes)
  case "$1" in
    S1) echo --rooms 1 --clients 10 --typists 2 --rate 10 --commit-every 3s --duration "$DURATION" --warmup "$WARMUP" --idle-sample 10 ;;
    S2) echo --rooms 1 --clients 200 --typists 1 --rate 20 --commit-every 3s --duration "$DURATION" --warmup "$WARMUP" ;;
    S3) echo --rooms 200 --clients 5 --typists 1 --rate 5 --commit-every 3s --duration "$DURATION" --warmup "$WARMUP" ;;
    S4) echo --rooms 1000 --clients 5 --typists 0 --hold 15 --idle-sample 10 --connect-concurrency 64 ;;
    S5) echo --rooms 200 --clients 5 --steps "$S5_STEPS" --commit-every 3s --duration "$S5_DURATION" --warmup 3 --first-warmup "$WARMUP" --stop-p99 100 ;;
    S6) echo --rooms 200 --clients 5 --typists 1 --rate 5 --commit-every 3s --warmup "$WARMUP" --fault-settle "$S6_SETTLE" --drain 60s \
          --reconnect --faults "$S6_FAULTS" --cluster-script "$SERVER_ROOT/scripts/cluster.sh" --redis "127.0.0.1:$REDIS_PORT" --resource-interval 10s \
          --timeline "$2" ;;
    S7) echo --rooms 200 --clients 5 --typists 1 --rate 5 --commit-every 3s --duration "$S7_DURATION" --warmup 60 --drain 30s \
          --reconnect --redis "127.0.0.1:$REDIS_PORT" --resource-interval 10s --timeline "$2" ;;
    S8) echo --commit-cost "$S8_VARIANTS" --commits "$S8_COMMITS" --prefill-budget "$S8_PREFILL_BUDGET" --measure-budget "$S8_MEASURE_BUDGET" \
          --redis "127.0.0.1:$REDIS_PORT" ;;
    *) echo "unknown scenario $1" >&2; exit 2 ;;
  esac
}

# Scenario by scenario, every mode in turn: a scenario's modes are measured minutes apart, whatever else the shared
# machine does over the hour. A repeated run (ROUNDS) starts each round's modes one later (A B, B A, A B, ...).
read -ra mode_list <<<"$MODES"
reports=() # in the order they ran
for ((round = 1; round <= ROUNDS; round++)); do
  for scenario in $SCENARIOS; do
    for ((i = 0; i < ${#mode_list[@]}; i++)); do
      mode="${mode_list[(i + round - 1) % ${#mode_list[@]}]}"
      if ! runs_in "$scenario" "$mode"; then
        [[ "$round" == 1 ]] && echo "bench: $mode $scenario skipped ($scenario runs in cluster modes only)"
        continue
      fi
      run_name="$mode-$scenario$([[ "$ROUNDS" == 1 ]] || echo "-r$round")"
      echo "bench: $mode $scenario$([[ "$ROUNDS" == 1 ]] || echo ", round $round of $ROUNDS") (load average $(cut -d' ' -f1-3 /proc/loadavg))"
      start_servers "$mode" "$scenario"
      settings="$(mode_env "$mode")" scenario_settings="$(scenario_env "$scenario")"
      settings="$settings${scenario_settings:+${settings:+ }$scenario_settings}"
      note="$LIMITS_NOTE${NOTE:+; $NOTE}${settings:+; servers with $settings}"
      timeline="bench/results/$RESULTS_NAME-$run_name-timeline.json"
      # The harness gets the servers' settings too: S6 restarts processes through scripts/cluster.sh, with them.
      # shellcheck disable=SC2046
      ( for kv in $settings; do export "${kv?}"; done
        exec "${CHATLOAD[@]}" "${TARGET[@]}" $(scenario_args "$scenario" "$timeline") --scenario "$scenario" --mode "$mode" \
          --round "$round" --note "$note" --json "$work/reports/$run_name.json" ) >"$work/logs/chatload-$run_name.md" \
        2> >(tee "$work/logs/chatload-$run_name.log" >&2) || echo "bench: $mode $scenario failed (see $work/logs)" >&2
      [[ -f "$work/reports/$run_name.json" ]] && reports+=("$work/reports/$run_name.json")
      if [[ "$scenario" == S[67] && -f "$timeline" ]]; then
        dotnet "$root/bench/Charts/bin/Release/net10.0/ChatCharts.dll" "$timeline" "${timeline%.json}" >/dev/null \
          || echo "bench: charts of $timeline failed" >&2
      fi
      stop_servers "$mode" "$scenario"
    done
  done
done

server_label() { # the commit of SERVER_ROOT when it is a checkout of its own (not a copy inside another)
  if [[ "$(git -C "$SERVER_ROOT" rev-parse --show-toplevel 2>/dev/null)" == "$SERVER_ROOT" ]]; then
    (cd "$SERVER_ROOT" && echo "$(git rev-parse --short HEAD)$(git diff --quiet HEAD -- WebFront Silo Grains Grains.Interfaces || echo ' + uncommitted changes')")
  else
    basename "$SERVER_ROOT"
  fi
}

dotnet "$work/chatload/ChatLoad.dll" summarize \
  --title "OrleansChat benchmark $RESULTS_NAME ($(nproc) cores, servers: $(server_label)$([[ "$ROUNDS" == 1 ]] || echo ", $ROUNDS rounds"))" \
  --json "bench/results/$RESULTS_NAME.json" --markdown "bench/results/$RESULTS_NAME.md" "${reports[@]}" >/dev/null
# latest.md is the latest run of the load scenarios; an S8-only run leaves it.
load_run=0
for scenario in $SCENARIOS; do [[ "$scenario" == S[1-5] ]] && load_run=1; done
if [[ "$load_run" == 1 ]]; then cp "bench/results/$RESULTS_NAME.md" bench/results/latest.md; fi
echo "bench: wrote bench/results/$RESULTS_NAME.json and .md (raw reports and logs in $work)"
