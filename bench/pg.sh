#!/usr/bin/env bash
# PostgreSQL figures for BENCHMARKS.md: release `strata serve` nodes on one PostgreSQL database
# (initdb into a temporary directory, default durability: fsync and synchronous_commit on),
# driven by wrk from other processes on 127.0.0.1.
#   register-new with 1 node, then with 3 nodes (one wrk per node, at the same time);
#   get-by-id on each of the 3 nodes; the time for a change on one node to show on another
#   (bench/visibility.py). Needs wrk and PostgreSQL's programs. Env: DUR (10s), CONNS (64).
set -euo pipefail
cd "$(dirname "$0")/.."
DUR=${DUR:-10s}
CONNS=${CONNS:-64}
command -v wrk >/dev/null || { echo "wrk is required: apt-get install wrk" >&2; exit 2; }
pgbin=$(dirname "$(readlink -f "$(command -v initdb || ls /usr/lib/postgresql/*/bin/initdb | tail -1)")")
as_pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

cargo build --release --quiet --bin strata -p strata-cli
. bench/lib.sh
tmp=$(mktemp -d)
[ "$(id -u)" -eq 0 ] && chown postgres: "$tmp"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  as_pg "$pgbin/pg_ctl" stop -D "$tmp/data" -m fast >/dev/null 2>&1 || true
  rm -rf "$tmp"
}
trap cleanup EXIT

pgport=$(free_port)
as_pg "$pgbin/initdb" -D "$tmp/data" -U postgres --auth=trust --encoding=UTF8 --locale=C >/dev/null
as_pg "$pgbin/pg_ctl" start -w -D "$tmp/data" -l "$tmp/data/log" \
  -o "-p $pgport -h 127.0.0.1 -k $tmp -c max_connections=200" >/dev/null
db() { "$pgbin/psql" -h 127.0.0.1 -p "$pgport" -U postgres -d postgres -qc "CREATE DATABASE $1"; echo "postgres://postgres@127.0.0.1:$pgport/$1"; }

start_node() { # database-url; sets $node to the node's base url
  local port; port=$(free_port)
  target/release/strata serve --bind "127.0.0.1:$port" --database-url "$1" --pg-max-connections 32 \
    >/dev/null 2>>"$tmp/strata.log" &
  pids+=($!)
  node="http://127.0.0.1:$port"
  wait_ready "$node"
}

ct='Content-Type: application/vnd.schemaregistry.v1+json'
rps() { sed -n 's/.*rps=\([0-9.]*\).*/\1/p' | head -1; }

echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB; PostgreSQL $("$pgbin/postgres" --version | awk '{print $3}'); wrk -c$CONNS -d$DUR; $(date -u +%F)"

# One node.
one=$(db one)
start_node "$one"; a=$node
curl -fs -X PUT -H "$ct" -d '{"compatibility":"NONE"}' "$a/config" >/dev/null
out=$(WRK_RUN=a wrk -t2 -c"$CONNS" -d"$DUR" -s "$(script register_new.lua)" "$a" 2>>"$tmp/wrk.err" | result)
printf '%-28s %s\n' "register-new, 1 node" "$out"

# Three nodes on one database, one wrk each, at the same time.
three=$(db three)
nodes=()
for _ in 1 2 3; do start_node "$three"; nodes+=("$node"); done
curl -fs -X PUT -H "$ct" -d '{"compatibility":"NONE"}' "${nodes[0]}/config" >/dev/null
wrks=()
register_new=$(script register_new.lua)
for i in 0 1 2; do
  (WRK_RUN="n$i" wrk -t1 -c$((CONNS / 3)) -d"$DUR" -s "$register_new" "${nodes[$i]}" \
    2>>"$tmp/wrk.err" | result > "$tmp/three.$i") &
  wrks+=($!)
done
wait "${wrks[@]}"
total=0
for i in 0 1 2; do
  printf '%-28s %s\n' "register-new, node $((i + 1)) of 3" "$(cat "$tmp/three.$i")"
  total=$(python3 -c "print(round($total + $(rps < "$tmp/three.$i")))")
done
printf "%-28s %s\n" "register-new, 3 nodes" "rps=$total (sum)"

# Reads: the same id on every node.
schema='{"schema":"{\"type\":\"record\",\"name\":\"Fixed\",\"fields\":[{\"name\":\"a\",\"type\":\"string\"}]}"}'
id=$(curl -fs -X POST -H "$ct" -d "$schema" "${nodes[0]}/subjects/bench-fixed/versions" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
for i in 0 1 2; do
  out=$(wrk -t2 -c"$CONNS" -d"$DUR" -s "$(script report.lua)" "${nodes[$i]}/schemas/ids/$id" 2>>"$tmp/wrk.err" | result)
  printf '%-28s %s\n' "get-by-id, node $((i + 1)) of 3" "$out"
done

# Visibility: a change on node 1 seen from node 2.
python3 bench/visibility.py "${nodes[0]}" "${nodes[1]}"
if [ -s "$tmp/wrk.err" ]; then echo "errors reported by the scripts:"; sort "$tmp/wrk.err" | uniq -c | head; fi
