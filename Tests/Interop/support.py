"""Shared helpers for the interop suite: paths, waiting with deadlines, ports and processes, servers.d builders.

Everything waits on events with deadlines; nothing sleeps a fixed time except short polling intervals.
"""

from __future__ import annotations

import json
import os
import socket
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
FIXTURES = REPO_ROOT / "Tests" / "fixtures"
FAKE_SERVER = FIXTURES / "fake_mcp_server.py"
VENV_BIN = Path(sys.executable).parent
TOOL_NAME_RE = r"^[a-zA-Z0-9_-]{1,64}$"


def switchyard_bin() -> Path:
    path = Path(os.environ.get("SWITCHYARD_BIN", ".build/debug/switchyard"))
    return path if path.is_absolute() else REPO_ROOT / path


requires_binary = pytest.mark.skipif(
    not os.access(switchyard_bin(), os.X_OK),
    reason=f"switchyard binary not built: {switchyard_bin()} (run `swift build` or set SWITCHYARD_BIN)",
)


def schema_dir() -> Path:
    env = os.environ.get("MCP_SCHEMA_DIR")
    if not env:
        return FIXTURES / "mcp-schema"
    path = Path(env)
    return path if path.is_absolute() else REPO_ROOT / path


def console_script(name: str) -> str:
    """Path of a console script installed in the running venv (mcp-server-time, mcp-server-git)."""
    path = VENV_BIN / name
    if not path.exists():
        pytest.skip(f"{name} is not installed in {VENV_BIN} (run scripts/setup-venv.sh)")
    return str(path)


def wait_until(predicate: Callable[[], Any], timeout: float, message: str | Callable[[], str],
               interval: float = 0.05) -> Any:
    """Poll `predicate` until it returns a truthy value or the deadline passes (then fail with `message`)."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out after {timeout}s: {message() if callable(message) else message}")
        time.sleep(interval)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def port_open(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return True
    except OSError:
        return False


def children_of(pid: int) -> list[int]:
    """Direct children of `pid`, read from /proc (Linux)."""
    kids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rfind(")") + 2:].split()
        if len(fields) > 1 and int(fields[1]) == pid:
            kids.append(int(entry.name))
    return kids


def pid_alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat[stat.rfind(")") + 2] != "Z"  # a zombie has exited


# ---- servers.d ---------------------------------------------------------------------------------------------

def fake_config(*flags: str, **extra: Any) -> dict[str, Any]:
    """Config for a fake_mcp_server.py downstream (stdio) with the given command-line flags."""
    return {"command": sys.executable, "args": [str(FAKE_SERVER), *flags], **extra}


def time_config() -> dict[str, Any]:
    return {"command": console_script("mcp-server-time"), "args": ["--local-timezone", "UTC"]}


def git_config(repo: Path) -> dict[str, Any]:
    return {"command": console_script("mcp-server-git"), "args": ["--repository", str(repo)]}


class ServersDir:
    """A servers.d directory; writes are atomic (temp file + rename) so a watcher never sees half a file."""

    def __init__(self, path: Path):
        self.path = path
        path.mkdir(parents=True, exist_ok=True)

    def write(self, name: str, config: dict[str, Any]) -> Path:
        return self.write_raw(name, json.dumps(config, indent=2))

    def write_raw(self, name: str, text: str) -> Path:
        target = self.path / f"{name}.json"
        fd, tmp = tempfile.mkstemp(dir=self.path, prefix=".tmp-", suffix=".partial")
        with os.fdopen(fd, "w") as f:
            f.write(text)
        os.replace(tmp, target)
        return target

    def remove(self, name: str) -> None:
        (self.path / f"{name}.json").unlink()
