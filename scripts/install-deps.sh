#!/usr/bin/env bash
# Installs the Debian packages Switchyard builds against (libuv, libcurl, SQLite, http-parser) and what the tests
# need (python3-venv, git for mcp-server-git). Skips what is already installed. Uses sudo when not root.
set -euo pipefail
packages=(libuv1-dev libcurl4-openssl-dev libsqlite3-dev libhttp-parser-dev pkg-config python3-venv git curl)
missing=()
for package in "${packages[@]}"; do
    dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done
# python3-venv is not needed when the python3 on PATH is not Debian's (pyenv and friends bring venv with them).
if [ "${#missing[@]}" -gt 0 ] && python3 -c 'import venv, ensurepip' 2>/dev/null; then
    filtered=()
    for package in "${missing[@]}"; do [ "$package" = python3-venv ] || filtered+=("$package"); done
    missing=("${filtered[@]+"${filtered[@]}"}")
fi
if [ "${#missing[@]}" -eq 0 ]; then
    echo "install-deps: all Debian packages present"
    exit 0
fi
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "install-deps: installing ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
