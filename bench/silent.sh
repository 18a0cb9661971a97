#!/usr/bin/env bash
# Silent connections (issue #25): `portaldesk sandbox serve` started under
# `ulimit -n 256`, then SILENT connections (default 500) that never send a
# byte, each opened again as soon as the server closes it, while REQUESTS
# ordinary requests (default 20), each on a new connection, are timed from
# connect to the end of the answer. Prints one `key=value` line (see
# examples/silent_connections.rs): answered, p50_ms, max_ms, and how many
# silent connections were opened and closed by the server.
#
#   bench/silent.sh [SILENT] [REQUESTS]
set -euo pipefail
cd "$(dirname "$0")/.."
silent=${1:-500}
requests=${2:-20}
target=${CARGO_TARGET_DIR:-target}
bin=$target/release/portaldesk
# bench/run.sh builds the binary with its examples and says so.
if [[ -z ${PORTALDESK_BENCH_BUILT:-} ]]; then
  cargo build --release --locked --quiet --bin portaldesk --example silent_connections
fi
out=$(mktemp)
server=""
cleanup() {
  if [[ -n $server ]]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  rm -f "$out"
}
trap cleanup EXIT
# The server alone gets 256 descriptors: fewer than the silent connections.
( ulimit -n 256 && exec "$bin" sandbox serve --addr 127.0.0.1:0 ) >"$out" &
server=$!
for _ in $(seq 600); do grep -q listening "$out" && break; sleep 0.1; done
grep -q listening "$out" || { echo "bench/silent.sh: the sandbox did not start" >&2; exit 1; }
url=$(head -1 "$out" | awk '{print $NF}')
limit=$(awk '/Max open files/ {print $4}' "/proc/$server/limits")
# The client holds the silent connections: it needs more descriptors.
( ulimit -n "$((silent * 2 + 256))" 2>/dev/null || true
  timeout 120 "$target/release/examples/silent_connections" "$url" --silent "$silent" --requests "$requests" ) |
  sed "s/\$/ server_fd_limit=$limit/"
