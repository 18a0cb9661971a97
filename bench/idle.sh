#!/usr/bin/env bash
# Idle cost of the console: CPU over SECONDS (default 60) with the account
# screen open and a countdown ticking, and its resident memory, measured on
# the release binary in a real terminal (tmux) against an external sandbox.
#
#   bench/idle.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
bin=${CARGO_TARGET_DIR:-target}/release/portaldesk
cargo build --release --quiet
socket="pd-idle-$$"
out=$(mktemp)
"$bin" sandbox serve --addr 127.0.0.1:0 >"$out" &
server=$!
trap 'kill $server 2>/dev/null; tmux -L "$socket" kill-server 2>/dev/null; rm -f "$out"' EXIT
until grep -q listening "$out"; do sleep 0.05; done
url=$(head -1 "$out" | awk '{print $NF}')
tmux -L "$socket" -f /dev/null new-session -d -s idle -x 160 -y 48 \
  "PORTALDESK_TOKEN=sandbox $bin --portal $url"
# Wait for the queue, open the first ticket's account (countdown on screen).
until tmux -L "$socket" capture-pane -p -t idle | grep -q "Open tickets"; do sleep 0.05; done
tmux -L "$socket" send-keys -t idle Enter
until tmux -L "$socket" capture-pane -p -t idle | grep -q "Profile"; do sleep 0.05; done
pid=$(pgrep -f -n "$bin --portal $url")
ticks() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
hz=$(getconf CLK_TCK)
before=$(ticks)
sleep "$seconds"
after=$(ticks)
rss_kb=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")
cpu=$(awk -v t=$((after - before)) -v hz="$hz" -v s="$seconds" 'BEGIN {printf "%.2f", 100 * t / hz / s}')
echo "idle CPU over ${seconds}s with a countdown visible: ${cpu}%"
echo "resident memory of the console: $((rss_kb / 1024)) MiB"
