#!/usr/bin/env bash
# Instructions per record of the codec bench's measured calls, counted by callgrind (which the
# machine's load does not move, unlike wall-clock time).
#
#   converters/benches/callgrind.sh [FILTER]      (default FILTER: json)
#
# Runs the bench binary under `valgrind --tool=callgrind` with `--profile-time 1` and FILTER, then
# prints, for each of the bench's never-inlined wrappers (`converter_deserialize`,
# `serde_json_deserialize`, …), its calls and its inclusive instructions per call: the converter
# call or the serde_json call alone, dropping the result left out. Set KEEP=dir to keep the
# callgrind output (for `callgrind_annotate --inclusive=yes`), BIN=path to count a bench binary
# built earlier (a copy of `target/release/deps/codec-*`) instead of building this one.
set -euo pipefail
cd "$(dirname "$0")/../.."
filter=${1:-json}
bin=${BIN:-}
[ -n "$bin" ] || bin=$(cargo bench -p strata-converters --bench codec --no-run --message-format=json 2>/dev/null |
    python3 -c '
import json, sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m["target"]["name"] == "codec" and m.get("executable"):
        print(m["executable"])')
out=${KEEP:-$(mktemp -d)}
mkdir -p "$out"
valgrind --tool=callgrind --callgrind-out-file="$out/callgrind.out" "$bin" --bench \
    --profile-time 1 "$filter" >"$out/bench.log" 2>"$out/valgrind.log"
python3 - "$out/callgrind.out" <<'EOF'
import re, sys
names, calls, cost = {}, {}, {}
wanted = re.compile(r"codec::(converter|serde_json)_(serialize|deserialize)$")
target = None
pending = None
with open(sys.argv[1]) as f:
    for line in f:
        if line.startswith("cfn="):
            m = re.match(r"cfn=\((\d+)\)(?: (.*))?", line.strip())
            if m.group(2):
                names[m.group(1)] = m.group(2)
            target = m.group(1)
        elif line.startswith("fn="):
            m = re.match(r"fn=\((\d+)\)(?: (.*))?", line.strip())
            if m.group(2):
                names[m.group(1)] = m.group(2)
        elif line.startswith("calls="):
            pending = (target, int(line.split()[0][6:]))
        elif pending is not None:
            t, n = pending
            calls[t] = calls.get(t, 0) + n
            cost[t] = cost.get(t, 0) + int(line.split()[1])
            pending = None
for fid, n in sorted(calls.items(), key=lambda kv: names.get(kv[0], "")):
    name = names.get(fid, "")
    short = re.sub(r"^.*codec::", "", name)
    if wanted.search(name) and n:
        print(f"{short:28} calls {n:8}  instructions per call {cost[fid] / n:10.1f}")
EOF
