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

if ! $aot_only; then
  # patchbot serve end-to-end tests (tests/EndToEnd): real Postfix + Dovecot, public-inbox, git send-email
  command -v postfix >/dev/null 2>&1 || need+=(postfix)
  command -v dovecot >/dev/null 2>&1 || need+=(dovecot-imapd)
  [ -x /usr/lib/dovecot/lmtp ] || need+=(dovecot-lmtpd)
  command -v swaks >/dev/null 2>&1 || need+=(swaks)
  command -v curl >/dev/null 2>&1 || need+=(curl)
  command -v public-inbox-netd >/dev/null 2>&1 || need+=(public-inbox)
  perl -MLinux::Inotify2 -e1 >/dev/null 2>&1 || need+=(liblinux-inotify2-perl)
  [ -x "$(git --exec-path 2>/dev/null)/git-send-email" ] && perl -MMail::Address -e1 >/dev/null 2>&1 || need+=(git-email libmailtools-perl)
  perl -MAuthen::SASL -e1 >/dev/null 2>&1 || need+=(libauthen-sasl-perl)
fi

if [ ${#need[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  # Postfix: "No configuration" writes no /etc/postfix/main.cf and never prompts (the tests configure their own)
  echo "postfix postfix/main_mailer_type select No configuration" | $sudo debconf-set-selections
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}"
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
