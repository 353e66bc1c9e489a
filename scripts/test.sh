#!/usr/bin/env bash
# Runs every OrleansChat test from a fresh clone: restores NuGet packages, builds the solution and runs
# all test projects (grains on a 2-silo TestCluster, WebFront over real Kestrel + WebSockets, cross-node).
set -euo pipefail
cd "$(dirname "$0")/.."

export DOTNET_CLI_TELEMETRY_OPTOUT=1
export DOTNET_NOLOGO=1

dotnet restore OrleansChat.sln
dotnet build OrleansChat.sln --no-restore --configuration Release
dotnet test OrleansChat.sln --no-build --configuration Release \
  --blame-hang-timeout 5m \
  --results-directory artifacts/test-results \
  --logger "console;verbosity=minimal" "$@"
