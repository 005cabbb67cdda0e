#!/usr/bin/env bash
# ./run.sh            restore, build (Release) and start the daemon on ./Corefile (127.0.0.1:1053)
# ./run.sh test       install what the tests need (dig, kdig, knot, nsd), build, run every test; ends "N passed, N failed"
# Extra arguments after ./run.sh go to the daemon (e.g. ./run.sh -dns.port 1054).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
daemon=src/Akka.Dns.Daemon/bin/Release/net10.0/Akka.Dns.Daemon.dll

build() {
  echo "==> building (Release)" >&2
  dotnet build Akka.Dns.sln -c Release -nologo -v quiet -clp:ErrorsOnly >&2
}

need_tools() {
  # dig (dnsutils) and kdig (knot-dnsutils) are the interop tests' independent clients.
  # knot and nsd are the authoritative peers of the differential test (../shared/bench/diff.py, which
  # needs Debian's python3-dnspython).
  local missing=()
  command -v dig >/dev/null || missing+=(dnsutils)
  command -v kdig >/dev/null || missing+=(knot-dnsutils)
  command -v knotd >/dev/null || missing+=(knot)
  command -v nsd >/dev/null || missing+=(nsd)
  /usr/bin/python3 -c 'import dns' 2>/dev/null || missing+=(python3-dnspython)
  [[ ${#missing[@]} -eq 0 ]] && return 0
  echo "==> installing ${missing[*]} (apt)" >&2
  local sudo=""
  [[ $(id -u) -ne 0 ]] && sudo="sudo -n"
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2 || true
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null \
    || { echo "run.sh: could not install ${missing[*]}: install them by hand (apt-get install ${missing[*]})" >&2; exit 1; }
}

run_tests() {
  need_tools
  build
  local results; results=$(mktemp -d)
  local rc=0
  for p in tests/Akka.Dns.Tests tests/Akka.Dns.Interop; do
    echo "==> testing $p" >&2
    dotnet test "$p" -c Release --no-build -nologo -v quiet \
      --logger "trx;LogFileName=$(basename "$p").trx" --results-directory "$results" >&2 || rc=1
  done
  # One plain summary line from the trx files (VSTest prints its own per project).
  local passed=0 failed=0 total=0
  for f in "$results"/*.trx; do
    [[ -f $f ]] || continue
    local c
    c=$(grep -o '<Counters [^>]*>' "$f" | head -1)
    passed=$((passed + $(sed -E 's/.* passed="([0-9]+)".*/\1/' <<<"$c")))
    failed=$((failed + $(sed -E 's/.* failed="([0-9]+)".*/\1/' <<<"$c")))
    total=$((total + $(sed -E 's/.* total="([0-9]+)".*/\1/' <<<"$c")))
  done
  rm -rf "$results"
  [[ $failed -gt 0 ]] && rc=1
  local skipped=$((total - passed - failed))
  if [[ $skipped -gt 0 ]]; then
    echo "($skipped skipped: they need ../shared/bench next to the repository; the test output says which)"
  fi
  echo "$passed passed, $failed failed"
  return $rc
}

case "${1:-}" in
  test)
    shift
    run_tests
    ;;
  *)
    build
    exec dotnet "$daemon" -conf Corefile "$@"
    ;;
esac
