#!/usr/bin/env bash
# reload.sh — issue 7's reload check: one bounded dnsperf run (queries-hit.txt against the file plugin serving
# ../shared/bench/data/example.org.zone) while the Corefile is rewritten RELOADS times, valid and broken
# alternately, with SIGUSR1 after each write. Each valid version answers version.bind CH TXT "valid-N"; each broken
# one has a syntax error and the marker "broken-N", which must never be served. Prints dnsperf's
# sent/completed/lost and qps, the failed reloads (coredns_reload_failed_total from /metrics when the prometheus
# plugin is built, else the daemon's "reload failed" log lines), resident memory and thread count before and
# after the storm (old configs drain and stop: neither grows), and fails unless lost == 0, failures ==
# RELOADS/2 and no broken marker was seen. Loopback only; dnsperf bounded by -l and timeout (qps.sh).
#
#   bench/reload.sh                         QPS_LIMIT=20000 SECS=30 RELOADS=20
# Needs: dnsperf, dig, a Release build.
name=reload.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
secs=${SECS:-30}
reloads=${RELOADS:-20}
limit=${QPS_LIMIT:-20000}
akka_port=${AKKA_PORT:-15573}
metrics_port=${METRICS_PORT:-15574}
zone=$(cd "$shared/data" && pwd)/example.org.zone
(( reloads % 2 == 0 )) || { echo "$name: RELOADS must be even (valid and broken alternate)" >&2; exit 2; }

# prometheus only when this build has it (a parallel branch adds it); otherwise failures come from the log.
prom=""
dotnet "$dll" -plugins | grep -q 'dns\.prometheus$' && prom="prometheus 127.0.0.1:$metrics_port"

# corefile N valid|broken
corefile() {
  if [[ $2 == valid ]]; then
    printf '.:%s {\n    bind 127.0.0.1\n    %s\n    chaos valid-%s\n}\nexample.org:%s {\n    bind 127.0.0.1\n    file %s\n}\n' \
      "$akka_port" "$prom" "$1" "$akka_port" "$zone"
  else
    printf '.:%s {\n    bind 127.0.0.1\n    %s\n    chaos broken-%s\n}\nexample.org:%s {\n    bind 127.0.0.1\n    file %s\n' \
      "$akka_port" "$prom" "$1" "$akka_port" "$zone"   # the last block is never closed
  fi
}

marker() { dig +short +time=1 +tries=1 -p "$akka_port" @127.0.0.1 version.bind CH TXT 2>/dev/null | tr -d '"'; }
failures() {
  if [[ -n $prom ]]; then
    curl -s "http://127.0.0.1:$metrics_port/metrics" | awk '/^coredns_reload_failed_total/ { print int($NF) }'
  else
    grep -c 'reload failed' "$tmp/akka.log" || true
  fi
}
threads() { awk '/^Threads/ { print $2 }' "/proc/$akka_pid/status"; }

corefile 0 valid > "$tmp/Corefile"
start_akka "$akka_port" example.org SOA
[[ $(marker) == valid-0 ]] || { echo "$name: the daemon does not answer" >&2; cat "$tmp/akka.log" >&2; exit 1; }
echo "serving akka:$akka_port; failures counted from $([[ -n $prom ]] && echo /metrics || echo 'the log')" >&2
rss0=$(rss); thr0=$(threads)

QPS_LIMIT=$limit "$shared/qps.sh" "$akka_port" "$secs" "$shared/data/queries-hit.txt" > "$tmp/qps" &
load=$!
sleep 2
gap=$(awk -v s="$secs" -v n="$reloads" 'BEGIN { printf "%.2f", (s - 4) / n }')
seen=""
expected=""
for n in $(seq 1 "$reloads"); do
  if (( n % 2 == 0 )); then kind=valid; else kind=broken; fi
  corefile "$n" "$kind" > "$tmp/Corefile.new" && mv "$tmp/Corefile.new" "$tmp/Corefile"
  kill -USR1 "$akka_pid"
  sleep "$gap"
  seen="$seen $(marker)"
  expected="$expected valid-$(( n - n % 2 ))"
done
wait "$load" || true
rss1=$(rss); thr1=$(threads)
sleep 3   # past the last old config's drain (request-timeout + 2 sweeps)
rss2=$(rss); thr2=$(threads)

line=$(cat "$tmp/qps")
get() { sed -nE "s/.*\b$1=([0-9.]+).*/\1/p" <<<"$line"; }
failed=$(failures)
broken_seen=$(tr ' ' '\n' <<<"$seen" | grep -c '^broken-' || true)
echo "dnsperf: sent=$(get sent) completed=$(get completed) lost=$(get lost) qps=$(get qps) (offered $limit for ${secs}s)"
echo "reloads: $reloads ($((reloads / 2)) broken), failed reloads counted: $failed, markers after each reload:$seen"
echo "memory: RSS $rss0 before, $rss1 after the storm, $rss2 after the drain; threads $thr0 / $thr1 / $thr2"
status=0
[[ $(get lost) == 0 ]] || { echo "FAIL: $(get lost) queries lost" >&2; status=1; }
[[ $failed == $((reloads / 2)) ]] || { echo "FAIL: $failed failed reloads, expected $((reloads / 2))" >&2; status=1; }
[[ $broken_seen == 0 ]] || { echo "FAIL: a broken config was served" >&2; status=1; }
[[ $seen == "$expected" ]] || { echo "FAIL: markers$seen, expected$expected" >&2; status=1; }
(( thr2 <= thr0 + 8 )) || { echo "FAIL: threads grew from $thr0 to $thr2" >&2; status=1; }
exit $status
