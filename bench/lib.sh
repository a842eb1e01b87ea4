# Shared by the bench scripts: `. bench/lib.sh` from the repository root.

# A scratch directory ($tmp) and a list of background processes ($pids), both gone on exit.
scratch() {
  tmp=$(mktemp -d)
  pids=()
  trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$tmp"' EXIT
}

# A TCP port free on 127.0.0.1 now.
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# Waits (up to 30 s) until the server at URL $1 answers `GET /`.
wait_ready() { for _ in $(seq 1 600); do curl -fs "$1/" >/dev/null 2>&1 && return 0; sleep 0.05; done; return 1; }

# A wrk script of bench/wrk/ ($1) with the shared report appended; prints its path in $tmp.
script() { cat "bench/wrk/$1" bench/wrk/report.lua > "$tmp/$1"; echo "$tmp/$1"; }

# The figures of a wrk run, from the report's RESULT line.
result() { grep '^RESULT' | sed 's/^RESULT //'; }
