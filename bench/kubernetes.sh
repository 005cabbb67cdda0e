#!/usr/bin/env bash
# kubernetes.sh — issue 8: the kubernetes plugin with a big cluster loaded. A fake Kubernetes API on loopback
# (tests/Akka.Dns.FakeKube: the tests' FakeApiServer, loaded with generated Services, EndpointSlices, Pods and
# Namespaces) feeds Akka.Dns (`kubernetes cluster.local in-addr.arpa ip6.arpa { endpoint …; pods insecure }`, no
# cache: the plugin itself is measured).
#  1. Memory, one fresh fake API and daemon per size, idle: Akka.Dns's resident set (VmRSS) SETTLE seconds after it
#     first answers (start-up waits for the first full list of every kind, then the daemon runs one blocking
#     compacting full GC: that is the settle), its peak (VmHWM), and, with dotnet-gcdump installed, the live managed
#     heap (the full GC gcdump induces, then its report); MB per 1,000 objects (least-squares slope) beside CoreDNS's
#     published formula from its scaling guide (coredns/deployment kubernetes/Scaling_CoreDNS.md):
#       MB = (pods + services) / 1000 + 54   (default settings; includes 30 MB of full cache and 5 MB of query
#       buffer; the best fit of the guide's measured max memory without them is 0.858 MB per 1,000 + 19.1 MB),
#     and with `pods verified` (every pod watched) beside its autopath formula (pods + services) / 250 + 56.
#  2. qps with SERVICES services and SERVICES × EPS endpoints: alternating bounded dnsperf rounds against Akka.Dns
#     and Knot serving the same names from a zone file (cluster.local. renamed example.org.: peer.sh serves that
#     zone), medians, server CPU, p50/p99 at half of each peak, RSS after the load.
# Query mix (QUERIES lines, cycled by dnsperf): 60 % A of ClusterIP services, 20 % SRV of named ports
# (_http._tcp / _grpc._tcp, ClusterIP and headless), 15 % A of headless services (EPS addresses each), 5 % A of
# services that do not exist in existing namespaces (NXDOMAIN).
#
#   bench/kubernetes.sh                     SERVICES=10000 EPS=5 HEADLESS_EVERY=10 NAMESPACES=100 ROUNDS=3 SECS=10
#   SERVICES=500 MEMORY_SIZES="0 100" ROUNDS=1 SECS=2 bench/kubernetes.sh      # smoke (a minute)
# Env: MEMORY_SIZES (services per memory point; default "0 200 2000", then SERVICES from the qps run), PODS_POINT=0
#      skips the `pods verified` point, PEERS="" skips Knot, NO_BUILD=1 skips the build, SETTLE (s, default 5),
#      GCDUMP (path of dotnet-gcdump; default: on PATH or ~/.dotnet/tools).
# Needs: dnsperf knot (apt-get install -y dnsperf knot), the .NET SDK. Loopback only; every load run bounded.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
if [[ ${NO_BUILD:-0} != 1 ]]; then
  echo "kubernetes.sh: building (Release)" >&2
  for p in src/Akka.Dns.Daemon tests/Akka.Dns.FakeKube; do
    dotnet build "$repo/$p" -c Release -nologo -v quiet -clp:ErrorsOnly >&2
  done
fi
name=kubernetes.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
kube_dll=$repo/tests/Akka.Dns.FakeKube/bin/Release/net10.0/Akka.Dns.FakeKube.dll
[[ -f $kube_dll ]] || { echo "$name: $kube_dll missing (dotnet build tests/Akka.Dns.FakeKube -c Release)" >&2; exit 2; }

services=${SERVICES:-10000}
eps=${EPS:-5}
headless_every=${HEADLESS_EVERY:-10}
namespaces=${NAMESPACES:-100}
memory_sizes=${MEMORY_SIZES:-0 200 2000}
pods_point=${PODS_POINT:-1}
peers=${PEERS-knot}
queries=${QUERIES:-100000}
settle=${SETTLE:-5}
akka_port=${AKKA_PORT:-15753}
base=${BASE_PORT:-15760}
startup_bound=${STARTUP_BOUND:-600}

kube_pid=""
kube_fd=""
stop_kube() {
  # End of its standard input stops it; the kill is for a tool that does not stop within 10 s.
  [[ -n $kube_fd ]] && { exec {kube_fd}>&-; kube_fd=""; }
  if [[ -n $kube_pid ]]; then
    for _ in $(seq 1 50); do kill -0 "$kube_pid" 2>/dev/null || break; sleep 0.2; done
    kill "$kube_pid" 2>/dev/null || true
    wait "$kube_pid" 2>/dev/null || true
    kube_pid=""
  fi
}
stop_akka() {
  [[ -n $akka_pid ]] || return 0
  kill "$akka_pid" 2>/dev/null || true
  for _ in $(seq 1 50); do kill -0 "$akka_pid" 2>/dev/null || break; sleep 0.2; done
  akka_pid=""
}
trap 'stop_akka; stop_kube; cleanup' EXIT

# start_kube SERVICES [EXTRA ARGS...]: the fake API loaded with that cluster; sets kube_url.
start_kube() {
  local n=$1; shift
  rm -f "$tmp/kube.in" "$tmp/kube.out"; mkfifo "$tmp/kube.in"
  timeout "$startup_bound" dotnet "$kube_dll" --services "$n" --endpoints-per-service "$eps" \
    --headless-every "$headless_every" --namespaces "$namespaces" "$@" < "$tmp/kube.in" > "$tmp/kube.out" 2> "$tmp/kube.err" &
  kube_pid=$!
  exec {kube_fd}>"$tmp/kube.in"
  local deadline=$((SECONDS + startup_bound))
  until grep -q '^ready' "$tmp/kube.out" 2>/dev/null; do
    ((SECONDS < deadline)) && kill -0 "$kube_pid" 2>/dev/null \
      || { echo "$name: the fake API did not load:" >&2; cat "$tmp/kube.err" >&2; exit 1; }
    sleep 0.2
  done
  kube_url=$(awk '/^url / {print $2}' "$tmp/kube.out")
  sed -n 's/^Akka.Dns.FakeKube: \(.* objects in .*\)/  fake API: \1/p' "$tmp/kube.err" | tail -1 >&2
}

# start_akka_k8s PODS-MODE PROBE-NAME PROBE-TYPE: Akka.Dns on the fake API; waits until the probe is NOERROR (the
# server listens only once the first full list of every kind is in, or startup_timeout has passed).
start_akka_k8s() {
  cat > "$tmp/Corefile" <<COREFILE
.:$akka_port {
    bind 127.0.0.1
    kubernetes cluster.local in-addr.arpa ip6.arpa {
        endpoint $kube_url
        pods $1
        startup_timeout ${startup_bound}s
    }
    errors
}
COREFILE
  timeout $((startup_bound + rounds * secs * 4 + 600)) dotnet "$dll" -conf "$tmp/Corefile" -quiet > "$tmp/akka.log" 2>&1 &
  local tpid=$! deadline=$((SECONDS + startup_bound + 30)) t0=$SECONDS
  sleep 0.5
  akka_pid=$(pgrep -P "$tpid" | head -1)
  until dig +time=1 +tries=1 -p "$akka_port" @127.0.0.1 "$2" "$3" 2>/dev/null | grep -q 'status: NOERROR'; do
    ((SECONDS < deadline)) && kill -0 "$akka_pid" 2>/dev/null \
      || { echo "$name: Akka.Dns did not answer $2 $3:" >&2; tail -20 "$tmp/akka.log" >&2; exit 1; }
    sleep 0.2
  done
  echo "  Akka.Dns answered $2 $3 $((SECONDS - t0)) s after its start" >&2
  port[akka]=$akka_port; pid[akka]=$akka_pid
}

rss_kb() { awk '/VmRSS/ {print $2}' "/proc/$akka_pid/status"; }
hwm_kb() { awk '/VmHWM/ {print $2}' "/proc/$akka_pid/status"; }
# dotnet-gcdump (dotnet tool install -g dotnet-gcdump), when there: it induces a full blocking GC in the daemon and
# reports the live managed heap, the part of the resident set that is the data itself.
gcdump=${GCDUMP:-$(command -v dotnet-gcdump || echo "$HOME/.dotnet/tools/dotnet-gcdump")}
[[ -x $gcdump ]] || { gcdump=""; echo "$name: no dotnet-gcdump: the live-heap column stays empty (dotnet tool install -g dotnet-gcdump)" >&2; }
heap_bytes() {
  [[ -n $gcdump ]] || { echo "-"; return; }
  rm -f "$tmp/d.gcdump"
  timeout 120 "$gcdump" collect -p "$akka_pid" -o "$tmp/d.gcdump" > /dev/null 2>&1 \
    && timeout 120 "$gcdump" report "$tmp/d.gcdump" 2>/dev/null | awk '/GC Heap bytes/ { gsub(",", "", $1); print $1; exit }' \
    || echo "-"
}
probe() { # the last service generated (its list is complete when it answers), or the zone's dns-version TXT
  if (($1 == 0)); then echo "dns-version.cluster.local TXT"; else printf 'svc-%05d.ns-%03d.svc.cluster.local A\n' "$1" $(($1 % namespaces)); fi
}

# measure SERVICES PODS-MODE [EXTRA ARGS...]: one memory point (fresh fake API and daemon; both left running).
measure() {
  local n=$1 mode=$2; shift 2
  echo "memory point: $n services × $eps endpoints, pods $mode $*" >&2
  start_kube "$n" "$@"
  # shellcheck disable=SC2046
  start_akka_k8s "$mode" $(probe "$n")
  sleep "$settle"
  local kb hwm heap pods=0
  kb=$(rss_kb); hwm=$(hwm_kb); heap=$(heap_bytes)
  [[ $mode == verified ]] && pods=$((n * eps))
  echo "$n $((n * eps)) $pods $kb $hwm $heap" >> "$tmp/memory"
  echo "  RSS $kb kB, peak (VmHWM) $hwm kB, live managed heap $heap bytes" >&2
}

: > "$tmp/memory"
for n in $memory_sizes; do
  measure "$n" insecure
  stop_akka; stop_kube
done
if [[ $pods_point == 1 ]]; then
  measure "$services" verified --pods
  stop_akka; stop_kube
fi

# The qps cluster, also the last memory point (before any load).
measure "$services" insecure --records "$tmp/records.txt"

# Query files: the same questions for both servers (Knot's names end in example.org. instead of cluster.local.).
awk -v total="$queries" -v nsn="$namespaces" '
  $NF == "clusterip" { c[nc++] = $1 }
  $NF == "srv" && !($1 in s_seen) { s_seen[$1]; s[ns++] = $1 }
  $NF == "headless" && !($1 in h_seen) { h_seen[$1]; h[nh++] = $1 }
  END {
    for (i = 0; i < total; i++) {
      r = i % 20
      if (r < 12 && nc) print c[(ic++) % nc], "A"
      else if (r < 16 && ns) print s[(is++) % ns], "SRV"
      else if (r < 19 && nh) print h[(ih++) % nh], "A"
      else { printf "nx-%d.ns-%03d.svc.cluster.local. A\n", ix, ix % nsn; ix++ }
    }
  }' "$tmp/records.txt" > "$tmp/queries-k8s.txt"
sed 's/cluster\.local\. /example.org. /' "$tmp/queries-k8s.txt" > "$tmp/queries-knot.txt"
echo "queries: $(wc -l < "$tmp/queries-k8s.txt") lines: $(awk '{t[$2]++} END {for (k in t) printf "%s %d  ", k, t[k]}' "$tmp/queries-k8s.txt")(NXDOMAIN: $(grep -c '^nx-' "$tmp/queries-k8s.txt"))" >&2

if [[ -n $peers ]]; then
  mkdir -p "$tmp/zone"
  {
    echo "\$ORIGIN example.org."
    echo "\$TTL 5"
    echo "@ IN SOA ns.dns.example.org. hostmaster.example.org. 1 7200 1800 86400 5"
    echo "@ IN NS ns.dns.example.org."
    echo "ns.dns IN A 127.0.0.1"
    sed 's/cluster\.local\./example.org./g' "$tmp/records.txt"
  } > "$tmp/zone/k8s.zone"
  for p in $peers; do ZONE=$tmp/zone/k8s.zone start_peer "$p" "$base"; base=$((base + 2)); done
fi
echo "serving: akka:$akka_port $(for p in $peers; do printf '%s:%s ' "$p" "${port[$p]}"; done)($(grep -c . "$tmp/records.txt") records in Knot's zone)" >&2

qfile() { if [[ $1 == akka ]]; then echo "$tmp/queries-k8s.txt"; else echo "$tmp/queries-knot.txt"; fi; }
for who in akka $peers; do MODE=udp "$shared/qps.sh" "${port[$who]}" 3 "$(qfile "$who")" >/dev/null || true; done
for r in $(seq 1 "$rounds"); do
  for who in akka $peers; do
    t0=$(cpu "${pid[$who]}")
    line=$("$shared/qps.sh" "${port[$who]}" "$secs" "$(qfile "$who")")
    t1=$(cpu "${pid[$who]}")
    q1=$(sed -E 's/.*qps=([0-9]+).*/\1/' <<<"$line")
    echo "k8s round $r: $who qps=$q1 $(grep -oE 'avg_ms=[0-9.]+|lost=[0-9]+|rcodes=[^ ]+' <<<"$line" | tr '\n' ' ')server_cpu=$(awk -v a="$t0" -v b="$t1" -v s="$secs" 'BEGIN { printf "%.0f", (b - a) / s }')%"
    echo "$q1" >> "$tmp/k8s.$who"
  done
done
after_load=$(rss_kb)

echo
echo "qps, $services services / $((services * eps)) endpoints (medians of $rounds × ${secs} s, UDP, dnsperf -c 10 -T 2 -q 100):"
echo
a=$(median "$tmp/k8s.akka")
echo "| queries | Akka.Dns (kubernetes, no cache) | $(for p in $peers; do printf '%s (zone file) | Akka/%s | ' "$p" "$p"; done)"
echo "|---|---:|$(for p in $peers; do printf -- '---:|---:|'; done)"
row="| k8s mix | $a |"
for p in $peers; do
  k=$(median "$tmp/k8s.$p")
  row="$row $k | $(awk -v a="$a" -v k="$k" 'BEGIN { printf "%.2f", a / k }') |"
done
echo "$row"
echo
echo "p50/p99 at 50 % of each server's peak (5 s):"
for who in akka $peers; do
  half=$(( $(median "$tmp/k8s.$who") / 2 ))
  line=$(QPS_LIMIT=$half P99=1 "$shared/qps.sh" "${port[$who]}" 5 "$(qfile "$who")")
  echo "$who offered=$half $(grep -oE 'qps=[0-9]+|p50_ms=[0-9.]+|p99_ms=[0-9.]+|lost=[0-9]+' <<<"$line" | tr '\n' ' ')"
done

echo
echo "Memory: Akka.Dns's resident set (VmRSS) idle ${settle} s after the first answer, its peak (VmHWM: the start-up"
echo "list included) and the live managed heap (dotnet-gcdump, after the full GC it induces). CoreDNS counts pods +"
echo "services; a pod is an endpoint here (pods insecure), and with pods verified also a watched Pod."
echo
echo "| services | endpoints | pods watched | pods + services | RSS MB | peak RSS MB | live heap MB | CoreDNS formula MB | CoreDNS measured fit MB |"
echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
# The formula includes 30 MB of full cache and 5 MB of query buffer; the fit is of the guide's measured points
# (max memory, no cache, no load). With pods watched: the autopath formula and its fit.
awk '{
  obj = $1 + $2
  heap = ($6 == "-") ? "-" : sprintf("%.1f", $6 / 1048576)
  if ($3 > 0) { f = sprintf("%.1f (autopath)", obj / 250 + 56); g = sprintf("%.1f (autopath)", obj * 2.497 / 1000 + 20.5) }
  else { f = sprintf("%.1f", obj / 1000 + 54); g = sprintf("%.1f", obj * 0.858 / 1000 + 19.1) }
  printf "| %d | %d | %d | %d | %.1f | %.1f | %s | %s | %s |\n", $1, $2, $3, obj, $4 / 1024, $5 / 1024, heap, f, g
}' "$tmp/memory"
# Least squares over the pods-insecure points: MB per 1,000 objects and the intercept, for each measure.
echo
for m in "4 1024 RSS" "5 1024 peak RSS" "6 1048576 live heap"; do
  read -r col div what <<<"$m"
  awk -v c="$col" -v d="$div" -v w="$what" '$3 == 0 && $c != "-" { x = ($1 + $2) / 1000; y = $c / d; n++; sx += x; sy += y; sxx += x * x; sxy += x * y }
    END {
      if (n < 2) exit
      b = (n * sxy - sx * sy) / (n * sxx - sx * sx); a = (sy - b * sx) / n
      printf "Akka.Dns %-10s (pods insecure, no cache): MB = %.3f × (pods + services)/1000 + %.1f   (least squares, %d points)\n", w, b, a, n
    }' "$tmp/memory"
done
echo "CoreDNS (scaling guide, default settings): MB = (pods + services)/1000 + 54, of which 35 MB are a full cache and"
echo "  query buffer; its measured points (max memory, no cache, no load; CoreDNS 1.2.x) fit 0.858 × (pods + services)/1000 + 19.1"
# The pods-verified point against the 0-object daemon.
awk 'NR == FNR && $1 == 0 && $3 == 0 { r = $4; h = $6; have = 1; next }
  NR != FNR && have && $3 > 0 {
    printf "pods verified, %d services + %d pods watched: RSS +%.1f MB over the empty cluster (%.2f MB per 1,000 pods + services)", $1, $3, ($4 - r) / 1024, ($4 - r) / 1024 * 1000 / ($1 + $2)
    if ($6 != "-" && h != "-") printf ", live heap +%.1f MB (%.2f per 1,000)", ($6 - h) / 1048576, ($6 - h) / 1048576 * 1000 / ($1 + $2)
    printf "\n"
  }' "$tmp/memory" "$tmp/memory"
echo "Akka.Dns RSS after the qps runs ($services services): $((after_load / 1024)) MB"
