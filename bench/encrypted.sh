#!/usr/bin/env bash
# encrypted.sh — DNS over TLS (RFC 7858) and DNS over HTTPS (RFC 8484) throughput and latency: Akka.Dns serving
# ../shared/bench/data/example.org.zone with the file plugin on tls:// (and https:// when the build serves it)
# beside dnsdist and/or Unbound serving the same zone over DoT and DoH on loopback (each a cache in front of
# Knot from ../shared/bench/peer.sh), in one run. A throw-away certificate (openssl, in a temp dir) is used by
# every server. Modes: dnsperf -m dot, -m doh with POST and with GET; for each, ROUNDS alternating runs bounded
# by -l SECS and -n MAXRUNS, the medians of qps with the ratios, avg latency and lost, then p50/p99 at half of
# each server's peak (dnsperf -v histogram, as ../shared/bench/qps.sh does).
#
#   bench/encrypted.sh                                ROUNDS=3 SECS=10 PEERS="dnsdist unbound"
#   ROUNDS=1 SECS=1 WARMUP=0 P99_SECS=1 PEERS=dnsdist bench/encrypted.sh      (smoke, ~10 s of load)
# Env: CLIENTS (dnsperf -c, connections, default 10), THREADS (-T, 2), OUTSTANDING (-q, 100), MAXRUNS (-n, 100),
#      QUERIES (hit|mixed, default hit), MODES (default "dot doh-post doh-get"), WARMUP (s, 3), P99_SECS (s, 5;
#      0 = no latency runs), AKKA_PORT (base of 3 ports, default 15653), BASE_PORT (peers, default 15660),
#      DNSDIST_DOH=1 (also measure dnsdist's DoH, left out by default: see bench/README.md).
# Needs: dnsperf knot dnsdist unbound openssl (apt-get install -y dnsperf knot dnsdist unbound openssl), a Release build.
name=encrypted.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
peers=${PEERS:-dnsdist unbound}
modes=${MODES:-dot doh-post doh-get}
queries=${QUERIES:-hit}
clients=${CLIENTS:-10}
threads=${THREADS:-2}
outstanding=${OUTSTANDING:-100}
maxruns=${MAXRUNS:-100}
warmup=${WARMUP:-3}
p99_secs=${P99_SECS:-5}
akka_port=${AKKA_PORT:-15653}
base=${BASE_PORT:-15660}
zone=$(cd "$shared/data" && pwd)/example.org.zone
qf=$shared/data/queries-$queries.txt
for b in dnsperf openssl; do command -v $b >/dev/null || { echo "$name: $b missing" >&2; exit 2; }; done

# Peers configured here (peer.sh has no TLS mode): their pids, killed on exit before lib.sh's cleanup.
mine=()
trap 'for p in "${mine[@]}"; do kill "$p" 2>/dev/null || true; done; cleanup' EXIT

# --- a throw-away certificate for 127.0.0.1 / localhost (dnsperf does not verify it; dig/kdig could with ca.pem)
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=localhost \
  -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" -keyout "$tmp/key.pem" -out "$tmp/cert.pem" 2>/dev/null
cp "$tmp/cert.pem" "$tmp/ca.pem"

declare -A dport hport   # DoT and DoH ports by server
waitport() { for _ in $(seq 1 100); do ss -Hlnt "sport = :$1" | grep -q . && return 0; sleep 0.2; done; return 1; }

# --- Akka.Dns: dns:// (for the start probe), tls:// and, if served, https://
akka_block() { # KEY [tls]: one server block serving the zone
  local t="# clear text"
  [[ -n ${2:-} ]] && t="tls $tmp/cert.pem $tmp/key.pem"
  printf '%s {\n    bind 127.0.0.1\n    %s\n    file %s\n    errors\n}\n' "$1" "$t" "$zone"
}
akka_corefile() { # with_https
  { akka_block "example.org:$akka_port"
    akka_block "tls://example.org:$((akka_port + 1))" tls
    [[ $1 == 1 ]] && akka_block "https://example.org:$((akka_port + 2))" tls
  } > "$tmp/Corefile"
  return 0
}
# A build without https:// refuses the key at once (exit 1, "is not served by this Akka.Dns build"): then serve
# tls:// alone. start_akka (lib.sh) would wait out its probe; this waits for the probe or the exit.
launch_akka() {
  timeout $((rounds * secs * 12 + 900)) dotnet "$dll" -conf "$tmp/Corefile" -quiet > "$tmp/akka.log" 2>&1 &
  local tpid=$!
  for _ in $(seq 1 150); do
    kill -0 "$tpid" 2>/dev/null || return 1
    akka_pid=$(pgrep -P "$tpid" | head -1 || true)
    dig +time=1 +tries=1 -p "$akka_port" @127.0.0.1 example.org SOA 2>/dev/null | grep -q 'status: NOERROR' && break
    sleep 0.2
  done
  port[akka]=$akka_port; pid[akka]=$akka_pid
}
akka_corefile 1
akka_https=1
if ! launch_akka; then
  if grep -q 'is not served by this Akka.Dns build' "$tmp/akka.log"; then
    echo "$name: this Akka.Dns build does not serve https:// — DoH runs against the peers only" >&2
  else
    echo "$name: Akka.Dns refused the https:// block — DoH runs against the peers only:" >&2; head -3 "$tmp/akka.log" >&2
  fi
  akka_https=0; akka_pid=""
  akka_corefile 0
  launch_akka || { echo "$name: Akka.Dns did not start:" >&2; cat "$tmp/akka.log" >&2; exit 1; }
fi
waitport $((akka_port + 1)) || { echo "$name: Akka.Dns does not listen on tls://:$((akka_port + 1))" >&2; cat "$tmp/akka.log" >&2; exit 1; }
dport[akka]=$((akka_port + 1))
((akka_https)) && hport[akka]=$((akka_port + 2))

# --- the peers: Knot from peer.sh behind each
knot_port=$base
start_peer knot "$knot_port"
i=2
for p in $peers; do
  d=$tmp/$p; mkdir -p "$d"
  u=$((base + i)); t=$((base + i + 1)); h=$((base + i + 2)); i=$((i + 4))
  case $p in
    dnsdist)
      command -v dnsdist >/dev/null || { echo "$name: dnsdist missing, skipped" >&2; continue; }
      dnsdist --version | grep -q 'dns-over-tls' || { echo "$name: this dnsdist has no DoT, skipped" >&2; continue; }
      cat > "$d/dnsdist.conf" <<EOF
setLocal('127.0.0.1:$u', {reusePort=true})
addTLSLocal('127.0.0.1:$t', '$tmp/cert.pem', '$tmp/key.pem', {reusePort=true})
$(dnsdist --version | grep -q 'dns-over-https' && echo "addDOHLocal('127.0.0.1:$h', '$tmp/cert.pem', '$tmp/key.pem', '/dns-query', {reusePort=true})")
setSecurityPollSuffix("")
setACL({'127.0.0.0/8'})
setMaxTCPClientThreads($threads)
newServer({address="127.0.0.1:$knot_port", name="auth", sockets=$threads})
pc = newPacketCache(500000, {maxTTL=86400, minTTL=0, numberOfShards=16})
getPool(""):setCache(pc)
EOF
      dnsdist --supervised --disable-syslog -C "$d/dnsdist.conf" > "$d/log" 2>&1 < /dev/null &
      ;;
    unbound)
      command -v unbound >/dev/null || { echo "$name: unbound missing, skipped" >&2; continue; }
      https=""; unbound -V | grep -q 'with-libnghttp2' && https="    https-port: $h"$'\n'"    interface: 127.0.0.1@$h"
      cat > "$d/unbound.conf" <<EOF
server:
    interface: 127.0.0.1@$t
$https
    tls-port: $t
    tls-service-key: "$tmp/key.pem"
    tls-service-pem: "$tmp/cert.pem"
    http-endpoint: "/dns-query"
    do-ip6: no
    do-daemonize: no
    username: ""
    chroot: ""
    directory: "$d"
    pidfile: "$d/unbound.pid"
    use-syslog: no
    logfile: ""
    verbosity: 1
    module-config: "iterator"
    do-not-query-localhost: no
    access-control: 127.0.0.0/8 allow
    num-threads: $threads
    so-reuseport: yes
    msg-cache-size: 64m
    rrset-cache-size: 128m
    incoming-num-tcp: 1000
    num-queries-per-thread: 4096
    minimal-responses: yes
forward-zone:
    name: "."
    forward-addr: 127.0.0.1@$knot_port
EOF
      unbound -d -c "$d/unbound.conf" > "$d/log" 2>&1 < /dev/null &
      ;;
    *) echo "$name: unknown peer $p (dnsdist|unbound)" >&2; continue ;;
  esac
  pid[$p]=$!; mine+=("${pid[$p]}")
  if ! waitport "$t"; then echo "$name: $p did not start:" >&2; cat "$d/log" >&2; continue; fi
  dport[$p]=$t
  if [[ $p == dnsdist ]] && [[ ${DNSDIST_DOH:-0} != 1 ]]; then
    # dnsdist 1.7's DoH (h2o) stalls when dnsperf keeps more than one query outstanding per HTTP/2 connection
    # (tens of qps, the rest lost; kdig/curl one at a time work): not a figure to compare against.
    echo "$name: dnsdist DoH left out (DNSDIST_DOH=1 to include it; see bench/README.md)" >&2
    continue
  fi
  [[ $p == dnsdist ]] && ! dnsdist --version | grep -q 'dns-over-https' && continue
  [[ $p == unbound && -z $https ]] && continue
  waitport "$h" && hport[$p]=$h
done
echo "serving DoT: $(for w in "${!dport[@]}"; do printf '%s:%s ' "$w" "${dport[$w]}"; done)" >&2
echo "serving DoH: $(for w in "${!hport[@]}"; do printf '%s:%s ' "$w" "${hport[$w]}"; done)" >&2

# perf WHO MODE [QPS_LIMIT] -> one line "qps=.. avg_ms=.. lost=.. [p50_ms=.. p99_ms=..]"
perf() {
  local who=$1 mode=$2 limit=${3:-} s=${4:-$secs} args
  case $mode in
    dot) args=(-m dot -p "${dport[$who]}") ;;
    doh-post) args=(-m doh -p "${hport[$who]}" -O "doh-uri=https://127.0.0.1:${hport[$who]}/dns-query" -O doh-method=POST) ;;
    doh-get) args=(-m doh -p "${hport[$who]}" -O "doh-uri=https://127.0.0.1:${hport[$who]}/dns-query" -O doh-method=GET) ;;
  esac
  args+=(-s 127.0.0.1 -d "$qf" -l "$s" -n "$maxruns" -c "$clients" -T "$threads" -q "$outstanding" -t 2)
  if [[ -n $limit ]]; then
    timeout -k 5 $((s + 20)) dnsperf "${args[@]}" -Q "$limit" -v 2>/dev/null | awk '
      /^> / { l = $NF; if (l ~ /^[0-9.]+$/) { h[int(l * 1e6)]++; n++ }; next }
      /Queries per second:/ { qps = $4 } /Queries lost:/ { lost = $3 } /Average Latency/ && avg == "" { avg = $4 }
      END {
        m = 0; for (k in h) ks[++m] = k + 0
        for (i = 2; i <= m; i++) { v = ks[i]; j = i - 1; while (j > 0 && ks[j] > v) { ks[j + 1] = ks[j]; j-- } ks[j + 1] = v }
        c = 0; p50 = p99 = 0
        for (i = 1; i <= m; i++) { c += h[ks[i]]; if (!p50 && c >= 0.5 * n) p50 = (ks[i] + 1) / 1000; if (!p99 && c >= 0.99 * n) p99 = (ks[i] + 1) / 1000 }
        printf "qps=%d avg_ms=%.3f lost=%d p50_ms=%.3f p99_ms=%.3f\n", qps, avg * 1000, lost, p50, p99 }'
  else
    timeout -k 5 $((s + 20)) dnsperf "${args[@]}" 2>/dev/null | awk '
      /Queries per second:/ { qps = $4 } /Queries lost:/ { lost = $3 } /Average Latency/ && avg == "" { avg = $4 }
      END { printf "qps=%d avg_ms=%.3f lost=%d\n", qps, avg * 1000, lost }'
  fi
}

servers_for() { local w out=""; for w in akka $peers; do
  if [[ $1 == dot ]]; then [[ -n ${dport[$w]:-} ]] && out+="$w "; else [[ -n ${hport[$w]:-} ]] && out+="$w "; fi
done; echo "$out"; }

for m in $modes; do
  who=$(servers_for "$m")
  [[ -z $who ]] && { echo "$name: nobody serves $m, skipped" >&2; continue; }
  if ((warmup > 0)); then for w in $who; do perf "$w" "$m" "" "$warmup" >/dev/null; done; fi
  for r in $(seq 1 "$rounds"); do
    for w in $who; do
      t0=$(cpu "${pid[$w]:-}"); line=$(perf "$w" "$m"); t1=$(cpu "${pid[$w]:-}")
      echo "$m round $r: $w $line server_cpu=$(awk -v a="$t0" -v b="$t1" -v s="$secs" 'BEGIN { printf "%.0f", (b - a) / s }')%"
      sed -E 's/.*qps=([0-9]+).*/\1/' <<<"$line" >> "$tmp/$m.$w"
      sed -E 's/.*avg_ms=([0-9.]+).*/\1/' <<<"$line" >> "$tmp/$m.$w.avg"
      sed -E 's/.*lost=([0-9]+).*/\1/' <<<"$line" >> "$tmp/$m.$w.lost"
    done
  done
done

echo
echo "| mode | server | qps (median) | Akka/server | avg ms (median) | lost (sum) |"
echo "|---|---|---:|---:|---:|---:|"
for m in $modes; do
  [[ -f $tmp/$m.akka ]] && a=$(median "$tmp/$m.akka") || a=""
  for w in $(servers_for "$m"); do
    [[ -f $tmp/$m.$w ]] || continue
    k=$(median "$tmp/$m.$w")
    ratio=$( [[ -n $a && $w != akka && $k -gt 0 ]] && awk -v a="$a" -v k="$k" 'BEGIN { printf "%.2f", a / k }' || echo "—")
    echo "| $m | $w | $k | $ratio | $(sort -n "$tmp/$m.$w.avg" | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}') | $(awk '{s+=$1} END {print s}' "$tmp/$m.$w.lost") |"
  done
done

if ((p99_secs > 0)); then
  echo
  echo "p50/p99 at 50 % of each server's peak (queries-$queries, ${p99_secs} s):"
  for m in $modes; do
    for w in $(servers_for "$m"); do
      [[ -f $tmp/$m.$w ]] || continue
      half=$(( $(median "$tmp/$m.$w") / 2 )); ((half > 0)) || continue
      echo "$m $w offered=$half $(perf "$w" "$m" "$half" "$p99_secs")"
    done
  done
fi
echo
echo "Akka.Dns resident memory after the runs: $(rss)"
