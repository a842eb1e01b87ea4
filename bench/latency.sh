#!/usr/bin/env bash
# Latency of GET /schemas/ids/{id} at fixed request rates, beside the ceiling (a bare server on
# the same stack answering the same bytes), for BENCHMARKS.md. wrk (bench/run.sh) measures at
# saturation, where latency is only queueing; here oha sends at a fixed rate over 64 connections
# and, with --latency-correction, counts each request from when it was due, not from when it was
# sent (no coordinated omission). The servers run on CPU 0, oha on CPU 1.
# Needs oha (`cargo install oha --locked`; OHA=path to use another). Env: RATES ("20000 40000
# 60000 80000"), DUR (10s), CONNS (64).
set -euo pipefail
cd "$(dirname "$0")/.."
RATES=${RATES:-"20000 40000 60000 80000"}
DUR=${DUR:-10s}
CONNS=${CONNS:-64}
OHA=${OHA:-$(command -v oha || true)}
[ -x "$OHA" ] || { echo "oha is required: cargo install oha --locked (or OHA=/path/to/oha)" >&2; exit 2; }

cargo build --release --quiet --bin strata --example ceiling -p strata-cli
. bench/lib.sh
scratch

port=$(free_port)
url="http://127.0.0.1:$port"
taskset -c 0 target/release/strata serve --bind "127.0.0.1:$port" --database-url "sqlite://$tmp/bench.db" 2>"$tmp/strata.log" &
pids+=($!)
wait_ready "$url"
ct='Content-Type: application/vnd.schemaregistry.v1+json'
schema='{"schema":"{\"type\":\"record\",\"name\":\"Fixed\",\"fields\":[{\"name\":\"a\",\"type\":\"string\"},{\"name\":\"b\",\"type\":\"long\"}]}"}'
id=$(curl -fs -X POST -H "$ct" -d "$schema" "$url/subjects/bench-fixed/versions" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
curl -fs "$url/schemas/ids/$id" > "$tmp/by-id.body"
cport=$(free_port)
taskset -c 0 target/release/examples/ceiling "127.0.0.1:$cport" "$tmp/by-id.body" &
pids+=($!)
wait_ready "http://127.0.0.1:$cport"

echo "machine: $(nproc) cores, servers on CPU 0, oha on CPU 1; oha -c$CONNS -z$DUR --latency-correction; $(date -u +%F)"
for rate in $RATES; do
  for target in "ceiling http://127.0.0.1:$cport/schemas/ids/$id" "get-by-id $url/schemas/ids/$id"; do
    set -- $target
    taskset -c 1 "$OHA" -c "$CONNS" -q "$rate" -z "$DUR" --latency-correction --no-tui \
      --output-format json --worker-threads 1 "$2" > "$tmp/oha.json"
    python3 - "$1" "$rate" "$tmp/oha.json" <<'EOF'
import json, sys
name, rate, path = sys.argv[1:]
d = json.load(open(path))
s, p = d["summary"], d["latencyPercentiles"]
codes = d.get("statusCodeDistribution", {})
print(f"{name:<10} rate={rate:>6}/s achieved={s['requestsPerSec']:>8.0f}/s "
      f"p50={p['p50']*1e3:.3f}ms p99={p['p99']*1e3:.3f}ms p99.9={p['p99.9']*1e3:.3f}ms "
      f"statuses={codes}")
EOF
  done
done
