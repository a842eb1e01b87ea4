#!/usr/bin/env bash
# Time-to-ready and resident memory of the release `strata serve` holding N schemas (100,000) in
# S subjects (20,000). Seeds through the REST API, stops the server, then measures a cold start.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-100000}
S=${S:-20000}
cargo build --release --quiet --bin strata
tmp=$(mktemp -d)
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null || true; rm -rf "$tmp"; }
trap cleanup EXIT
. bench/lib.sh
port=$(free_port)
url="http://127.0.0.1:$port"
serve() { target/release/strata serve --bind "127.0.0.1:$port" --database-url "sqlite://$tmp/scale.db" 2>>"$tmp/strata.log" & pid=$!; }
ready() { until curl -fs "$url/" >/dev/null 2>&1; do sleep 0.005; done; }

serve; ready
start=$(date +%s.%N)
python3 bench/seed.py "$url" "$N" "$S"
echo "seeding: $(python3 -c "print(round($N/($(date +%s.%N)-$start)))") registrations/s (16 Python clients)"
kill -TERM "$pid"; wait "$pid" || true

t0=$(date +%s.%N); serve; ready; t1=$(date +%s.%N)
echo "time to ready with $N schemas in $S subjects: $(python3 -c "print(round(($t1-$t0)*1000))") ms"
echo "RSS after start: $(awk '/VmRSS/{print $2/1024 " MiB"}' /proc/$pid/status)"
# Touch every id once through the cache, then measure again.
python3 - "$url" "$N" <<'PY'
import http.client, sys, urllib.parse
u = urllib.parse.urlparse(sys.argv[1]); c = http.client.HTTPConnection(u.hostname, u.port)
for i in range(1, int(sys.argv[2]) + 1):
    c.request("GET", f"/schemas/ids/{i}"); r = c.getresponse(); r.read()
    assert r.status == 200, (i, r.status)
PY
echo "RSS after reading every id once: $(awk '/VmRSS/{print $2/1024 " MiB"}' /proc/$pid/status)"
echo "database file: $(du -sh "$tmp" | cut -f1)"
