#!/usr/bin/env bash
# authoritative.sh — Akka.Dns serving ../shared/bench/data/example.org.zone with the file plugin (+ errors, no
# log) beside Knot, NSD and BIND serving the same zone, in one run: qps on queries-hit.txt and
# queries-mixed.txt (alternating rounds), server CPU, the ratios, p99 at half of each peak, and Akka.Dns's
# resident memory. Loopback only; every load run bounded by dnsperf -l and timeout (../shared/bench/qps.sh).
#
#   bench/authoritative.sh                  ROUNDS=3 SECS=10
#   ROUNDS=1 SECS=5 PEERS="knot" bench/authoritative.sh
# Needs: dnsperf knot nsd bind9 (apt-get install -y dnsperf knot nsd bind9), a Release build.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
shared=${SHARED_BENCH:-$repo/../shared/bench}
[[ -x $shared/qps.sh ]] || { echo "authoritative.sh: $shared/qps.sh not found (set SHARED_BENCH)" >&2; exit 2; }
rounds=${ROUNDS:-3}
secs=${SECS:-10}
peers=${PEERS:-knot nsd bind}
akka_port=${AKKA_PORT:-15553}
base=${BASE_PORT:-15560}
dll=$repo/src/Akka.Dns.Daemon/bin/Release/net10.0/Akka.Dns.Daemon.dll
[[ -f $dll ]] || { echo "authoritative.sh: build first (dotnet build Akka.Dns.sln -c Release)" >&2; exit 2; }
zone=$(cd "$shared/data" && pwd)/example.org.zone

tmp=$(mktemp -d)
started=()
cleanup() {
  [[ -n ${akka_pid:-} ]] && kill "$akka_pid" 2>/dev/null || true
  for p in "${started[@]}"; do "$shared/peer.sh" stop "${p% *}" "${p#* }" >/dev/null 2>&1 || true; done
  rm -rf "$tmp"
}
trap cleanup EXIT

cat > "$tmp/Corefile" <<COREFILE
example.org:$akka_port {
    bind 127.0.0.1
    file $zone
    errors
}
COREFILE
timeout $((rounds * secs * 12 + 900)) dotnet "$dll" -conf "$tmp/Corefile" -quiet > "$tmp/akka.log" 2>&1 &
tpid=$!
sleep 0.5
akka_pid=$(pgrep -P "$tpid" | head -1)
for _ in $(seq 1 150); do
  dig +time=1 +tries=1 -p "$akka_port" @127.0.0.1 example.org SOA 2>/dev/null | grep -q 'status: NOERROR' && break
  sleep 0.2
done
declare -A port pid
port[akka]=$akka_port; pid[akka]=$akka_pid
i=0
for p in $peers; do
  pp=$((base + i)); i=$((i + 2))
  "$shared/peer.sh" "$p" "$pp" >/dev/null
  started+=("$p $pp")
  port[$p]=$pp
  pid[$p]=$(cat "${BENCH_RUNDIR:-${TMPDIR:-/tmp}/dnsbench.$(id -u)}/$p-$pp/pid" 2>/dev/null || true)
done
echo "serving: akka:$akka_port $(for p in $peers; do printf '%s:%s ' "$p" "${port[$p]}"; done)" >&2

cpu() { [[ -n $1 ]] && awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }
for q in hit mixed; do
  qf=$shared/data/queries-$q.txt
  for who in akka $peers; do MODE=udp "$shared/qps.sh" "${port[$who]}" 3 "$qf" >/dev/null; done   # warm-up
  for r in $(seq 1 "$rounds"); do
    for who in akka $peers; do
      t0=$(cpu "${pid[$who]}")
      line=$("$shared/qps.sh" "${port[$who]}" "$secs" "$qf")
      t1=$(cpu "${pid[$who]}")
      q1=$(sed -E 's/.*qps=([0-9]+).*/\1/' <<<"$line")
      lost=$(sed -E 's/.*lost=([0-9]+).*/\1/' <<<"$line")
      echo "$q round $r: $who qps=$q1 lost=$lost server_cpu=$(awk -v a="$t0" -v b="$t1" -v s="$secs" 'BEGIN { printf "%.0f", (b - a) / s }')%"
      echo "$q1" >> "$tmp/$q.$who"
    done
  done
done

median() { sort -n "$1" | awk '{a[NR]=$1} END { if (NR % 2) print a[(NR+1)/2]; else printf "%d\n", (a[NR/2] + a[NR/2+1]) / 2 }'; }
echo
echo "| queries | Akka.Dns | $(for p in $peers; do printf '%s | Akka/%s | ' "$p" "$p"; done)"
echo "|---|---:|$(for p in $peers; do printf -- '---:|---:|'; done)"
for q in hit mixed; do
  a=$(median "$tmp/$q.akka")
  row="| $q | $a |"
  for p in $peers; do
    k=$(median "$tmp/$q.$p")
    row="$row $k | $(awk -v a="$a" -v k="$k" 'BEGIN { printf "%.2f", a / k }') |"
  done
  echo "$row"
done
echo
echo "p99 at 50 % of each server's peak (queries-hit, 5 s):"
for who in akka $peers; do
  half=$(( $(median "$tmp/hit.$who") / 2 ))
  line=$(QPS_LIMIT=$half P99=1 "$shared/qps.sh" "${port[$who]}" 5 "$shared/data/queries-hit.txt")
  echo "$who offered=$half $(grep -oE 'qps=[0-9]+|p50_ms=[0-9.]+|p99_ms=[0-9.]+|lost=[0-9]+' <<<"$line" | tr '\n' ' ')"
done
echo
echo "Akka.Dns resident memory with the 11,000-line zone loaded, after the runs: $(awk '/VmRSS/ {print $2, $3}' "/proc/$akka_pid/status")"
