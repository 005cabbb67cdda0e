#!/usr/bin/env bash
# dnssec.sh — signed answers per second: Akka.Dns signing on line (dnssec in front of file) beside Knot serving
# a copy of the same zone signed off line by dnssec-signzone with the same key, in one run, DO set on every query.
#   warm: ../shared/bench/data/queries-hit.txt (100,000 queries, 15,085 distinct, over the zone's names; the signature
#         cache is given CAPACITY entries, default 100,000, so that after the warm-up every signature is cached);
#   cold: COLD_NAMES (default 500,000) distinct missing names: every reply is a black lie whose NSEC is signed
#         then and there (no name is asked twice within a run). Knot answers the same names from its
#         pre-computed NSEC chain, so "cold" is the cost of signing on line against none.
# Loopback only; every load run is bounded (dnsperf -l, timeout) through ../shared/bench/qps.sh.
#
#   bench/dnssec.sh                  3 rounds × (warm, cold), 10 s each, after a 3 s warm-up per server and set
#   ROUNDS=1 SECS=5 bench/dnssec.sh  quick look
#   ALG=ED25519 bench/dnssec.sh      another algorithm (ECDSAP256SHA256 by default; RSASHA256 works too)
# Needs: dnsperf, knot, bind9-utils (dnssec-keygen, dnssec-signzone), a Release build.
name=dnssec.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
akka_port=${AKKA_PORT:-15463}
knot_port=${KNOT_PORT:-15464}
alg=${ALG:-ECDSAP256SHA256}
cold_names=${COLD_NAMES:-500000}

# One key (KSK flags: a CSK, as CoreDNS treats a lone key) signs both copies.
bits=(); [[ $alg == RSASHA256 ]] && bits=(-b 2048)
key=$(dnssec-keygen -q -K "$tmp" -a "$alg" "${bits[@]}" -f KSK example.org)
cp "$shared/data/example.org.zone" "$tmp/example.org.zone"
chmod u+w "$tmp/example.org.zone"
dnssec-signzone -q -S -K "$tmp" -d "$tmp" -z -o example.org -f "$tmp/example.org.signed" "$tmp/example.org.zone" >/dev/null

awk -v n="$cold_names" 'BEGIN { for (i = 0; i < n; i++) printf "nx%d.example.org A\n", i }' > "$tmp/queries-cold.txt"
ln -s "$shared/data/queries-hit.txt" "$tmp/queries-warm.txt"

cat > "$tmp/Corefile" <<EOF
example.org:$akka_port {
    bind 127.0.0.1
    dnssec {
        key file $tmp/$key
        cache_capacity ${CAPACITY:-100000}
    }
    file $tmp/example.org.zone
}
EOF
echo "starting Akka.Dns (dnssec + file, $alg) on 127.0.0.1:$akka_port and Knot (pre-signed) on 127.0.0.1:$knot_port" >&2
start_akka "$akka_port" example.org SOA
export ZONE=$tmp/example.org.signed
start_peer knot "$knot_port"
# Both must sign: one DO query each, RRSIGs expected.
for who in akka knot; do
  dig +dnssec +time=2 -p "${port[$who]}" @127.0.0.1 host1.example.org A | grep -q RRSIG \
    || { echo "$name: $who does not answer with RRSIGs" >&2; exit 1; }
done

export DNSPERF_ARGS="-D"
export QUERIES_DIR=$tmp
run_rounds "warm cold" "akka knot"
print_table "warm cold" "knot"
echo
echo "Akka.Dns RSS after the run: $(rss)"
