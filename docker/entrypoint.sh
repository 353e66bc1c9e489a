#!/bin/sh
# Entrypoint of the OrleansChat image: runs one of its two roles, exec'd, so the .NET process is PID 1 and gets
# SIGTERM itself (WebFront then sends goingAway, closes every socket with 1012 and leaves its rooms; a silo leaves
# the cluster).
#
#   entrypoint.sh [webfront|silo] [arguments for the app, e.g. --Orleans:SiloPort=11111]
#
# The role is the first argument, else $CHAT_ROLE, else webfront.
#   webfront  OrleansChat.WebFront on ASPNETCORE_URLS (default http://+:3000). Without ConnectionStrings__Redis or
#             Orleans__Gateways__0 it hosts its own silo (embedded mode, a whole chat in one container).
#             With Orleans__HostSilo=true and ConnectionStrings__Redis it hosts a silo of that cluster (co-hosted:
#             docker-compose.cohosted.yml).
#   silo      OrleansChat.Silo; its HTTP port (dashboard, /healthz) is ASPNETCORE_URLS if set, else
#             Orleans__DashboardPort (8080).
# CHAT_APP_ROOT (default /app) holds the published roles (webfront/, silo/); the tests point it elsewhere.
set -eu

root="${CHAT_APP_ROOT:-/app}"
role="${CHAT_ROLE:-webfront}"
case "${1:-}" in
  webfront|silo) role="$1"; shift ;;
esac

case "$role" in
  webfront)
    export ASPNETCORE_URLS="${ASPNETCORE_URLS:-http://+:3000}"
    # The content root is the working directory: wwwroot/ (the client) and appsettings.json are found from here.
    cd "$root/webfront"
    exec dotnet OrleansChat.WebFront.dll "$@" ;;
  silo)
    cd "$root/silo"
    exec dotnet OrleansChat.Silo.dll "$@" ;;
  *)
    echo "entrypoint: unknown role '$role': use webfront or silo (first argument or CHAT_ROLE)" >&2
    exit 64 ;;
esac
