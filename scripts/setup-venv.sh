#!/usr/bin/env bash
# Create (or refresh) the repo's Python test venv at .venv and install requirements-test.txt.
# Idempotent: a stamp file in the venv holds a hash of the requirements file and of the Python
# version; when both match and the venv's interpreter runs, nothing is done.
# Usage: scripts/setup-venv.sh   (env PYTHON=python3.12 to pick the interpreter)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="$root/.venv"
req="$root/requirements-test.txt"
stamp="$venv/.requirements.stamp"
py="${PYTHON:-python3}"

want="$("$py" - "$req" <<'PY'
import hashlib, sys
data = open(sys.argv[1], "rb").read() + sys.version.encode()
print(hashlib.sha256(data).hexdigest())
PY
)"

if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && "$venv/bin/python" -c '' 2>/dev/null; then
    echo "setup-venv: $venv is up to date"
    exit 0
fi

if ! "$venv/bin/python" -c '' 2>/dev/null; then
    rm -rf "$venv"
    "$py" -m venv "$venv"
fi
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$req"
echo "$want" > "$stamp"
echo "setup-venv: installed $(basename "$req") into $venv"
