#!/usr/bin/env bash
# authoritative.sh — Akka.Dns serving ../shared/bench/data/example.org.zone with the file plugin (+ errors, no
# log) beside Knot, NSD and BIND serving the same zone, in one run: qps on queries-hit.txt and
# queries-mixed.txt (alternating rounds), server CPU, the ratios, p99 at half of each peak, and Akka.Dns's
# resident memory. Loopback only; every load run bounded by dnsperf -l and timeout (../shared/bench/qps.sh).
#
#   bench/authoritative.sh                  ROUNDS=3 SECS=10
#   ROUNDS=1 SECS=5 PEERS="knot" bench/authoritative.sh
# Needs: dnsperf knot nsd bind9 (apt-get install -y dnsperf knot nsd bind9), a Release build.
name=authoritative.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
peers=${PEERS:-knot nsd bind}
akka_port=${AKKA_PORT:-15553}
base=${BASE_PORT:-15560}
zone=$(cd "$shared/data" && pwd)/example.org.zone

cat > "$tmp/Corefile" <<COREFILE
example.org:$akka_port {
    bind 127.0.0.1
    file $zone
    errors
}
COREFILE
start_akka "$akka_port" example.org SOA
i=0
for p in $peers; do
  start_peer "$p" $((base + i)); i=$((i + 2))
done
echo "serving: akka:$akka_port $(for p in $peers; do printf '%s:%s ' "$p" "${port[$p]}"; done)" >&2

run_rounds "hit mixed" "akka $peers"
print_table "hit mixed" "$peers"
print_p99 hit "akka $peers"
echo
echo "Akka.Dns resident memory with the 11,000-line zone loaded, after the runs: $(rss)"
