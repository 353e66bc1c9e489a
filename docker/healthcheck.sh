#!/bin/bash
# Health probe of the OrleansChat image, without curl or wget (the ASP.NET image has neither): an HTTP/1.0 GET on
# 127.0.0.1 through bash's /dev/tcp. Exit 0 when the answer is 200, else 1.
#
#   healthcheck.sh              the running role's own check, found from PID 1's command line:
#                                 silo      /healthz on the port of ASPNETCORE_URLS, else Orleans__DashboardPort (8080)
#                                 webfront  /ready (cluster reachable, not draining) on the port of ASPNETCORE_URLS (3000)
#   healthcheck.sh PORT PATH    any other endpoint, e.g. healthcheck.sh 3000 /healthz
set -u

# The port of the first URL of an ASPNETCORE_URLS value ("http://+:3000;http://+:3001" -> 3000).
url_port() {
  local url="${1%%;*}"
  url="${url#*://}"
  url="${url%%/*}"
  case "$url" in
    *:*) echo "${url##*:}" ;;
    *) echo 80 ;;
  esac
}

if [ $# -ge 2 ]; then
  port="$1"
  path="$2"
else
  command_line="$(tr '\0' ' ' </proc/1/cmdline 2>/dev/null)"
  if [[ "$command_line" == *OrleansChat.Silo.dll* ]]; then
    if [ -n "${ASPNETCORE_URLS:-}" ]; then port="$(url_port "$ASPNETCORE_URLS")"; else port="${Orleans__DashboardPort:-8080}"; fi
    path=/healthz
  else
    port="$(url_port "${ASPNETCORE_URLS:-http://+:3000}")"
    path=/ready
  fi
fi

{ exec 3<>"/dev/tcp/127.0.0.1/$port"; } 2>/dev/null || { echo "nothing listens on port $port"; exit 1; }
printf 'GET %s HTTP/1.0\r\nHost: localhost\r\nConnection: close\r\n\r\n' "$path" >&3
status=""
IFS= read -r -t 10 status <&3
exec 3<&-
case "$status" in
  "HTTP/"*" 200 "*|"HTTP/"*" 200") exit 0 ;;
  *) echo "GET $path on port $port: ${status:-no answer}"; exit 1 ;;
esac
