"""Shared helpers for the interop suite: paths, a raw stdio JSON-RPC client, gateway processes, servers.d builders.

Everything waits on events with deadlines; nothing sleeps a fixed time except short polling intervals.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
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


# ---- processes ---------------------------------------------------------------------------------------------

class StderrDrain:
    """Drains a process's stderr into memory in a thread, so the process never blocks on a full pipe."""

    def __init__(self, stream):
        self.lines: list[str] = []
        self._thread = threading.Thread(target=self._run, args=(stream,), daemon=True)
        self._thread.start()

    def _run(self, stream) -> None:
        for raw in stream:
            self.lines.append(raw.decode("utf-8", "replace").rstrip("\n"))

    def tail(self, n: int = 40) -> str:
        return "\n".join(self.lines[-n:])


def stop_process(proc: subprocess.Popen, grace: float = 3.0) -> None:
    """Close stdin (when we hold it), then SIGTERM, then SIGKILL: whatever it takes, within a bounded time."""
    steps: tuple = (signal.SIGTERM, signal.SIGKILL)
    if proc.poll() is None and proc.stdin and not proc.stdin.closed:
        steps = (None, *steps)
        try:
            proc.stdin.close()
        except OSError:
            pass
    for sig in steps:
        if sig is not None and proc.poll() is None:
            proc.send_signal(sig)
        try:
            proc.wait(timeout=grace)
            return
        except subprocess.TimeoutExpired:
            continue


class JsonRpcError(AssertionError):
    def __init__(self, response: dict[str, Any]):
        super().__init__(f"JSON-RPC error: {response.get('error')}")
        self.response = response
        self.code = response["error"].get("code")


class RawStdioClient:
    """Drives `switchyard stdio` with raw JSON lines. Records everything it receives (for schema checks)."""

    def __init__(self, servers_dir: Path, *extra_args: str, env: dict[str, str] | None = None):
        argv = [str(switchyard_bin()), "stdio", "--servers-dir", str(servers_dir), "--log-level", "debug", *extra_args]
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     env={**os.environ, **(env or {})})
        self.stderr = StderrDrain(self.proc.stderr)
        self.received: list[dict[str, Any]] = []  # every message, in order
        self.non_json: list[str] = []  # stdout lines that are not JSON: always a bug
        self.notifications: list[dict[str, Any]] = []
        self.sent: dict[Any, str] = {}  # request id -> method, for every request sent with start_request
        self._responses: dict[str, dict[str, Any]] = {}
        self._cond = threading.Condition()
        self._next_id = 0
        self._eof = False
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for raw in self.proc.stdout:
            line = raw.decode("utf-8", "replace").strip()
            if not line:
                continue
            try:
                msg = json.loads(line)
            except ValueError:
                with self._cond:
                    self.non_json.append(line)
                continue
            with self._cond:
                self.received.append(msg)
                if isinstance(msg, dict) and "method" in msg and "id" not in msg:
                    self.notifications.append(msg)
                elif isinstance(msg, dict) and ("result" in msg or "error" in msg):
                    self._responses[json.dumps(msg.get("id"))] = msg
                self._cond.notify_all()
        with self._cond:
            self._eof = True
            self._cond.notify_all()

    # -- sending
    def send(self, msg: dict[str, Any]) -> None:
        self.send_raw((json.dumps(msg) + "\n").encode())

    def send_raw(self, data: bytes) -> None:
        self.proc.stdin.write(data)
        self.proc.stdin.flush()

    def new_id(self) -> int:
        self._next_id += 1
        return self._next_id

    def start_request(self, method: str, params: dict[str, Any] | None = None) -> int:
        rid = self.new_id()
        self.sent[rid] = method
        msg: dict[str, Any] = {"jsonrpc": "2.0", "id": rid, "method": method}
        if params is not None:
            msg["params"] = params
        self.send(msg)
        return rid

    def notify(self, method: str, params: dict[str, Any] | None = None) -> None:
        msg: dict[str, Any] = {"jsonrpc": "2.0", "method": method}
        if params is not None:
            msg["params"] = params
        self.send(msg)

    # -- waiting
    def wait_response(self, *rids: Any, timeout: float = 10.0) -> dict[str, Any]:
        """The response to the first of `rids` (None matches an error with `id: null`) to arrive."""
        keys = [json.dumps(r) for r in rids]
        with self._cond:
            ok = self._cond.wait_for(lambda: any(k in self._responses for k in keys) or self._eof, timeout)
            for k in keys:
                if k in self._responses:
                    return self._responses.pop(k)
        why = "gateway closed stdout" if ok else f"no response within {timeout}s"
        raise AssertionError(f"{why} for id {rids}; stderr tail:\n{self.stderr.tail()}")

    def request(self, method: str, params: dict[str, Any] | None = None, timeout: float = 10.0) -> dict[str, Any]:
        """Send a request and return its `result`; raise JsonRpcError on an error response."""
        response = self.wait_response(self.start_request(method, params), timeout=timeout)
        if "error" in response:
            raise JsonRpcError(response)
        return response["result"]

    def wait_notification(self, method: str, timeout: float = 10.0, since: int = 0,
                          match: Callable[[dict[str, Any]], bool] = lambda n: True) -> dict[str, Any]:
        """First notification `method` at index >= `since` in `self.notifications` that satisfies `match`."""
        def found():
            for n in self.notifications[since:]:
                if n.get("method") == method and match(n):
                    return n
            return None
        with self._cond:
            if self._cond.wait_for(lambda: found() is not None or self._eof, timeout) and found() is not None:
                return found()
        raise AssertionError(f"no {method} within {timeout}s; got {[n.get('method') for n in self.notifications]}")

    # -- MCP conveniences
    def initialize(self, version: str = "2025-11-25") -> dict[str, Any]:
        result = self.request("initialize", {"protocolVersion": version, "capabilities": {},
                                             "clientInfo": {"name": "switchyard-interop", "version": "0"}})
        self.notify("notifications/initialized")
        return result

    def tool_names(self) -> set[str]:
        return {t["name"] for t in self.request("tools/list")["tools"]}

    def call_tool(self, name: str, arguments: dict[str, Any] | None = None, timeout: float = 10.0,
                  meta: dict[str, Any] | None = None) -> dict[str, Any]:
        params: dict[str, Any] = {"name": name, "arguments": arguments or {}}
        if meta:
            params["_meta"] = meta
        return self.request("tools/call", params, timeout)

    def servers(self) -> dict[str, dict[str, Any]]:
        result = self.call_tool("servers_list")
        return {s["name"]: s for s in result["structuredContent"]["servers"]}

    def close(self, timeout: float = 5.0) -> int | None:
        stop_process(self.proc, grace=timeout)
        return self.proc.returncode


class HttpGateway:
    """`switchyard serve` on a free port; `url` is the MCP endpoint."""

    def __init__(self, servers_dir: Path, *extra_args: str, env: dict[str, str] | None = None):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/mcp"
        argv = [str(switchyard_bin()), "serve", "--listen", f"127.0.0.1:{self.port}",
                "--servers-dir", str(servers_dir), *extra_args]
        self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, env={**os.environ, **(env or {})})
        self.stdout = StderrDrain(self.proc.stdout)
        self.stderr = StderrDrain(self.proc.stderr)
        deadline = time.monotonic() + 15
        while not port_open(self.port):
            if self.proc.poll() is not None:
                raise AssertionError(f"switchyard serve exited {self.proc.returncode}:\n{self.stderr.tail()}")
            if time.monotonic() > deadline:
                raise AssertionError(f"switchyard serve not listening on {self.port} after 15s")
            time.sleep(0.05)

    def close(self) -> None:
        stop_process(self.proc)
