#!/usr/bin/env bash
# Checks the sandbox portal against the API contract (assets/openapi.yaml)
# from outside, with schemathesis: builds portaldesk, starts a sandbox on a
# free loopback port, runs schemathesis against it, and stops the sandbox.
#
# For developers, not CI (it needs schemathesis from PyPI):
#
#     pip install schemathesis          # once (a virtualenv is fine)
#     scripts/schemathesis.sh           # extra arguments go to `schemathesis run`,
#     scripts/schemathesis.sh --max-examples 500 --seed 42
#
# Environment: SCHEMATHESIS (the command to run, default `schemathesis`),
# CARGO_TARGET_DIR (where cargo builds, default target/).
#
# scripts/schemathesis.toml widens two checks' lists of accepted rejection
# statuses with ones the contract prescribes (428 for a missing If-Match,
# 410/412/413 as rejections); see the comments there.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"

schemathesis="${SCHEMATHESIS:-schemathesis}"
if ! command -v "$schemathesis" >/dev/null 2>&1; then
    echo "schemathesis is not installed: pip install schemathesis (or set SCHEMATHESIS=/path/to/schemathesis)" >&2
    exit 2
fi

cargo build --quiet
binary="${CARGO_TARGET_DIR:-$repo/target}/debug/portaldesk"

token=sandbox
log="$(mktemp -t portaldesk-sandbox.XXXXXX)"
# Port 0: the sandbox picks a free port and prints the URL it listens on.
"$binary" sandbox serve --addr 127.0.0.1:0 --token "$token" >"$log" 2>&1 &
sandbox_pid=$!
stop_sandbox() {
    kill "$sandbox_pid" 2>/dev/null || true
    wait "$sandbox_pid" 2>/dev/null || true
    rm -f "$log"
}
trap stop_sandbox EXIT

url=""
for _ in $(seq 1 100); do
    url="$(sed -n 's/^sandbox portal listening on \(http:[^ ]*\).*/\1/p' "$log")"
    [ -n "$url" ] && break
    if ! kill -0 "$sandbox_pid" 2>/dev/null; then
        echo "the sandbox did not start:" >&2
        cat "$log" >&2
        exit 1
    fi
    sleep 0.2
done
if [ -z "$url" ]; then
    echo "the sandbox did not say where it listens within 20 s:" >&2
    cat "$log" >&2
    exit 1
fi
echo "sandbox portal at $url"

status=0
"$schemathesis" --config-file scripts/schemathesis.toml run assets/openapi.yaml \
    --url "$url" \
    -H "Authorization: Bearer $token" \
    --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance,negative_data_rejection,missing_required_header,ignored_auth \
    "$@" || status=$?
exit "$status"
