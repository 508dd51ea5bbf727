#!/usr/bin/env bash
# Installs what the project needs outside PyPI on a fresh Debian machine:
# a JDK and Maven (genuine Apache Kafka runs on the JVM; Maven resolves its jars), Node.js
# (the showroom till's cart script is tested with it), and uv.
set -euo pipefail

need_apt=()
command -v java >/dev/null 2>&1 || need_apt+=(openjdk-17-jre-headless)
command -v mvn >/dev/null 2>&1 || need_apt+=(maven)
command -v node >/dev/null 2>&1 || need_apt+=(nodejs)
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
