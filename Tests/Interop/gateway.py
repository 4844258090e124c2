"""Processes under test: a raw JSON-lines client for `switchyard stdio`, and `switchyard serve` on a free port."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import threading
import time
from pathlib import Path
from typing import Any, Callable

from support import free_port, port_open, switchyard_bin


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


def gateway_env(servers_dir: Path, extra: dict[str, str] | None) -> dict[str, str]:
    """The gateway's environment: ours, its usage database beside the test's servers.d (not the user's data
    directory), then the test's own variables."""
    return {**os.environ, "SWITCHYARD_DATABASE": str(Path(servers_dir).parent / "switchyard.db"), **(extra or {})}


class RawStdioClient:
    """Drives `switchyard stdio` with raw JSON lines. Records everything it receives (for schema checks)."""

    def __init__(self, servers_dir: Path, *extra_args: str, env: dict[str, str] | None = None):
        argv = [str(switchyard_bin()), "stdio", "--servers-dir", str(servers_dir), "--log-level", "debug", *extra_args]
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     env=gateway_env(servers_dir, env))
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
                                     stderr=subprocess.PIPE, env=gateway_env(servers_dir, env))
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
