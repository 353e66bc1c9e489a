#!/usr/bin/env bash
# Runs every OrleansChat test from a fresh clone: installs what the tests need (apt: chromium, redis-server,
# nginx, docker-compose), restores NuGet and npm packages, builds the solution (the React client included),
# runs the client's unit tests and all .NET test projects: grains on a 2-silo TestCluster, WebFront over real
# Kestrel + WebSockets, cross-node, the process cluster (redis, 2 silos, 2 WebFronts, nginx; kill -9, rolling
# restarts) and real-browser tests with Playwright.
set -euo pipefail
cd "$(dirname "$0")/.."

export DOTNET_CLI_TELEMETRY_OPTOUT=1
export DOTNET_NOLOGO=1

# Real components the tests start themselves: Chromium (browser tests, driven by Playwright, which never
# downloads a browser here), redis-server and nginx (the process cluster), docker-compose (validates the
# compose file; no Docker engine is needed). Installed from Debian's packages when missing.
missing=()
command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ] || missing+=(chromium)
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing+=(nginx)
command -v docker-compose >/dev/null 2>&1 || missing+=(docker-compose)
command -v curl >/dev/null 2>&1 || missing+=(curl)
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  $SUDO apt-get update
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
fi
# Debian's nginx and redis packages start system services on install; the tests run their own instances.
export PATH="$PATH:/usr/sbin"
export CHROMIUM_PATH=/usr/bin/chromium
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1

dotnet restore OrleansChat.sln
dotnet build OrleansChat.sln --no-restore --configuration Release

# The client's reducer and session unit tests, and a strict type check (the build installed node_modules).
(cd WebFront/ClientApp && npm test && npm run typecheck)

# The AWS CDK app synthesizes both stacks offline (no AWS account involved) and passes the AWS Solutions checks
# (cdk-nag over the synthesized templates).
(cd infra && npm ci --no-audit --no-fund \
  && CONTAINER_IMAGE_URI=123456789012.dkr.ecr.us-east-1.amazonaws.com/orleans-chat:ci npm run synth \
  && npm run nag:install && npm run nag)

dotnet test OrleansChat.sln --no-build --configuration Release \
  --blame-hang-timeout 5m \
  --results-directory artifacts/test-results \
  --logger "console;verbosity=minimal" "$@"
