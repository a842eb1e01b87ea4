#!/usr/bin/env bash
# Load figures for BENCHMARKS.md: the release `strata serve` on a fresh SQLite file, driven by wrk
# from a second process on 127.0.0.1, beside a bare HTTP server returning the same bytes (the
# ceiling). Needs wrk (apt-get install wrk). Env: DUR (10s), CONNS (64), THREADS (2); PIN=1 runs
# the servers on CPU 0 and wrk on CPU 1 (taskset), so that client and server do not take each
# other's core.
set -euo pipefail
cd "$(dirname "$0")/.."
DUR=${DUR:-10s}
CONNS=${CONNS:-64}
THREADS=${THREADS:-2}
server_cpu=(); client_cpu=(); pinned=""
if [ "${PIN:-0}" = 1 ]; then
  server_cpu=(taskset -c 0); client_cpu=(taskset -c 1); pinned=", pinned (servers on CPU 0, wrk on CPU 1)"
fi
command -v wrk >/dev/null || { echo "wrk is required: apt-get install wrk" >&2; exit 2; }

cargo build --release --quiet --bin strata --example ceiling -p strata-cli
. bench/lib.sh
scratch

port=$(free_port)
url="http://127.0.0.1:$port"
"${server_cpu[@]}" target/release/strata serve --bind "127.0.0.1:$port" --database-url "sqlite://$tmp/bench.db" 2>"$tmp/strata.log" &
pids+=($!)
wait_ready "$url"

ct='Content-Type: application/vnd.schemaregistry.v1+json'
schema='{"schema":"{\"type\":\"record\",\"name\":\"Fixed\",\"fields\":[{\"name\":\"a\",\"type\":\"string\"},{\"name\":\"b\",\"type\":\"long\"}]}"}'
echo "$schema" > "$tmp/fixed.json"
id=$(curl -fs -X POST -H "$ct" -d @"$tmp/fixed.json" "$url/subjects/bench-fixed/versions" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
curl -fs -X PUT -H "$ct" -d '{"compatibility":"NONE"}' "$url/config" >/dev/null

# The ceiling: a bare HTTP server answering every request with the bytes of GET /schemas/ids/{id}.
curl -fs "$url/schemas/ids/$id" > "$tmp/by-id.body"
cport=$(free_port)
"${server_cpu[@]}" target/release/examples/ceiling "127.0.0.1:$cport" "$tmp/by-id.body" &
pids+=($!)
wait_ready "http://127.0.0.1:$cport"

run() { # name url [script]
  local name=$1 target=$2 s=${3:-}
  local out
  if [ -n "$s" ]; then out=$("${client_cpu[@]}" wrk -t"$THREADS" -c"$CONNS" -d"$DUR" -s "$s" "$target" 2>>"$tmp/wrk.err")
  else out=$("${client_cpu[@]}" wrk -t"$THREADS" -c"$CONNS" -d"$DUR" -s "$(script report.lua)" "$target" 2>>"$tmp/wrk.err"); fi
  printf '%-20s %s\n' "$name" "$(result <<<"$out")"
}

echo "machine: $(nproc) cores$pinned, $(free -g | awk '/Mem:/{print $2}') GiB; wrk -t$THREADS -c$CONNS -d$DUR; $(date -u +%F)"
run ceiling "http://127.0.0.1:$cport/schemas/ids/$id"
run get-by-id "$url/schemas/ids/$id"
run get-latest "$url/subjects/bench-fixed/versions/latest"
WRK_PATH=/subjects/bench-fixed/versions WRK_BODY_FILE="$tmp/fixed.json" run register-existing "$url" "$(script post_fixed.lua)"
WRK_PATH=/subjects/bench-fixed WRK_BODY_FILE="$tmp/fixed.json" run lookup "$url" "$(script post_fixed.lua)"
WRK_RUN=$RANDOM run register-new "$url" "$(script register_new.lua)"
if [ -s "$tmp/wrk.err" ]; then echo "errors reported by the scripts:"; sort "$tmp/wrk.err" | uniq -c | head; fi
