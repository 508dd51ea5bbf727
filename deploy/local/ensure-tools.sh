#!/usr/bin/env bash
# Installs what the project needs outside PyPI on a fresh Debian machine:
# a JDK and Maven (genuine Apache Kafka runs on the JVM; Maven resolves its jars), Node.js
# (the showroom till's cart script is tested with it), and uv.
set -euo pipefail

need_apt=()
command -v java >/dev/null 2>&1 || need_apt+=(openjdk-17-jre-headless)
command -v mvn >/dev/null 2>&1 || need_apt+=(maven)
command -v node >/dev/null 2>&1 || need_apt+=(nodejs)
[ -x /usr/bin/chromium ] || need_apt+=(chromium)  # the browser tests drive Debian's Chromium
if ((${#need_apt[@]})); then
  echo "ensure-tools: installing ${need_apt[*]} from Debian"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

UV_VERSION="0.13.8"
if ! python3 -m uv --version 2>/dev/null | grep -q "$UV_VERSION"; then
  echo "ensure-tools: installing uv $UV_VERSION from PyPI"
  python3 -m pip install -q --disable-pip-version-check "uv==$UV_VERSION"
fi

# Kustomize renders deploy/k8s for tests/deploy (the Go module proxy is reachable; `go
# install` takes about a minute the first time, nothing when the pinned version is present).
KUSTOMIZE_VERSION="v5.5.0"
KUSTOMIZE_BIN=".ocop/tools/bin/kustomize"
cd "$(dirname "$0")/../.."
# (`go install` builds report "(devel)" as their version: a stamp file records the pin.)
if [ ! -x "$KUSTOMIZE_BIN" ] || [ "$(cat "$KUSTOMIZE_BIN.version" 2>/dev/null)" != "$KUSTOMIZE_VERSION" ]; then
  if command -v go >/dev/null 2>&1 || [ -x /usr/local/go/bin/go ]; then
    GO="$(command -v go || echo /usr/local/go/bin/go)"
    echo "ensure-tools: installing kustomize $KUSTOMIZE_VERSION from the Go module proxy"
    mkdir -p "$(dirname "$KUSTOMIZE_BIN")"
    GOBIN="$PWD/$(dirname "$KUSTOMIZE_BIN")" GOFLAGS=-buildvcs=false \
      "$GO" install "sigs.k8s.io/kustomize/kustomize/v5@$KUSTOMIZE_VERSION"
    echo "$KUSTOMIZE_VERSION" >"$KUSTOMIZE_BIN.version"
  else
    echo "ensure-tools: no Go toolchain; tests/deploy will use 'kubectl kustomize' if present" >&2
  fi
fi
