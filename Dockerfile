# OrleansChat: one image, two roles (docker/entrypoint.sh): webfront (default) or silo.
#
#   docker build -t orleanschat:local .
#   docker run --rm -p 3000:3000 orleanschat:local        a whole chat in one container (embedded silo)
#   docker run ... orleanschat:local silo                  a silo of a cluster (ConnectionStrings__Redis, Orleans__*)
#   docker compose up --build                              the cluster: redis, 2 silos, 2 WebFronts, nginx on :3000
#
# Stages:
#   client   Node.js: npm ci + the esbuild bundle of WebFront/ClientApp into WebFront/wwwroot/assets
#   build    .NET SDK: restore (cached on the project files alone), publish Silo and WebFront (the bundle copied in,
#            -p:SkipClientBuild=true, so the SDK stage needs no Node.js)
#   runtime  ASP.NET runtime, non-root, both published apps under /app
#
# Cross-building (docker buildx build --platform linux/amd64 on an ARM laptop, or the reverse): the client and build
# stages run on the builder's own platform ($BUILDPLATFORM, set by BuildKit), never under emulation, where dotnet
# restore is known to hang; their output (the esbuild bundle, portable framework-dependent .NET assemblies started by
# `dotnet X.dll`) does not depend on the CPU. Only the runtime stage is of the target platform.
#
# Base images: maintained lines, by tag, not by digest. Node.js 24 is an LTS line (security fixes until April 2028;
# --build-arg NODE_VERSION=26 for the newer LTS); the .NET 10 images are patched monthly. A pinned digest would keep
# an image's known vulnerabilities until someone bumps it; the tags move to each patch release.
# NuGet audit: NU1901-NU1904 (a package with a known vulnerability) stay warnings in this build only. CI's
# `dotnet build` treats them as errors, so a new advisory fails the next commit there and gets fixed in the code; it
# must not stop the image build of a commit that passed CI (an urgent fix, a rollback) on the day it is published.

ARG NODE_VERSION=24
ARG DOTNET_VERSION=10.0

FROM --platform=$BUILDPLATFORM node:${NODE_VERSION}-bookworm-slim AS client
WORKDIR /src/WebFront/ClientApp
# Dependencies first: this layer is rebuilt only when the lock file changes.
COPY WebFront/ClientApp/package.json WebFront/ClientApp/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY WebFront/ClientApp/ ./
RUN npm run build && test -f ../wwwroot/assets/app.js

FROM --platform=$BUILDPLATFORM mcr.microsoft.com/dotnet/sdk:${DOTNET_VERSION} AS build
ENV DOTNET_CLI_TELEMETRY_OPTOUT=1 \
    DOTNET_NOLOGO=1
# See "NuGet audit" above: reported, not fatal, in the image build (MSBuild reads environment variables as properties).
ENV WarningsNotAsErrors="NU1603;NU1901;NU1902;NU1903;NU1904"
WORKDIR /src
# Restore first, from the build settings and project files only: this layer survives source edits.
COPY global.json Directory.Build.props Directory.Packages.props .editorconfig ./
COPY Grains.Interfaces/Grains.Interfaces.csproj Grains.Interfaces/
COPY Grains/Grains.csproj Grains/
COPY Silo/Silo.csproj Silo/
COPY Silo/Hosting/OrleansChat.Hosting.csproj Silo/Hosting/
COPY WebFront/WebFront.csproj WebFront/
RUN dotnet restore Silo/Silo.csproj && dotnet restore WebFront/WebFront.csproj
COPY . .
COPY --from=client /src/WebFront/wwwroot/assets/ WebFront/wwwroot/assets/
# The two runnable projects, not the solution (it also holds the test projects, which .dockerignore leaves out).
# Started by `dotnet X.dll` (no native app host), English resources only.
RUN dotnet publish Silo/Silo.csproj -c Release --no-restore -p:UseAppHost=false -p:SatelliteResourceLanguages=en \
      -o /app/silo \
 && dotnet publish WebFront/WebFront.csproj -c Release --no-restore -p:UseAppHost=false -p:SatelliteResourceLanguages=en \
      -p:SkipClientBuild=true -o /app/webfront \
 && test -f /app/webfront/wwwroot/assets/app.js \
 && test -f /app/webfront/wwwroot/index.html
# The scripts, executable and with LF line endings whatever the checkout did to them.
RUN for script in entrypoint healthcheck; do \
      sed 's/\r$//' "docker/$script.sh" >"/app/$script.sh" && chmod 755 "/app/$script.sh"; \
    done

FROM mcr.microsoft.com/dotnet/aspnet:${DOTNET_VERSION} AS runtime
# CHAT_ROLE: webfront or silo (a first argument wins). The base image's ASPNETCORE_HTTP_PORTS=8080 is cleared: the
# entrypoint gives WebFront ASPNETCORE_URLS=http://+:3000 unless set, and a silo listens on Orleans__DashboardPort.
# DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1: socket completions run on the runtime's epoll thread instead of
# hopping to the thread pool, as scripts/cluster.sh runs them (docs/measurements.md, "Socket completions inline").
ENV CHAT_ROLE=webfront \
    ASPNETCORE_HTTP_PORTS="" \
    DOTNET_CLI_TELEMETRY_OPTOUT=1 \
    DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1
WORKDIR /app
# Owned by root, read-only for the app user.
COPY --from=build /app/ /app/
# The image's own non-root user: app, UID 1654.
USER $APP_UID
# 3000 WebFront (HTTP + /ws), 8080 silo dashboard and /healthz, 11111 silo-to-silo, 30000 gateway (clients).
EXPOSE 3000 8080 11111 30000
# The role's own check (silo /healthz, WebFront /ready) with bash alone: see docker/healthcheck.sh.
HEALTHCHECK --interval=10s --timeout=5s --start-period=60s --retries=3 CMD ["/app/healthcheck.sh"]
ENTRYPOINT ["/app/entrypoint.sh"]
