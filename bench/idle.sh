#!/usr/bin/env bash
# Idle cost of the console: CPU over SECONDS (default 60) with the account
# screen open and a countdown ticking, and its resident memory, measured on
# the release binary in a real terminal (tmux) against an external sandbox.
# The console runs with a temporary HOME, so it touches none of your files.
#
#   bench/idle.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
bin=${CARGO_TARGET_DIR:-target}/release/portaldesk
# bench/run.sh builds the binary with its examples and says so: building it
# again here without them would unify features differently and rebuild.
if [[ -z ${PORTALDESK_BENCH_BUILT:-} ]]; then cargo build --release --locked --quiet --bin portaldesk; fi
socket="pd-idle-$$"
out=$(mktemp)
home=$(mktemp -d)
server=""
cleanup() {
  if [[ -n $server ]]; then kill "$server" 2>/dev/null || true; fi
  tmux -L "$socket" kill-server 2>/dev/null || true
  rm -rf "$out" "$home"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
# Waits until a command succeeds, at most 60 seconds.
wait_for() {
  local deadline=$((SECONDS + 60))
  until "$@"; do
    if ((SECONDS >= deadline)); then echo "idle.sh: timed out waiting for: $*" >&2; return 1; fi
    sleep 0.05
  done
}
screen_shows() { tmux -L "$socket" capture-pane -p -t idle | grep -q "$1"; }
"$bin" sandbox serve --addr 127.0.0.1:0 >"$out" &
server=$!
wait_for grep -q listening "$out"
url=$(head -1 "$out" | awk '{print $NF}')
tmux -L "$socket" -f /dev/null new-session -d -s idle -x 160 -y 48 \
  "HOME=$home PORTALDESK_TOKEN=sandbox $bin --portal $url"
# Wait for the queue, open the first ticket's account (countdown on screen).
wait_for screen_shows "Open tickets"
tmux -L "$socket" send-keys -t idle Enter
wait_for screen_shows "Profile"
pid=$(pgrep -f -n "$bin --portal $url")
ticks() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
hz=$(getconf CLK_TCK)
before=$(ticks)
sleep "$seconds"
after=$(ticks)
rss_kb=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")
cpu=$(awk -v t=$((after - before)) -v hz="$hz" -v s="$seconds" 'BEGIN {printf "%.2f", 100 * t / hz / s}')
echo "idle CPU over ${seconds}s with a countdown visible: ${cpu}%"
echo "resident memory of the console: $(awk -v k="$rss_kb" 'BEGIN {printf "%.1f", k / 1024}') MiB"
