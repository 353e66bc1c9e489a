#!/usr/bin/env bash
# A CPU profile of one running OrleansChat process, in one command: collects a sampling trace with dotnet-trace and
# writes a markdown report of it (bench/TraceReport). See "Profiling" in bench/README.md.
#
#   bench/profile.sh <pid|name> [seconds] [out-dir]
#
#   name     silo1 silo2 web1 web2 (redis and lb are not .NET): the pid is read from $CLUSTER_DIR/<name>.pid, else
#            .run/cluster/<name>.pid (scripts/cluster.sh), else the newest .run/bench/*/cluster/<name>.pid that is
#            alive (bench/run.sh). A plain pid works too; it is named after its pid file if it has one, else pid<N>.
#   seconds  how long to sample (10)
#   out-dir  where <name>.nettrace and <name>.md go (.run/profiles/<time>)
#
# Settings (environment): PROFILER (auto: collect-linux, else EventPipe; linux; eventpipe; gc: no CPU samples, the
# runtime's GC events instead, reported as the collections' pauses by generation and phase), TOP (20 rows per frame
# table), FILTER (OrleansChat: the frames listed apart; empty for none), NO_BUILD=1 (do not build TraceReport).
#
# Collection: first `dotnet-trace collect-linux --profile cpu-sampling` (perf CPU samples, kernel and native frames
# included; needs root or perf_event access). If that fails, `dotnet-trace collect --profile
# dotnet-sampled-thread-time` (EventPipe: every managed thread sampled, running or not; the report leaves blocked
# samples out), and `--providers Microsoft-DotNETCore-SampleProfiler` if that profile is unknown. The report says
# which one was used; dotnet-trace's own output is kept in <name>.collect.log, the thread names (read from /proc
# while it samples) in <name>.threads.tsv.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"

usage() { sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
[[ $# -ge 1 && $# -le 3 && "$1" != -h && "$1" != --help ]] || usage
target="$1"
seconds="${2:-10}"
out="${3:-$root/.run/profiles/$(date +%Y%m%d-%H%M%S)}"
PROFILER="${PROFILER:-auto}"
TOP="${TOP:-20}"
FILTER="${FILTER-OrleansChat}"
[[ "$seconds" =~ ^[0-9]+$ && "$seconds" -ge 1 ]] || { echo "profile.sh: seconds must be a whole number >= 1, not '$seconds'" >&2; exit 2; }
case "$PROFILER" in auto|linux|eventpipe|gc) ;; *) echo "profile.sh: PROFILER is auto, linux, eventpipe or gc, not '$PROFILER'" >&2; exit 2 ;; esac

# --- which process ---------------------------------------------------------------------------------------------
pid_dirs=()
[[ -n "${CLUSTER_DIR:-}" ]] && pid_dirs+=("$CLUSTER_DIR")
pid_dirs+=("$root/.run/cluster")
while IFS= read -r d; do pid_dirs+=("$d"); done < <(ls -1dt "$root"/.run/bench/*/cluster 2>/dev/null || true)

alive() { [[ "$1" =~ ^[0-9]+$ ]] && kill -0 "$1" 2>/dev/null; }

if [[ "$target" =~ ^[0-9]+$ ]]; then
  pid="$target"
  alive "$pid" || { echo "profile.sh: no process $pid" >&2; exit 1; }
  name="pid$pid"
  for d in "${pid_dirs[@]}"; do # name it after its pid file, if it has one
    for f in "$d"/*.pid; do
      [[ -f "$f" && "$(cat "$f" 2>/dev/null)" == "$pid" ]] && { name="$(basename "$f" .pid)"; break 2; }
    done
  done
else
  name="$target"
  [[ "$name" =~ ^[A-Za-z0-9_.-]+$ ]] || { echo "profile.sh: '$name' is neither a pid nor a process name" >&2; exit 2; }
  pid=""
  for d in "${pid_dirs[@]}"; do
    f="$d/$name.pid"
    if [[ -f "$f" ]] && alive "$(cat "$f")"; then pid="$(cat "$f")"; break; fi
  done
  if [[ -z "$pid" ]]; then
    echo "profile.sh: no running process '$name' (looked for $name.pid in: ${pid_dirs[*]})" >&2
    exit 1
  fi
fi
comm="$(cat "/proc/$pid/comm" 2>/dev/null || echo '?')"

mkdir -p "$out"
out="$(cd "$out" && pwd)"
trace="$out/$name.nettrace"
report="$out/$name.md"
log="$out/$name.collect.log"
rm -f "$trace"
: >"$log"

# --- tools: dotnet-trace from bench/.config/dotnet-tools.json, TraceReport built here ---------------------------
cd "$root/bench"
if ! dotnet tool run dotnet-trace -- --version >/dev/null 2>&1; then
  echo "profile.sh: restoring dotnet-trace (bench/.config/dotnet-tools.json)" >&2
  dotnet tool restore >&2
fi
trace_tool() { dotnet tool run dotnet-trace -- "$@"; }
tool_version="$(trace_tool --version 2>/dev/null | head -n 1 | cut -d+ -f1 || true)"

report_dll="$root/bench/TraceReport/bin/Release/net10.0/TraceReport.dll"
if [[ "${NO_BUILD:-}" != 1 || ! -f "$report_dll" ]]; then
  dotnet build "$root/bench/TraceReport" -c Release --nologo -v quiet >"$out/tracereport-build.log" 2>&1 \
    || { cat "$out/tracereport-build.log" >&2; exit 1; }
  rm -f "$out/tracereport-build.log"
fi

# --- collect ----------------------------------------------------------------------------------------------------
duration="$(printf '%02d:%02d:%02d:%02d' $((seconds / 86400)) $((seconds % 86400 / 3600)) $((seconds % 3600 / 60)) $((seconds % 60)))"
notes=()
collected=""

try_collect() { # description, dotnet-trace arguments...
  local what="$1"; shift
  echo "== dotnet-trace $*" >>"$log"
  echo "profile.sh: $name (pid $pid, $comm): $what for $seconds s" >&2
  # No stdin: dotnet-trace must not wait for a key press; --duration ends it.
  if trace_tool "$@" -p "$pid" --duration "$duration" -o "$trace" </dev/null >>"$log" 2>&1 && [[ -s "$trace" ]]; then
    collected="dotnet-trace $* (dotnet-trace ${tool_version:-?})"
    return 0
  fi
  echo "   (failed: exit code or no trace; last lines of $log:)" >&2
  tail -n 5 "$log" | sed 's/^/   | /' >&2
  rm -f "$trace"
  return 1
}

# Thread names are not in the trace: read them from /proc every second while it runs (threads come and go), so
# the report can name the runtime's native threads (GC, EventPipe) and show a per-thread table.
threads="$out/$name.threads.tsv"
: >"$threads.raw"
snapshot_threads() {
  local t n
  for t in /proc/"$pid"/task/*; do n="$(cat "$t/comm" 2>/dev/null)" && printf '%s\t%s\n' "${t##*/}" "$n"; done
}
touch "$out/.sampling-$name"
( while [[ -f "$out/.sampling-$name" ]] && kill -0 "$pid" 2>/dev/null; do snapshot_threads >>"$threads.raw"; sleep 1; done ) &
snapshots=$!
stop_snapshots() { rm -f "$out/.sampling-$name"; wait "$snapshots" 2>/dev/null || true; }
trap stop_snapshots EXIT

if [[ "$PROFILER" == gc ]]; then
  try_collect "runtime GC events" collect --providers Microsoft-Windows-DotNETRuntime:0x1:4 ||
    { echo "profile.sh: collecting GC events failed; see $log" >&2; exit 1; }
elif [[ "$PROFILER" != eventpipe ]]; then
  if try_collect "perf CPU sampling (collect-linux)" collect-linux --profile cpu-sampling; then :
  elif [[ "$PROFILER" == linux ]]; then
    echo "profile.sh: collect-linux failed and PROFILER=linux; see $log" >&2; exit 1
  else
    notes+=("collect-linux failed here (see \`$(basename "$log")\`), so this is the EventPipe fallback")
  fi
fi
if [[ -z "$collected" ]]; then
  try_collect "EventPipe thread-time sampling" collect --profile dotnet-sampled-thread-time ||
    try_collect "EventPipe sample profiler" collect --providers Microsoft-DotNETCore-SampleProfiler ||
    { echo "profile.sh: every way of collecting failed; see $log" >&2; exit 1; }
fi

stop_snapshots
awk -F'\t' '{ name[$1] = $2 } END { for (t in name) print t "\t" name[t] }' "$threads.raw" | sort -n >"$threads"
rm -f "$threads.raw"

# --- report -----------------------------------------------------------------------------------------------------
args=("$trace" --pid "$pid" --top "$TOP" --out "$report" --threads "$threads"
  --title "$name (pid $pid), $seconds s, $(date '+%Y-%m-%d %H:%M')"
  --note "collected with: \`$collected\`")
for n in "${notes[@]}"; do args+=(--note "$n"); done
args+=(--note "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores")
[[ -n "$FILTER" ]] && args+=(--filter "$FILTER")
[[ "$PROFILER" == gc ]] && args+=(--gc)
dotnet "$report_dll" "${args[@]}"

echo "profile.sh: wrote $trace" >&2
echo "profile.sh: wrote $report" >&2
