#!/usr/bin/env bash
# Runs Switchyard from a fresh Debian machine: installs the Debian packages, sets up .venv (which holds the example
# downstream server, mcp-server-time), builds a release binary, and starts the gateway with the shipped servers.d.
#   scripts/run.sh                 # Streamable HTTP on http://127.0.0.1:8787/mcp
#   scripts/run.sh stdio           # MCP on stdin/stdout (what Claude Code and Cline launch)
#   scripts/run.sh serve --listen 127.0.0.1:9000
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
{
    scripts/install-deps.sh
    scripts/setup-venv.sh
    swift build -c release --product switchyard
} 1>&2   # stdout belongs to the MCP protocol in stdio mode
export SWITCHYARD_HOME="$root"
mode="${1:-serve}"
[ $# -gt 0 ] && shift
exec "$root/.build/release/switchyard" "$mode" --servers-dir "$root/servers.d" "$@"
