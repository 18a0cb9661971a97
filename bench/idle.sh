#!/usr/bin/env bash
# Idle cost of the console: CPU over SECONDS (default 60) with the account
# screen open, a countdown ticking and the portal's event stream open, and
# its resident memory, measured on the release binary in a real terminal
# (tmux) against an external sandbox.
#
# That the stream is open is shown, not assumed: before the measure another
# agent claims a ticket (through the API, with curl) and the queue must
# show it without `R`; after it, the agent releases the ticket while the
# account screen is open, and the queue must show that on `Esc` (which
# reads nothing: only the stream could have told the console). Needs curl
# and jq. The console runs with a temporary HOME, so it touches none of
# your files.
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
# How many lines of the screen show $1.
screen_count() { tmux -L "$socket" capture-pane -p -t idle | grep -c "$1" || true; }
# Waits at most 5 s for the screen's count of $1 to become $2; prints the
# milliseconds it took, or "never".
count_becomes() {
  local begun=$(date +%s%N) deadline=$((SECONDS + 5))
  until [[ $(screen_count "$1") == "$2" ]]; do
    if ((SECONDS >= deadline)); then echo never; return; fi
    sleep 0.02
  done
  echo $((($(date +%s%N) - begun) / 1000000))
}
api() { curl -sS --fail -H "Authorization: Bearer sandbox" "$@"; }
# Another agent claims ($2 = "\"agent_chen\"") or releases ($2 = null) ticket $1.
assign() {
  local etag
  etag=$(api -o /dev/null -D - "$url/api/v1/tickets/$1" | awk -F': ' 'tolower($1) == "etag" {print $2}' | tr -d '\r')
  api -X PATCH -H "If-Match: $etag" -H "Idempotency-Key: idle-$$-$RANDOM" -H 'Content-Type: application/json' \
    -d "{\"assignee\": $2}" "$url/api/v1/tickets/$1" >/dev/null
}
"$bin" sandbox serve --addr 127.0.0.1:0 >"$out" &
server=$!
wait_for grep -q listening "$out"
url=$(head -1 "$out" | awk '{print $NF}')
tmux -L "$socket" -f /dev/null new-session -d -s idle -x 160 -y 48 \
  "HOME=$home PORTALDESK_TOKEN=sandbox $bin --portal $url"
# Wait for the queue; another agent claims the oldest unclaimed ticket.
wait_for screen_shows "Open tickets"
ticket=$(api "$url/api/v1/tickets?status=open&assignee=none&limit=1" | jq -r '.items[0].id')
chen=$(screen_count agent_chen)
assign "$ticket" '"agent_chen"'
claim_ms=$(count_becomes agent_chen $((chen + 1)))
# Open the first ticket's account (countdown on screen).
tmux -L "$socket" send-keys -t idle Enter
wait_for screen_shows "Profile"
pid=$(pgrep -f -n "$bin --portal $url")
ticks() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
hz=$(getconf CLK_TCK)
before=$(ticks)
sleep "$seconds"
after=$(ticks)
rss_kb=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")
# The agent releases the ticket; back on the queue, it shows.
assign "$ticket" null
sleep 1
tmux -L "$socket" send-keys -t idle Escape
release_ms=$(count_becomes agent_chen "$chen")
if [[ $claim_ms != never && $release_ms != never ]]; then stream=open; else stream=closed; fi
cpu=$(awk -v t=$((after - before)) -v hz="$hz" -v s="$seconds" 'BEGIN {printf "%.2f", 100 * t / hz / s}')
echo "idle CPU over ${seconds}s with a countdown visible: ${cpu}%"
echo "event stream: $stream (another agent's claim showed in ${claim_ms} ms without R; after the measure, the release showed on Esc: ${release_ms})"
echo "resident memory of the console: $(awk -v k="$rss_kb" 'BEGIN {printf "%.1f", k / 1024}') MiB"
