# lib.sh — what the peer comparisons (authoritative.sh, resolver.sh) share: start Akka.Dns on a Corefile and
# peers from ../shared/bench/peer.sh, alternate bounded dnsperf rounds (../shared/bench/qps.sh) over every server,
# print the medians as a table with ratios, p99 at half of each peak, and Akka.Dns's resident memory.
# Source it after setting: name (the script's name, for messages). Loopback only.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
shared=${SHARED_BENCH:-$repo/../shared/bench}
[[ -x $shared/qps.sh ]] || { echo "$name: $shared/qps.sh not found (set SHARED_BENCH)" >&2; exit 2; }
rounds=${ROUNDS:-3}
secs=${SECS:-10}
dll=$repo/src/Akka.Dns.Daemon/bin/Release/net10.0/Akka.Dns.Daemon.dll
[[ -f $dll ]] || { echo "$name: build first (dotnet build Akka.Dns.sln -c Release)" >&2; exit 2; }

tmp=$(mktemp -d)
started=()
akka_pid=""
declare -A port pid
cleanup() {
  [[ -n $akka_pid ]] && kill "$akka_pid" 2>/dev/null || true
  for p in "${started[@]}"; do "$shared/peer.sh" stop "${p% *}" "${p#* }" >/dev/null 2>&1 || true; done
  rm -rf "$tmp"
}
trap cleanup EXIT

# start_akka PORT PROBE_NAME PROBE_TYPE: serves $tmp/Corefile (write it first); waits until the probe is NOERROR.
start_akka() {
  timeout $((rounds * secs * 12 + 900)) dotnet "$dll" -conf "$tmp/Corefile" -quiet > "$tmp/akka.log" 2>&1 &
  local tpid=$!
  sleep 0.5
  akka_pid=$(pgrep -P "$tpid" | head -1)
  for _ in $(seq 1 150); do
    dig +time=1 +tries=1 -p "$1" @127.0.0.1 "$2" "$3" 2>/dev/null | grep -q 'status: NOERROR' && break
    sleep 0.2
  done
  port[akka]=$1; pid[akka]=$akka_pid
}

# start_peer NAME PORT: a peer of ../shared/bench/peer.sh (caches start their backend on PORT+1).
start_peer() {
  "$shared/peer.sh" "$1" "$2" >/dev/null
  started+=("$1 $2")
  port[$1]=$2
  pid[$1]=$(cat "${BENCH_RUNDIR:-${TMPDIR:-/tmp}/dnsbench.$(id -u)}/$1-$2/pid" 2>/dev/null || true)
}

cpu() { [[ -n $1 ]] && awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }
median() { sort -n "$1" | awk '{a[NR]=$1} END { if (NR % 2) print a[(NR+1)/2]; else printf "%d\n", (a[NR/2] + a[NR/2+1]) / 2 }'; }

# rounds "SET..." "WHO...": for each query set ($QUERIES_DIR/queries-SET.txt, by default ../shared/bench/data), a 3 s
# warm-up, then ROUNDS alternating runs.
run_rounds() {
  local q who r t0 t1 line q1 lost qf
  for q in $1; do
    qf=${QUERIES_DIR:-$shared/data}/queries-$q.txt
    for who in $2; do MODE=udp "$shared/qps.sh" "${port[$who]}" 3 "$qf" >/dev/null; done
    for r in $(seq 1 "$rounds"); do
      for who in $2; do
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
}

# print_table "SET..." "PEER...": medians, Akka.Dns first, with Akka/peer ratios.
print_table() {
  local q p a k row
  echo
  echo "| queries | Akka.Dns | $(for p in $2; do printf '%s | Akka/%s | ' "$p" "$p"; done)"
  echo "|---|---:|$(for p in $2; do printf -- '---:|---:|'; done)"
  for q in $1; do
    a=$(median "$tmp/$q.akka")
    row="| $q | $a |"
    for p in $2; do
      k=$(median "$tmp/$q.$p")
      row="$row $k | $(awk -v a="$a" -v k="$k" 'BEGIN { printf "%.2f", a / k }') |"
    done
    echo "$row"
  done
}

# print_p99 SET "WHO...": p50/p99 at half of each server's median peak on that set, 5 s each.
print_p99() {
  local who half line
  echo
  echo "p99 at 50 % of each server's peak (queries-$1, 5 s):"
  for who in $2; do
    half=$(( $(median "$tmp/$1.$who") / 2 ))
    line=$(QPS_LIMIT=$half P99=1 "$shared/qps.sh" "${port[$who]}" 5 "${QUERIES_DIR:-$shared/data}/queries-$1.txt")
    echo "$who offered=$half $(grep -oE 'qps=[0-9]+|p50_ms=[0-9.]+|p99_ms=[0-9.]+|lost=[0-9]+' <<<"$line" | tr '\n' ' ')"
  done
}

rss() { awk '/VmRSS/ {print $2, $3}' "/proc/$akka_pid/status"; }
