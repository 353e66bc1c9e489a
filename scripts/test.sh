#!/usr/bin/env bash
# Runs every OrleansChat test from a fresh clone: installs what the tests need (Debian's chromium), restores
# NuGet and npm packages, builds the solution (the React client included), runs the client's unit tests and
# all .NET test projects (grains on a 2-silo TestCluster, WebFront over real Kestrel + WebSockets, cross-node,
# real-browser tests with Playwright).
set -euo pipefail
cd "$(dirname "$0")/.."

export DOTNET_CLI_TELEMETRY_OPTOUT=1
export DOTNET_NOLOGO=1

# The browser tests drive Debian's Chromium through Playwright; Playwright never downloads a browser here.
if [ ! -x /usr/bin/chromium ]; then
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  $SUDO apt-get update
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium
fi
export CHROMIUM_PATH=/usr/bin/chromium
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1

dotnet restore OrleansChat.sln
dotnet build OrleansChat.sln --no-restore --configuration Release

# The client's reducer and session unit tests, and a strict type check (the build installed node_modules).
(cd WebFront/ClientApp && npm test && npm run typecheck)

dotnet test OrleansChat.sln --no-build --configuration Release \
  --blame-hang-timeout 5m \
  --results-directory artifacts/test-results \
  --logger "console;verbosity=minimal" "$@"
