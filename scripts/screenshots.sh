#!/usr/bin/env bash
# The README's pictures, taken from the real program: the release binary
# runs in tmux against `portaldesk sandbox serve` (frozen clock, fixed seed,
# so the pictures only change when the program does), the panes are
# captured with their colours and turned into SVG by examples/ansi_to_svg.rs.
#
#   scripts/screenshots.sh            # writes docs/screenshots/*.svg
set -euo pipefail
cd "$(dirname "$0")/.."
for tool in tmux curl python3; do
  command -v "$tool" >/dev/null || { echo "screenshots.sh needs $tool" >&2; exit 1; }
done
cols=120 rows=34
target=${CARGO_TARGET_DIR:-target}
cargo build --release --quiet --bin portaldesk --example ansi_to_svg
bin=$target/release/portaldesk
svg=$target/release/examples/ansi_to_svg
out=docs/screenshots
mkdir -p "$out"

work=$(mktemp -d)
socket="pd-shots-$$"
server_out="$work/server"
cleanup() {
  tmux -L "$socket" kill-server 2>/dev/null || true
  [[ -n ${server:-} ]] && kill "$server" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

"$bin" sandbox serve --addr 127.0.0.1:0 --seed 1 --frozen-at 2026-11-25T09:00:00Z \
  --staff-token rivera=agent_rivera >"$server_out" &
server=$!
until grep -q listening "$server_out" 2>/dev/null; do sleep 0.05; done
url=$(head -1 "$server_out" | awk '{print $NF}')

mkdir -p "$work/home/.config/portaldesk"
printf 'time_zone = "UTC"\n' >"$work/home/.config/portaldesk/config.toml"
tmux -L "$socket" -f /dev/null new-session -d -s shots -x "$cols" -y "$rows" \
  "env HOME=$work/home XDG_CONFIG_HOME=$work/home/.config XDG_STATE_HOME=$work/home/.local/state \
   TERM=xterm-256color COLORTERM=truecolor PORTALDESK_TOKEN=sandbox $bin --sandbox-clock --portal $url"

screen() { tmux -L "$socket" capture-pane -p -t "${pane:-shots}"; }
# Waits until the pane shows $1 and holds still.
wait_for() {
  local last="" now
  for _ in $(seq 1 400); do
    now=$(screen)
    if [[ ${now,,} == *"${1,,}"* && $now == "$last" ]]; then return 0; fi
    last=$now
    sleep 0.05
  done
  echo "screenshots.sh: never saw '$1'; the screen was:" >&2
  screen >&2
  exit 1
}
keys() { tmux -L "$socket" send-keys -t shots "$@"; }
shot() {
  tmux -L "$socket" capture-pane -e -p -t shots | "$svg" "$cols" "$rows" >"$out/$1.svg"
  echo "wrote $out/$1.svg"
}

wait_for "Open tickets"
shot queue

# A second agent (agent_rivera) in a console of their own opens T-1003;
# the first console then shows who else is on it, in the queue and on
# the ticket screen.
tmux -L "$socket" new-session -d -s rivera -x "$cols" -y "$rows" \
  "env HOME=$work/home XDG_CONFIG_HOME=$work/home/.config XDG_STATE_HOME=$work/home/.local/state \
   TERM=xterm-256color PORTALDESK_TOKEN=rivera $bin --sandbox-clock --portal $url"
pane=rivera wait_for "Open tickets"
tmux -L "$socket" send-keys -t rivera / ; pane=rivera wait_for "Filter the queue"
tmux -L "$socket" send-keys -t rivera -l T-1003; tmux -L "$socket" send-keys -t rivera Enter
pane=rivera wait_for "characters (v reveals)"
keys R
wait_for "agent_rivera"
shot queue-presence
keys /
wait_for "Filter the queue"
keys -l T-1003
keys Enter
wait_for "characters (v reveals)"
shot ticket
keys Escape
keys Escape
wait_for "Open tickets"
tmux -L "$socket" send-keys -t rivera q
# The ticket whose client types the DOB day-first.
keys A
wait_for "Search by name"
keys -l "$(curl -s -H 'Authorization: Bearer sandbox' "$url/api/v1/tickets?status=open" |
  python3 -c 'import json,sys; d=json.load(sys.stdin); d=d if isinstance(d,list) else d.get("items", d.get("tickets")); print([t for t in d if "birth" in t["subject"].lower()][0]["account_id"])')"
wait_for "1 found"
keys Enter
wait_for "Why they cannot get in"
shot account
# Revealed (sandbox data), so the picture shows the comparison itself.
keys v
wait_for "v: mask"
keys d
wait_for "DOB compare"
dob=$(curl -s -H 'Authorization: Bearer sandbox' "$url/api/v1/accounts/$(screen | grep -o 'acc_[0-9]*' | head -1)" |
  python3 -c 'import json,sys; y,m,d=json.load(sys.stdin)["dob"].split("-"); print(f"{int(d)}/{int(m)}/{y}")')
# The field starts with what the client wrote in the ticket: typed anew.
keys C-u
keys -l "$dob"
wait_for "Portal accepts it"
shot dob-compare
keys Escape
# The ticket whose link a mail scanner opened first: its invite timeline.
keys /
wait_for "Search by name"
keys C-u
keys -l "$(curl -s -H 'Authorization: Bearer sandbox' "$url/api/v1/tickets?status=open" |
  python3 -c 'import json,sys; d=json.load(sys.stdin); d=d if isinstance(d,list) else d.get("items", d.get("tickets")); print([t for t in d if "never saw it" in t["subject"]][0]["account_id"])')"
wait_for "1 found"
keys Enter
wait_for "Why they cannot get in"
keys Enter
wait_for "scanner"
shot timeline
keys Escape
keys q
