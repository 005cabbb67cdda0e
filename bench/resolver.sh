#!/usr/bin/env bash
# resolver.sh — Akka.Dns as a cache (cache + forward + errors) in front of Knot, beside Unbound and dnsdist each in
# front of their own Knot (../shared/bench/peer.sh), in one run: cache-hit qps on queries-hit.txt and
# queries-mixed.txt (alternating rounds, after a warm-up that fills every cache), server CPU, the ratios, p99 at
# half of each peak, then two miss storms of MISSES distinct names each (NXDOMAIN from Knot) against Akka.Dns with
# Akka.Dns's resident memory before and after (bounded by the cache's capacity). Loopback only; every load run
# bounded by dnsperf -l and timeout (../shared/bench/qps.sh).
#
#   bench/resolver.sh                       ROUNDS=3 SECS=10 MISSES=1000000 CACHE_CAPACITY=65536
#   ROUNDS=1 SECS=5 PEERS=unbound MISSES=200000 bench/resolver.sh
# Needs: dnsperf knot unbound dnsdist (apt-get install -y dnsperf knot unbound dnsdist), a Release build.
name=resolver.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
peers=${PEERS:-unbound dnsdist}
misses=${MISSES:-1000000}
# queries-hit.txt asks 15,085 distinct questions, queries-mixed.txt 30,595: CoreDNS's default capacity (9,984 per
# cache) would keep evicting, so every "hit" round would also forward misses. Unbound's default caches hold them.
capacity=${CACHE_CAPACITY:-65536}
akka_port=${AKKA_PORT:-15653}
base=${BASE_PORT:-15660}

start_peer knot "$base"
cat > "$tmp/Corefile" <<COREFILE
.:$akka_port {
    bind 127.0.0.1
    cache {
        success $capacity
        denial $capacity
    }
    forward . 127.0.0.1:$base
    errors
}
COREFILE
start_akka "$akka_port" example.org SOA
i=2
for p in $peers; do
  start_peer "$p" $((base + i)); i=$((i + 2))
done
echo "serving: akka:$akka_port (cache -> knot:$base) $(for p in $peers; do printf '%s:%s ' "$p" "${port[$p]}"; done)" >&2

run_rounds "hit mixed" "akka $peers"
print_table "hit mixed" "$peers"
print_p99 hit "akka $peers"

echo
# Two storms of MISSES fresh names each: memory bounded by the capacity shows as no growth from the first to the second.
storm_secs=${STORM_SECS:-60}
before=$(rss)
for storm in 1 2; do
  awk -v n="$misses" -v s="$storm" 'BEGIN { for (i = 0; i < n; i++) printf "m%d.s%d.storm.example.org A\n", i, s }' > "$tmp/storm.txt"
  line=$(timeout $((storm_secs + 60)) dnsperf -s 127.0.0.1 -p "$akka_port" -d "$tmp/storm.txt" -n 1 -l "$storm_secs" -c 10 -T 2 -q 200 -t 2 2>&1 \
    | awk '/Queries sent/ {s=$3} /Queries completed/ {c=$3} /Queries per second/ {q=$4} END {printf "sent=%s completed=%s qps=%s", s, c, q}')
  echo "miss storm $storm ($misses distinct names, each once, at most ${storm_secs} s): $line; Akka.Dns RSS after it: $(rss)"
done
echo "Akka.Dns resident memory after the hit runs: $before (cache capacity $capacity success + $capacity denial)"
