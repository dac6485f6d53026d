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

# GitHub tests (tests/Bot.Tests/GitHub): GitHub's OpenAPI and webhook descriptions, Prism as a validating
# mock of the REST API, and Microsoft's SARIF multitool, pinned in tools/npm/package-lock.json.
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq nodejs npm
fi
npm_dir="$(cd "$(dirname "$0")/.." && pwd)/tools/npm"
stamp="$npm_dir/node_modules/.installed-lock"
if ! cmp -s "$npm_dir/package-lock.json" "$stamp"; then
  (cd "$npm_dir" && npm ci --no-audit --no-fund --loglevel=error)
  cp "$npm_dir/package-lock.json" "$stamp"
fi
# npm does not run the package's own postinstall (chmod) unless scripts are approved: do it here.
chmod u+x "$npm_dir/node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool" 2>/dev/null || true
