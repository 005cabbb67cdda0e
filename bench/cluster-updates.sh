#!/usr/bin/env bash
# cluster-updates.sh — the 3-node cluster of ./run.sh cluster (hocon/cluster-node*.conf, hocon/cluster.Corefile)
# started in a temp dir, then: RFC 2136 update acknowledgement latency (p50/p99, sequential, TSIG-signed, at node1),
# update throughput at node1 (concurrent senders), query qps at node1 while updates flow (dnsperf), and the time from
# kill -9 of node3 to node3 leaving members.akka.dns at node1. Loopback only; every loop bounded in count and time.
#
#   bench/cluster-updates.sh                 UPDATES=500 SENDERS=4 SECS=10
# Needs: dnsperf, python3-dnspython, dig (apt-get install -y dnsperf python3-dnspython dnsutils), a Release build,
# and the ports of ./run.sh cluster (1053-1055, 4053-4055) free.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
updates=${UPDATES:-500}
senders=${SENDERS:-4}
secs=${SECS:-10}
dll=$repo/src/Akka.Dns.Daemon/bin/Release/net10.0/Akka.Dns.Daemon.dll
[[ -f $dll ]] || { echo "cluster-updates.sh: build first (dotnet build Akka.Dns.sln -c Release)" >&2; exit 2; }
for p in 1053 1054 1055; do
  if dig +time=1 +tries=1 -p $p @127.0.0.1 members.akka.dns SRV >/dev/null 2>&1; then
    echo "cluster-updates.sh: something answers on 127.0.0.1:$p (a ./run.sh cluster?): stop it first" >&2; exit 2
  fi
done
py=${PYTHON:-/usr/bin/python3}   # Debian's, where python3-dnspython installs
key="hmac-sha256:akka-dns-test.:YWtrYS1kbnMtdGVzdC1rZXktZG8tbm90LXVzZS1pbi1wcm9kIQ=="
tmp=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done
  rm -rf "$tmp"
}
trap cleanup EXIT

start() {  # start N: node N in the background, its pid appended to pids
  (cd "$tmp" && exec dotnet "$dll" -conf "$repo/hocon/cluster.Corefile" -dns.port "105$(($1 + 2))" \
      -hocon "$repo/hocon/cluster-node$1.conf" > "$tmp/node$1.log" 2>&1) &
  pids[$1]=$!
}
members() { dig +short +time=1 +tries=1 -p "$1" @127.0.0.1 members.akka.dns SRV 2>/dev/null | grep -c . || true; }

for n in 1 2 3; do start $n; done
for _ in $(seq 1 120); do
  [[ $(members 1053) == 3 && $(members 1054) == 3 && $(members 1055) == 3 ]] && break
  sleep 0.5
done
[[ $(members 1053) == 3 ]] || { echo "cluster did not form; logs in $tmp" >&2; tail -20 "$tmp"/node1.log >&2; exit 1; }
echo "cluster up: 3 members"

"$py" - "$updates" "$senders" <<'PY'
import sys, time, threading, statistics
import dns.update, dns.query, dns.tsigkeyring, dns.rcode, dns.tsig
n, senders = int(sys.argv[1]), int(sys.argv[2])
ring = dns.tsigkeyring.from_text({"akka-dns-test.": "YWtrYS1kbnMtdGVzdC1rZXktZG8tbm90LXVzZS1pbi1wcm9kIQ=="})
def send(name, i):
    u = dns.update.Update("dyn.akka.dns.", keyring=ring, keyalgorithm=dns.tsig.HMAC_SHA256)
    u.replace(name, 300, "A", f"10.{i >> 16 & 255}.{i >> 8 & 255}.{i & 255}")
    t = time.perf_counter()
    r = dns.query.udp(u, "127.0.0.1", port=1053, timeout=5)
    return time.perf_counter() - t, r.rcode()
lat, bad = [], 0
for i in range(n):
    d, rc = send(f"seq{i}.dyn.akka.dns.", i)
    lat.append(d * 1000)
    bad += rc != dns.rcode.NOERROR
lat.sort()
print(f"sequential: {n} updates at node1, p50={lat[len(lat)//2]:.1f} ms p99={lat[int(len(lat)*0.99)-1]:.1f} ms max={lat[-1]:.1f} ms not-NOERROR={bad}")
per = n // senders
errors = [0]
def worker(w):
    for i in range(per):
        _, rc = send(f"par{w}-{i}.dyn.akka.dns.", w * per + i)
        if rc != dns.rcode.NOERROR: errors[0] += 1
t = time.perf_counter()
ts = [threading.Thread(target=worker, args=(w,)) for w in range(senders)]
for x in ts: x.start()
for x in ts: x.join()
el = time.perf_counter() - t
print(f"concurrent: {senders} senders x {per} updates at node1: {senders*per/el:.0f} updates/s, not-NOERROR={errors[0]}")
PY

# query qps at node1 while a sender keeps updating (bounded by count and by the dnsperf run)
printf 'www.dyn.akka.dns A\nmembers.akka.dns SRV\nnode1.akka.dns A\n' > "$tmp/q.txt"
"$py" - "$secs" <<'PY' &
import sys, time
import dns.update, dns.query, dns.tsigkeyring, dns.tsig
ring = dns.tsigkeyring.from_text({"akka-dns-test.": "YWtrYS1kbnMtdGVzdC1rZXktZG8tbm90LXVzZS1pbi1wcm9kIQ=="})
end, i = time.time() + float(sys.argv[1]), 0
while time.time() < end and i < 100000:
    u = dns.update.Update("dyn.akka.dns.", keyring=ring, keyalgorithm=dns.tsig.HMAC_SHA256)
    u.replace("www.dyn.akka.dns.", 300, "A", f"192.0.2.{i % 250}")
    try: dns.query.udp(u, "127.0.0.1", port=1053, timeout=5)
    except Exception: pass
    i += 1
print(f"during the query run: {i} updates sent at node1")
PY
upd=$!
timeout $((secs + 30)) dnsperf -s 127.0.0.1 -p 1053 -d "$tmp/q.txt" -l "$secs" -c 10 -T 2 -q 100 2>&1 \
  | awk '/Queries per second/ {print "queries at node1 while updates flow: " $4 " qps"} /Queries lost/ {print "lost: " $3}'
wait "$upd" || true

# kill -9 node3: time until node1 stops listing it
t0=$(date +%s.%N)
kill -9 "${pids[3]}"
for _ in $(seq 1 600); do
  [[ $(members 1053) == 2 ]] && break
  sleep 0.05
done
t1=$(date +%s.%N)
echo "kill -9 node3 -> gone from members.akka.dns at node1 after $(awk "BEGIN { printf \"%.2f\", $t1 - $t0 }") s"
