#!/usr/bin/env bash
# vs-knot.sh — Akka.Dns against Knot DNS in the same run: UDP and TCP qps (alternating rounds), server CPU,
# p50/p99 at half of each server's measured peak, and the ratio Akka.Dns / Knot. Loopback only; every load
# run is bounded by dnsperf -l and timeout (through ../shared/bench/qps.sh).
#
#   bench/vs-knot.sh                 3 rounds × (UDP, TCP), 10 s each, after a 3 s warm-up
#   ROUNDS=1 SECS=5 bench/vs-knot.sh quick look
#   MEMORY=1 bench/vs-knot.sh        also: 5 min of sustained UDP load on Akka.Dns, RSS at minute 1 and 5
#   EXECUTOR=channel bench/vs-knot.sh  plugin actors on Akka's channel-executor instead of the inline default
#
# Akka.Dns serves bench/Corefile.bench (whoami: the full actor pipeline, our codec) on AKKA_PORT; Knot serves
# ../shared/bench/data/example.org.zone on KNOT_PORT (its answers are bigger: that favours neither).
# Needs: dnsperf, knot (apt-get install -y dnsperf knot), a Release build (./run.sh builds one).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
shared=${SHARED_BENCH:-$repo/../shared/bench}
[[ -x $shared/qps.sh ]] || { echo "vs-knot.sh: $shared/qps.sh not found (set SHARED_BENCH)" >&2; exit 2; }
rounds=${ROUNDS:-3}
secs=${SECS:-10}
akka_port=${AKKA_PORT:-15453}
knot_port=${KNOT_PORT:-15454}
queries=${QUERIES:-$shared/data/queries-hit.txt}
dll=$repo/src/Akka.Dns.Daemon/bin/Release/net10.0/Akka.Dns.Daemon.dll
[[ -f $dll ]] || { echo "vs-knot.sh: build first (dotnet build Akka.Dns.sln -c Release)" >&2; exit 2; }

tmp=$(mktemp -d)
akka_pid=""
cleanup() {
  [[ -n $akka_pid ]] && kill "$akka_pid" 2>/dev/null && wait "$akka_pid" 2>/dev/null || true
  "$shared/peer.sh" stop knot "$knot_port" >/dev/null 2>&1 || true
  rm -rf "$tmp"
}
trap cleanup EXIT

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
knot_pid() { pgrep -f "knotd.*knot-$knot_port" | head -1 || pgrep -n knotd; }

echo "starting Akka.Dns on 127.0.0.1:$akka_port and Knot on 127.0.0.1:$knot_port" >&2
hocon=()
if [[ ${EXECUTOR:-inline} == channel ]]; then
  echo 'akka.dns.dispatcher.executor = channel-executor' > "$tmp/executor.conf"
  hocon=(-hocon "$tmp/executor.conf")
fi
timeout $((rounds * secs * 4 + 600)) dotnet "$dll" -conf "${COREFILE:-$here/Corefile.bench}" -dns.port "$akka_port" -quiet "${hocon[@]}" > "$tmp/akka.log" 2>&1 &
timeout_pid=$!
sleep 0.5
akka_pid=$(pgrep -P "$timeout_pid" | head -1)
[[ -n $akka_pid ]] || { echo "vs-knot.sh: Akka.Dns did not start:" >&2; cat "$tmp/akka.log" >&2; exit 1; }
"$shared/peer.sh" knot "$knot_port" >/dev/null
for _ in $(seq 1 100); do
  dig +time=1 +tries=1 -p "$akka_port" @127.0.0.1 example.org A 2>/dev/null | grep -q 'status: NOERROR' && break
  sleep 0.2
done
kpid=$(cat "${BENCH_RUNDIR:-${TMPDIR:-/tmp}/dnsbench.$(id -u)}/knot-$knot_port/pid" 2>/dev/null || knot_pid)

measure() { # name port pid mode -> prints qps and cpu
  local name=$1 port=$2 pid=$3 mode=$4 t0 t1 line
  t0=$(cpu_ticks "$pid")
  line=$(MODE=$mode "$shared/qps.sh" "$port" "$secs" "$queries")
  t1=$(cpu_ticks "$pid")
  local cpu; cpu=$(awk -v a="$t0" -v b="$t1" -v s="$secs" 'BEGIN { printf "%.0f", (b - a) / s }')
  echo "$name $mode $(sed -E 's/.*qps=([0-9]+).*avg_ms=([0-9.]+).*lost=([0-9]+).*/qps=\1 avg_ms=\2 lost=\3/' <<<"$line") server_cpu=${cpu}%"
}

echo "warm-up (3 s each)" >&2
MODE=udp "$shared/qps.sh" "$akka_port" 3 "$queries" >/dev/null
MODE=udp "$shared/qps.sh" "$knot_port" 3 "$queries" >/dev/null

declare -A sum
for r in $(seq 1 "$rounds"); do
  for mode in udp tcp; do
    a=$(measure akka "$akka_port" "$akka_pid" "$mode"); echo "round $r: $a"
    k=$(measure knot "$knot_port" "$kpid" "$mode"); echo "round $r: $k"
    echo "$a" >> "$tmp/akka.$mode"; echo "$k" >> "$tmp/knot.$mode"
  done
done

median() { sed -E 's/.*qps=([0-9]+).*/\1/' "$1" | sort -n | awk '{a[NR]=$1} END { if (NR % 2) print a[(NR+1)/2]; else printf "%d\n", (a[NR/2] + a[NR/2+1]) / 2 }'; }
echo
echo "| transport | Akka.Dns qps (median of $rounds) | Knot qps | ratio |"
echo "|---|---:|---:|---:|"
for mode in udp tcp; do
  a=$(median "$tmp/akka.$mode"); k=$(median "$tmp/knot.$mode")
  echo "| $mode | $a | $k | $(awk -v a="$a" -v k="$k" 'BEGIN { printf "%.2f", a / k }') |"
  echo "$a" > "$tmp/peak.akka.$mode"; echo "$k" > "$tmp/peak.knot.$mode"
done

echo
echo "latency at 50 % of each server's UDP peak (5 s, dnsperf -Q):"
for who in akka knot; do
  port=$akka_port; [[ $who == knot ]] && port=$knot_port
  half=$(( $(cat "$tmp/peak.$who.udp") / 2 ))
  line=$(QPS_LIMIT=$half P99=1 "$shared/qps.sh" "$port" 5 "$queries")
  echo "$who offered=$half $(grep -oE 'qps=[0-9]+|p50_ms=[0-9.]+|p99_ms=[0-9.]+|lost=[0-9]+' <<<"$line" | tr '\n' ' ')"
done

if [[ ${MEMORY:-0} == 1 ]]; then
  echo
  echo "memory under 5 min of sustained UDP load (Akka.Dns):"
  MODE=udp "$shared/qps.sh" "$akka_port" 300 "$queries" > "$tmp/long" &
  long=$!
  sleep 60; m1=$(awk '/VmRSS/ {print $2}' "/proc/$akka_pid/status")
  echo "minute 1: RSS ${m1} kB"
  sleep 240; m5=$(awk '/VmRSS/ {print $2}' "/proc/$akka_pid/status")
  echo "minute 5: RSS ${m5} kB (growth $(awk -v a="$m1" -v b="$m5" 'BEGIN { printf "%.1f", (b - a) * 100 / a }') %)"
  wait "$long" || true
  cat "$tmp/long"
fi
