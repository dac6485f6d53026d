#!/usr/bin/env bash
# Installs the system packages PatchBot's tests need. Idempotent; needs root (or sudo) only
# when something is missing.
set -euo pipefail

need=()
command -v git >/dev/null 2>&1 || need+=(git)
command -v dotnet >/dev/null 2>&1 || { echo "the .NET 10 SDK is required (dotnet on PATH)" >&2; exit 2; }

if [ ${#need[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}"
fi
