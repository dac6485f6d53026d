#!/usr/bin/env bash
# Builds the SharpFuzz harnesses, instruments PatchBot's own assemblies, builds the seed corpora from
# tests/corpus and runs each harness under AFL++ for the given number of minutes (one after the other, or all at
# once with FUZZ_PARALLEL=1).
#   fuzz/run.sh [MINUTES] [HARNESS...]      harnesses: mail diff c reply (default: all four, 10 minutes each)
# Environment: FUZZ_PARALLEL=1 runs the harnesses side by side; FUZZ_NICE=N runs afl-fuzz and the targets at that
# niceness (19: only idle CPU, on a machine others build on); FUZZ_TIMEOUT_MS is the hang bound per input (1000).
# Findings land in fuzz/out/findings/HARNESS/default/{crashes,hangs}; triage one with
#   dotnet fuzz/out/bin/PatchBot.Fuzz.dll HARNESS --run FILE...
# Not part of CI. See fuzz/README.md.
set -euo pipefail

minutes="${1:-10}"
shift || true
harnesses=("$@")
if [ "${#harnesses[@]}" -eq 0 ]; then
  harnesses=(mail diff c reply)
fi

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
out="$here/out"
bin="$out/bin"
cases="$root/tests/corpus/cases"

# Prerequisites: AFL++ (Debian package) and the SharpFuzz instrumenter (dotnet tool).
if ! command -v afl-fuzz >/dev/null 2>&1; then
  if [ "$(id -u)" -eq 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq afl++
  else
    echo "run.sh: afl-fuzz not found; install the Debian package afl++" >&2
    exit 2
  fi
fi
export PATH="$PATH:$HOME/.dotnet/tools"
if ! command -v sharpfuzz >/dev/null 2>&1; then
  dotnet tool install --global SharpFuzz.CommandLine --version 2.3.0
fi

# Build once, write the seeds (before instrumenting: instrumented code only runs under afl-fuzz), then instrument the project's own assemblies (not MimeKit or the BCL).
rm -rf "$bin"
dotnet publish "$here/PatchBot.Fuzz/PatchBot.Fuzz.csproj" -c Release -o "$bin" -nologo -v quiet
rm -rf "$out/seeds"
dotnet "$bin/PatchBot.Fuzz.dll" seeds "$cases" "$out/seeds"
for dll in PatchBot.PatchParser.dll PatchBot.Rules.dll PatchBot.Engine.dll patchbot.dll; do
  sharpfuzz "$bin/$dll"
done


# dotnet is not an AFL-instrumented binary: SharpFuzz's forkserver speaks AFL's protocol from managed code.
export AFL_SKIP_BIN_CHECK=1 AFL_NO_AFFINITY=1 AFL_SKIP_CPUFREQ=1 AFL_NO_UI=1
export AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_FORKSRV_INIT_TMOUT=60000 AFL_AUTORESUME=1
# A memory blow-up becomes an OutOfMemoryException (a crash) instead of eating the machine: 1 GiB managed heap.
export DOTNET_GCHeapHardLimit=0x40000000
# A hang is over 1 s (on the inputs AFL keeps, at most 64 KB).
timeout_ms="${FUZZ_TIMEOUT_MS:-1000}"

nice_level="${FUZZ_NICE:-0}"

fuzz_one() {
  local h="$1"
  mkdir -p "$out/findings/$h"
  echo "== $h: $minutes minute(s)"
  nice -n "$nice_level" afl-fuzz -i "$out/seeds/$h" -o "$out/findings/$h" -t "$timeout_ms" -m none -G 65536 \
    -V "$((minutes * 60))" -- dotnet "$bin/PatchBot.Fuzz.dll" "$h" >"$out/findings/$h.log" 2>&1 || {
      echo "afl-fuzz failed for $h; see $out/findings/$h.log" >&2
      tail -20 "$out/findings/$h.log" >&2
    }
}

if [ "${FUZZ_PARALLEL:-0}" = 1 ]; then
  pids=()
  for h in "${harnesses[@]}"; do
    fuzz_one "$h" &
    pids+=("$!")
  done
  for pid in "${pids[@]}"; do
    wait "$pid" || true
  done
else
  for h in "${harnesses[@]}"; do
    fuzz_one "$h"
  done
fi

echo "harness  execs  run_time_s  crashes  hangs"
for h in "${harnesses[@]}"; do
  stats="$out/findings/$h/default/fuzzer_stats"
  [ -f "$stats" ] || continue
  get() { awk -F' *: *' -v k="$1" '$1 == k { print $2 }' "$stats"; }
  echo "$h  $(get execs_done)  $(get run_time)  $(get saved_crashes)  $(get saved_hangs)"
done
