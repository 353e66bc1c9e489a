#!/usr/bin/env bash
# The docker-compose topology as plain processes on loopback: redis-server, 2 silos, 2 WebFronts and an nginx
# round-robin load balancer. Same environment variables as docker-compose.yml. Stops exactly what it started
# (by pid file). TOPOLOGY=cohosted runs no separate silos: each WebFront hosts a silo of the cluster
# (Orleans__HostSilo=true, on the silo1/silo2 ports).
#
#   scripts/cluster.sh up            build (Release) and start everything, wait until healthy
#   scripts/cluster.sh down          stop everything it started (SIGTERM, then SIGKILL after 20 s)
#   scripts/cluster.sh status        what runs, with pids and ports
#   scripts/cluster.sh start NAME    (re)start one of: redis silo1 silo2 web1 web2 lb (cohosted: redis web1 web2 lb)
#   scripts/cluster.sh stop NAME     SIGTERM one process and wait for it
#   scripts/cluster.sh kill NAME     SIGKILL one process (a crash)
#
# Settings (environment): CLUSTER_DIR (state: pids, logs; default .run/cluster), LB_PORT (3000), REDIS_PORT (6390),
# WEB1_PORT/WEB2_PORT (3101/3102), SILO1_PORT/SILO2_PORT (11121/11122), GATEWAY1_PORT/GATEWAY2_PORT (30011/30012),
# DASHBOARD1_PORT/DASHBOARD2_PORT (8081/8082), METRICS1_PORT/METRICS2_PORT (9465/9466), CONFIGURATION (Release), NO_BUILD=1 to skip the build,
# TOPOLOGY (tiers: separate silos and WebFronts | cohosted: WebFronts that host the silos), DASHBOARD=1 to run the Orleans dashboard on each silo's port (off by default, as in docker-compose.yml: it collects every
# Orleans metric once a second, ~1.5 % of a core per idle silo; /healthz is served either way), SILO_DLL / WEB_DLL
# (the apps to run, default the Release build's; e.g. a `dotnet publish` output to measure a ReadyToRun build).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
dir="${CLUSTER_DIR:-$root/.run/cluster}"
mkdir -p "$dir/logs"
dir="$(cd "$dir" && pwd)"

LB_PORT="${LB_PORT:-3000}"
REDIS_PORT="${REDIS_PORT:-6390}"
WEB1_PORT="${WEB1_PORT:-3101}"
WEB2_PORT="${WEB2_PORT:-3102}"
SILO1_PORT="${SILO1_PORT:-11121}"
SILO2_PORT="${SILO2_PORT:-11122}"
GATEWAY1_PORT="${GATEWAY1_PORT:-30011}"
GATEWAY2_PORT="${GATEWAY2_PORT:-30012}"
DASHBOARD1_PORT="${DASHBOARD1_PORT:-8081}"
DASHBOARD2_PORT="${DASHBOARD2_PORT:-8082}"
METRICS1_PORT="${METRICS1_PORT:-9465}"
METRICS2_PORT="${METRICS2_PORT:-9466}"
CLUSTER_ID="${CLUSTER_ID:-orleans-chat-local}"
CONFIGURATION="${CONFIGURATION:-Release}"
SILO_DLL="${SILO_DLL:-$root/Silo/bin/$CONFIGURATION/net10.0/OrleansChat.Silo.dll}"
WEB_DLL="${WEB_DLL:-$root/WebFront/bin/$CONFIGURATION/net10.0/OrleansChat.WebFront.dll}"
TOPOLOGY="${TOPOLOGY:-tiers}"
case "$TOPOLOGY" in
  tiers) ALL=(redis silo1 silo2 web1 web2 lb) ;;
  cohosted) ALL=(redis web1 web2 lb) ;;
  *) echo "cluster.sh: TOPOLOGY is tiers or cohosted, not '$TOPOLOGY'" >&2; exit 2 ;;
esac

need() { command -v "$1" >/dev/null 2>&1 || { echo "cluster.sh: '$1' is not installed (apt-get install $2)" >&2; exit 1; }; }
pidfile() { echo "$dir/$1.pid"; }
running() { local f; f="$(pidfile "$1")"; [[ -f "$f" ]] && kill -0 "$(cat "$f")" 2>/dev/null; }

# Common settings of every Orleans process: the same cluster, the same Redis.
orleans_env() {
  export ConnectionStrings__Redis="127.0.0.1:$REDIS_PORT"
  export Orleans__ClusterId="$CLUSTER_ID" Orleans__ServiceId="orleans-chat"
  export Orleans__AdvertisedIP="127.0.0.1"
  export DOTNET_gcServer=0 Logging__LogLevel__Default=Warning Logging__LogLevel__OrleansChat=Information
  # Socket completions run on the runtime's epoll thread instead of hopping to the thread pool (Kestrel's and
  # Orleans' transports only hand the bytes on): measured better on S2-S5, as in the Dockerfile
  # (docs/measurements.md, "Socket completions inline"). DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=0 turns it off.
  export DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS="${DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS:-1}"
  # Timestamped lines, so the logs of processes that restart can be read side by side.
  export Logging__Console__TimestampFormat="${LOG_TIMESTAMP_FORMAT:-HH:mm:ss.fff }"
  export Chat__Limits__LeaseTimeout="${LEASE_TIMEOUT:-00:00:15}"
}

spawn() { # name, command...
  local name="$1"; shift
  echo "---- $(date -u +%H:%M:%S.%3N) starting $name" >>"$dir/logs/$name.log"
  nohup "$@" >>"$dir/logs/$name.log" 2>&1 &
  echo $! >"$(pidfile "$name")"
}

start_one() {
  local name="$1"
  if running "$name"; then echo "$name already running (pid $(cat "$(pidfile "$name")"))"; return; fi
  case "$name" in
    redis)
      need redis-server redis-server
      mkdir -p "$dir/redis"
      spawn redis redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --dir "$dir/redis" --save "" --appendonly yes \
        --protected-mode yes ;;
    silo1|silo2)
      [[ "$TOPOLOGY" == tiers ]] || { echo "cluster.sh: no $name in the $TOPOLOGY topology (the WebFronts host the silos)" >&2; exit 2; }
      local n="${name#silo}" sp gp dp
      sp="SILO${n}_PORT"; gp="GATEWAY${n}_PORT"; dp="DASHBOARD${n}_PORT"
      ( orleans_env
        export Orleans__SiloPort="${!sp}" Orleans__GatewayPort="${!gp}" Orleans__DashboardPort="${!dp}"
        if [[ "${DASHBOARD:-0}" == 1 ]]; then export Orleans__Dashboard=true; else export Orleans__Dashboard=false; fi
        export ASPNETCORE_URLS="http://127.0.0.1:${!dp}"
        spawn "$name" dotnet "$SILO_DLL" ) ;;
    web1|web2)
      local n="${name#web}" wp mp
      wp="WEB${n}_PORT"; mp="METRICS${n}_PORT"
      ( orleans_env
        export ASPNETCORE_URLS="http://127.0.0.1:${!wp}" Chat__Socket__ServerId="$name" Chat__Metrics__Port="${!mp}"
        if [[ "$TOPOLOGY" == cohosted ]]; then
          local sp="SILO${n}_PORT" gp="GATEWAY${n}_PORT"
          export Orleans__HostSilo=true Orleans__SiloPort="${!sp}" Orleans__GatewayPort="${!gp}"
        fi
        export Chat__Socket__AllowedOrigins__0="http://localhost:$LB_PORT" Chat__Socket__AllowedOrigins__1="http://127.0.0.1:$LB_PORT"
        spawn "$name" dotnet "$WEB_DLL" ) ;;
    lb)
      need nginx nginx
      mkdir -p "$dir/nginx/logs" "$dir/nginx/temp"
      sed -e "s/__LB_PORT__/$LB_PORT/" -e "s/__WEB1__/127.0.0.1:$WEB1_PORT/" -e "s/__WEB2__/127.0.0.1:$WEB2_PORT/" \
        -e "s|__PREFIX__|$dir/nginx|g" "$root/scripts/nginx.local.conf" >"$dir/nginx/nginx.conf"
      spawn lb nginx -p "$dir/nginx" -c "$dir/nginx/nginx.conf" -g "daemon off; pid $dir/nginx/nginx.pid;" ;;
    *) echo "unknown process '$name' (one of: ${ALL[*]})" >&2; exit 2 ;;
  esac
}

wait_http() { # name url
  for _ in $(seq 1 240); do
    if curl -fs -o /dev/null --max-time 2 "$2"; then return 0; fi
    running "$1" || { echo "$1 exited; last log lines:" >&2; tail -n 30 "$dir/logs/$1.log" >&2; exit 1; }
    sleep 0.5
  done
  echo "$1 did not become healthy at $2" >&2; exit 1
}

wait_ready() {
  case "$1" in
    redis) for _ in $(seq 1 100); do redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && return 0; sleep 0.1; done
           echo "redis did not start" >&2; exit 1 ;;
    silo1) wait_http silo1 "http://127.0.0.1:$DASHBOARD1_PORT/healthz" ;;
    silo2) wait_http silo2 "http://127.0.0.1:$DASHBOARD2_PORT/healthz" ;;
    web1) wait_http web1 "http://127.0.0.1:$WEB1_PORT/ready" ;;
    web2) wait_http web2 "http://127.0.0.1:$WEB2_PORT/ready" ;;
    lb) wait_http lb "http://127.0.0.1:$LB_PORT/healthz" ;;
  esac
}

stop_one() { # name signal
  local name="$1" sig="${2:-TERM}" f pid
  f="$(pidfile "$name")"
  [[ -f "$f" ]] || return 0
  pid="$(cat "$f")"
  if kill -0 "$pid" 2>/dev/null; then
    kill -"$sig" "$pid" 2>/dev/null || true
    for _ in $(seq 1 200); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid" 2>/dev/null || true; sleep 0.2; fi
  fi
  rm -f "$f"
}

case "${1:-}" in
  up)
    need curl curl
    if [[ "${NO_BUILD:-}" != 1 ]]; then
      dotnet build "$root/OrleansChat.sln" -c "$CONFIGURATION" -v quiet -nologo >"$dir/logs/build.log" 2>&1 \
        || { tail -n 40 "$dir/logs/build.log" >&2; exit 1; }
    fi
    start_one redis; wait_ready redis
    if [[ "$TOPOLOGY" == tiers ]]; then start_one silo1; start_one silo2; wait_ready silo1; wait_ready silo2; fi
    start_one web1; start_one web2; wait_ready web1; wait_ready web2
    start_one lb; wait_ready lb
    echo "cluster up: http://localhost:$LB_PORT (state in $dir)" ;;
  down)
    for name in lb web2 web1 silo2 silo1 redis; do stop_one "$name" TERM; done
    echo "cluster down" ;;
  status)
    for name in "${ALL[@]}"; do
      if running "$name"; then echo "$name running pid $(cat "$(pidfile "$name")")"; else echo "$name stopped"; fi
    done ;;
  start) start_one "${2:?name}"; wait_ready "$2" ;;
  stop) stop_one "${2:?name}" TERM ;;
  kill) stop_one "${2:?name}" KILL ;;
  *) sed -n '2,16p' "$0"; exit 2 ;;
esac
