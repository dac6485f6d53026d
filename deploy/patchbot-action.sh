#!/usr/bin/env bash
# The check step of deploy/action.yml: finds the pull request's commits in the checkout (deepening a shallow
# clone as far as the pull request needs), then runs patchbot check --git on them.
# Environment: PATCHBOT_BIN, PATCHBOT_BASE, PATCHBOT_HEAD, PATCHBOT_COMMITS (may be empty), PATCHBOT_FAIL_LEVEL,
# PATCHBOT_FORMAT (github|sarif|both), PATCHBOT_CONFIG (may be empty), PATCHBOT_SARIF_FILE, GITHUB_OUTPUT.
set -euo pipefail

bin="${PATCHBOT_BIN:?}"
base="${PATCHBOT_BASE:-}"
head="${PATCHBOT_HEAD:-}"
commits="${PATCHBOT_COMMITS:-}"
format="${PATCHBOT_FORMAT:-github}"
fail_level="${PATCHBOT_FAIL_LEVEL:-warning}"
sarif="${PATCHBOT_SARIF_FILE:-patchbot.sarif}"
out="${GITHUB_OUTPUT:-/dev/null}"

if [ -z "$base" ] || [ -z "$head" ]; then
  echo "::error title=patchbot::no commits to check: run on a pull_request event or give the base and head inputs"
  echo "exit-code=2" >> "$out"
  exit 2
fi

has() { git cat-file -e "$1^{commit}" 2>/dev/null; }

range="$base..$head"
has "$head" || git fetch --no-tags --quiet origin "$head" || true
if [ "$(git rev-parse --is-shallow-repository)" = true ] && [ -n "$commits" ]; then
  # A shallow checkout: fetch exactly the pull request's commits and the one below them.
  git fetch --no-tags --quiet --depth="$((commits + 1))" origin "$head" 2>/dev/null || true
  if has "$head~$commits"; then
    range="$head~$commits..$head"
  fi
elif ! has "$base"; then
  git fetch --no-tags --quiet origin "$base" || true
fi

args=(check --git "$range")
[ -n "${PATCHBOT_CONFIG:-}" ] && args+=(--config "$PATCHBOT_CONFIG")

status=0
case "$format" in
  sarif)
    "$bin" "${args[@]}" --format sarif --fail-level "$fail_level" > "$sarif" || status=$?
    echo "sarif-file=$sarif" >> "$out"
    ;;
  both)
    "$bin" "${args[@]}" --format sarif --fail-level none > "$sarif" || true
    echo "sarif-file=$sarif" >> "$out"
    "$bin" "${args[@]}" --format github --fail-level "$fail_level" || status=$?
    ;;
  github)
    "$bin" "${args[@]}" --format github --fail-level "$fail_level" || status=$?
    ;;
  *)
    echo "::error title=patchbot::format must be github, sarif or both, not '$format'"
    status=2
    ;;
esac

echo "exit-code=$status" >> "$out"
exit "$status"
