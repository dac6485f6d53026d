#!/usr/bin/env bash
# Installs the system packages PatchBot's tests need (with --aot: only what the native build
# needs). Idempotent; needs root (or sudo) only when something is missing.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)

need=()
# Native AOT (scripts/patchbot, the bench) links with clang and zlib.
command -v clang >/dev/null 2>&1 || need+=(clang)
[ -e /usr/include/zlib.h ] || need+=(zlib1g-dev)
aot_only=false
[ "${1:-}" = "--aot" ] && aot_only=true
$aot_only || command -v git >/dev/null 2>&1 || need+=(git)
$aot_only || command -v xz >/dev/null 2>&1 || need+=(xz-utils)
# A real kernel tree for the tree-mode tests: Debian's linux-source package, unpacked below.
kernel_tarball=/usr/src/linux-source-6.12.tar.xz
$aot_only || [ -f "$kernel_tarball" ] || need+=(linux-source-6.12)
command -v dotnet >/dev/null 2>&1 || { echo "the .NET 10 SDK is required (dotnet on PATH)" >&2; exit 2; }

if [ ${#need[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}"
fi

$aot_only && exit 0

# Unpack the kernel tree once into the repository's ignored .cache/ (the tests read it there,
# or from PATCHBOT_KERNEL_TREE).
kernel_tree="$root/.cache/linux-source-6.12"
if [ -z "${PATCHBOT_KERNEL_TREE:-}" ] && [ ! -f "$kernel_tree/MAINTAINERS" ]; then
  mkdir -p "$root/.cache"
  rm -rf "$kernel_tree.partial"
  mkdir -p "$kernel_tree.partial"
  tar -xf "$kernel_tarball" -C "$kernel_tree.partial" --strip-components=1
  rm -rf "$kernel_tree"
  mv "$kernel_tree.partial" "$kernel_tree"
fi
