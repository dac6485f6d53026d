#!/usr/bin/env bash
# Runs every PatchBot test on a fresh machine: installs what the tests need
# (Debian packages, NuGet restore), builds, then runs all test projects.
# Usage: bash scripts/test.sh [extra dotnet test arguments]
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh

dotnet restore PatchBot.sln
dotnet build PatchBot.sln -c Release --no-restore

log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
dotnet test PatchBot.sln -c Release --no-build "$@" 2>&1 | tee "$log" || status=$?

# One plain closing line over all test projects.
passed=$(grep -oE 'Passed: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
failed=$(grep -oE 'Failed: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
skipped=$(grep -oE 'Skipped: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
echo "tests: $passed passed, $failed failed, $skipped skipped"
if [ "$passed" -eq 0 ] && [ "$status" -eq 0 ]; then
  echo "no test ran" >&2
  exit 1
fi
exit "$status"
