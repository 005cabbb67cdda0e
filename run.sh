#!/usr/bin/env bash
# ./run.sh            restore, build (Release) and start the daemon on ./Corefile (127.0.0.1:1053)
# ./run.sh test       install what the tests need (dig, kdig, knot, nsd), build, run every test; ends "N passed, N failed"
# ./run.sh cluster    build if needed, start the 3-node loopback cluster of hocon/cluster-node{1,2,3}.conf in the
#                     foreground (DNS on 127.0.0.1:1053-1055, remoting on 4053-4055); Ctrl-C stops all three
# Extra arguments after ./run.sh go to the daemon (e.g. ./run.sh -dns.port 1054).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
daemon=src/Akka.Dns.Daemon/bin/Release/net10.0/Akka.Dns.Daemon.dll

build() {
  echo "==> building (Release)" >&2
  dotnet build Akka.Dns.sln -c Release -nologo -v quiet -clp:ErrorsOnly >&2
  # An up-to-date project is not rewritten: mark the daemon as built now, so build_if_needed does not build again.
  touch "$daemon"
}

need_tools() {
  # dig (dnsutils) and kdig (knot-dnsutils) are the interop tests' independent clients.
  # knot and nsd are the authoritative peers of the differential test (../shared/bench/diff.py, which
  # needs Debian's python3-dnspython); unbound is the resolver peer of the cache + forward differential test.
  local missing=()
  command -v dig >/dev/null || missing+=(dnsutils)
  command -v kdig >/dev/null || missing+=(knot-dnsutils)
  command -v knotd >/dev/null || missing+=(knot)
  # bind9-utils: dnssec-keygen, dnssec-signzone, dnssec-verify, dnssec-dsfromkey (the DNSSEC specs' oracles;
  # knot brings keymgr).
  command -v dnssec-verify >/dev/null || missing+=(bind9-utils)
  # delv (bind9-dnsutils) validates the dnssec plugin's answers with the zone's key as its only trust anchor.
  command -v delv >/dev/null || missing+=(bind9-dnsutils)
  # ldnsutils: ldns-verify-zone, the sign plugin specs' second zone verifier.
  command -v ldns-verify-zone >/dev/null || missing+=(ldnsutils)
  command -v nsd >/dev/null || missing+=(nsd)
  command -v unbound >/dev/null || [[ -x /usr/sbin/unbound ]] || missing+=(unbound)
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
    # The console logger at minimal verbosity prints each failed test with its message and stack trace.
    dotnet test "$p" -c Release --no-build -nologo -v quiet --logger "console;verbosity=minimal" \
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

build_if_needed() {
  # Rebuild when the daemon is missing or any source, project or embedded config is newer than it.
  if [[ ! -f $daemon ]] || [[ -n $(find src Directory.Packages.props Directory.Build.props -newer "$daemon" \
      \( -name '*.cs' -o -name '*.csproj' -o -name '*.props' -o -name '*.conf' -o -name 'plugin.cfg' \) -print -quit) ]]; then
    build
  fi
}

run_cluster() {
  build_if_needed
  local pids=() n
  stop_nodes() {
    trap - EXIT INT TERM
    [[ ${#pids[@]} -eq 0 ]] && return 0
    echo "==> stopping the cluster" >&2
    kill -TERM "${pids[@]}" 2>/dev/null || true
    local i
    for i in $(seq 1 100); do   # 10 s for a graceful leave, then kill
      kill -0 "${pids[@]}" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL "${pids[@]}" 2>/dev/null || true
    wait 2>/dev/null || true
  }
  trap stop_nodes EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  for n in 1 2 3; do
    # Each node's output, prefixed with its name; $! is the daemon itself (the sed runs in a process substitution).
    dotnet "$daemon" -conf hocon/cluster.Corefile -dns.port "105$((n + 2))" -hocon "hocon/cluster-node$n.conf" \
      > >(sed -u "s/^/[node$n] /") 2>&1 &
    pids+=($!)
  done
  if command -v dig >/dev/null; then
    local deadline=$((SECONDS + 60)) port
    for port in 1053 1054 1055; do
      until [[ $(dig @127.0.0.1 -p "$port" members.akka.dns SRV +short +time=1 +tries=1 2>/dev/null | grep -c "node[0-9].akka.dns.$") -ge 3 ]]; do
        if [[ $SECONDS -ge $deadline ]]; then
          echo "run.sh: the node on port $port does not list 3 members after 60 s; still running, see its output" >&2
          break
        fi
        sleep 0.2
      done
    done
  else
    sleep 8   # no dig to poll with: give the cluster time to form
  fi
  cat <<'EOT'

==> cluster up: node1, node2, node3 serve akka.dns on 127.0.0.1 ports 1053, 1054, 1055 (remoting 4053-4055)
    dig @127.0.0.1 -p 1053 members.akka.dns SRV          # one SRV per member (DNS port, target node<N>.akka.dns)
    dig @127.0.0.1 -p 1054 members.akka.dns TXT          # name, address, port, roles, status of each member
    dig @127.0.0.1 -p 1055 node2.akka.dns                # one member's DNS address
    dig @127.0.0.1 -p 1053 leader.akka.dns               # the cluster leader
    dig @127.0.0.1 -p 1053 _dns._udp.akka.dns SRV        # every DNS server in the cluster
    dig @127.0.0.1 -p 1054 web.service.akka.dns SRV      # a service the nodes announce (akka.dns.cluster.services)
    dig @127.0.0.1 -p 1055 v1.web.service.akka.dns SRV   # ... with tag v1
    Try kill -9 on one node (pgrep -f cluster-node3.conf): it leaves members.akka.dns at the others in about 5 s;
    start it again by hand and it rejoins:
      dotnet src/Akka.Dns.Daemon/bin/Release/net10.0/Akka.Dns.Daemon.dll -conf hocon/cluster.Corefile -dns.port 1055 -hocon hocon/cluster-node3.conf
    Update dyn.akka.dns at any node (TSIG test key from hocon/cluster.Corefile), then ask another node:
      printf 'server 127.0.0.1 1053\nzone dyn.akka.dns\nupdate add www.dyn.akka.dns 300 A 192.0.2.10\nsend\n' |
        nsupdate -y hmac-sha256:akka-dns-test.:YWtrYS1kbnMtdGVzdC1rZXktZG8tbm90LXVzZS1pbi1wcm9kIQ==
      dig @127.0.0.1 -p 1055 www.dyn.akka.dns
    Ctrl-C stops all three.

EOT
  local pid
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
}

case "${1:-}" in
  cluster)
    shift
    run_cluster
    ;;
  test)
    shift
    run_tests
    ;;
  *)
    build
    exec dotnet "$daemon" -conf Corefile "$@"
    ;;
esac
