#!/usr/bin/env bash
# The check step of deploy/action.yml: makes sure the checkout has the pull request's base and head commits and
# the history between them (deepening a shallow clone as far as needed), then runs patchbot check --git
# BASE..HEAD once. BASE..HEAD is what the pull request adds: a pull request that merged its base branch does not
# get the base branch's commits checked (head~N along first parents would).
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

case "$format" in
  github|sarif|both) ;;
  *)
    echo "::error title=patchbot::format must be github, sarif or both, not '$format'"
    echo "exit-code=2" >> "$out"
    exit 2
    ;;
esac

has() { git cat-file -e "$1^{commit}" 2>/dev/null; }
fetch() { git fetch --no-tags --quiet "$@" 2>/dev/null || true; }

if [ "$(git rev-parse --is-shallow-repository)" = true ]; then
  # A shallow checkout (actions/checkout fetches one commit): fetch the head as deep as the pull request and the
  # base, then deepen both until they meet, so that BASE..HEAD leaves out everything the base already has.
  depth=$(( ${commits:-0} > 0 ? commits + 1 : 50 ))
  fetch --depth="$depth" origin "$head" "$base"
  for _ in 1 2 3 4 5 6 7 8; do
    git merge-base "$base" "$head" > /dev/null 2>&1 && break
    fetch --deepen="$depth" origin "$head" "$base"
    depth=$(( depth * 2 ))
  done
  git merge-base "$base" "$head" > /dev/null 2>&1 || fetch --unshallow origin "$head" "$base"
else
  has "$head" || fetch origin "$head"
  has "$base" || fetch origin "$base"
fi

args=(check --git "$base..$head" --fail-level "$fail_level")
[ -n "${PATCHBOT_CONFIG:-}" ] && args+=(--config "$PATCHBOT_CONFIG")

# One analysis whatever the format: with both, the SARIF log is written beside the annotations.
status=0
case "$format" in
  sarif) "$bin" "${args[@]}" --format sarif > "$sarif" || status=$? ;;
  both) "$bin" "${args[@]}" --format github --sarif-file "$sarif" || status=$? ;;
  github) "$bin" "${args[@]}" --format github || status=$? ;;
esac

[ "$format" != github ] && echo "sarif-file=$sarif" >> "$out"
echo "exit-code=$status" >> "$out"
exit "$status"
