"""Helpers for the routing-core interop tests (test_openai_api.py, test_model_tools.py): the `fake-provider` program,
a `switchyard serve` with routing settings pointing at it, and small readers for usage rows and SSE streams.

Every model name a test sends is unique (`unique()`), because the fake counts requests per model name and Switchyard
keeps health per model (a 429 with `Retry-After` makes that model unavailable for a while): tests sharing one
gateway and one fake never see each other's traffic.
"""

from __future__ import annotations

import itertools
import json
import os
import queue
import sqlite3
import subprocess
import threading
import time
import uuid
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, AsyncIterator

import httpx2
import openai
import pytest
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

from gateway import HttpGateway, StderrDrain, stop_process
from support import REPO_ROOT, switchyard_bin, wait_until

FAKE_KEY = "fake-key-for-interop"
_counter = itertools.count(1)
_run = uuid.uuid4().hex[:6]


def fake_provider_bin() -> Path:
    """`$FAKE_PROVIDER_BIN`, else `fake-provider` next to the switchyard binary."""
    env = os.environ.get("FAKE_PROVIDER_BIN")
    if env:
        path = Path(env)
        return path if path.is_absolute() else REPO_ROOT / path
    return switchyard_bin().parent / "fake-provider"


requires_fake_provider = pytest.mark.skipif(
    not os.access(fake_provider_bin(), os.X_OK),
    reason=f"fake-provider binary not built: {fake_provider_bin()} (run `swift build` or set FAKE_PROVIDER_BIN)",
)


def unique(base: str = "m") -> str:
    """A model base name no other test uses (the fake answers with it: `Fake answer from <name>: …`)."""
    return f"{base}-{_run}-{next(_counter)}"


def fake_answer(model_name: str, prompt: str) -> str:
    """What the fake answers for `model_name` (the provider's model name, directives included)."""
    return f"Fake answer from {model_name}: " + " ".join(prompt.split())


class FakeProvider:
    """`fake-provider --port 0`, with the port read from its one stdout line (deadline, never a fixed sleep)."""

    def __init__(self, timeout: float = 15):
        self.proc = subprocess.Popen([str(fake_provider_bin()), "--host", "127.0.0.1", "--port", "0"],
                                     stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.stderr = StderrDrain(self.proc.stderr)
        lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=lambda: [lines.put(raw.decode()) for raw in self.proc.stdout], daemon=True).start()
        try:
            line = lines.get(timeout=timeout)
        except queue.Empty:
            stop_process(self.proc)
            raise AssertionError(f"fake-provider printed nothing within {timeout}s:\n{self.stderr.tail()}")
        prefix = "listening on "
        assert line.startswith(prefix), f"unexpected first line from fake-provider: {line!r}"
        self.root = line[len(prefix):].strip()
        self.port = int(self.root.rsplit(":", 1)[1])
        self.http = httpx2.Client(base_url=self.root, timeout=10)

    def stats(self) -> dict[str, Any]:
        response = self.http.get("/fake/stats")
        response.raise_for_status()
        return response.json()

    def count(self, model_name: str) -> int:
        """Requests the fake received for `model_name` (the provider-side name, directives included)."""
        return self.stats()["requests"].get(model_name, 0)

    def close(self) -> None:
        self.http.close()
        stop_process(self.proc)
        assert self.proc.returncode == 0, f"fake-provider exited {self.proc.returncode}:\n{self.stderr.tail()}"


def routing_settings(fake: FakeProvider, **overrides: Any) -> dict[str, Any]:
    """Settings with the three provider kinds on the fake, a priced model, a tool-capable model and an alias."""
    settings: dict[str, Any] = {
        "providers": {
            "fake": {"kind": "openai", "base_url": f"{fake.root}/v1"},
            "fakeant": {"kind": "anthropic", "base_url": f"{fake.root}/v1", "api_key_env": "FAKE_KEY"},
            "fakegem": {"kind": "gemini", "base_url": f"{fake.root}/v1beta", "api_key_env": "FAKE_KEY"},
        },
        "models": {
            "fake/cheap": {"pricing": {"input": 1, "output": 2}, "context_length": 32000, "max_output_tokens": 4096},
            "fake/toolful": {"supports_tools": True, "supports_json_schema": True},
        },
        "aliases": {"pool": {"strategy": "priority", "targets": ["fake/m1+status-429", "fakeant/claude-x"]}},
        "default_model": "fake/default",
        "database": "usage.db",
    }
    settings.update(overrides)
    return settings


class RoutingGateway(HttpGateway):
    """`switchyard serve --config <workdir>/switchyard.json` (the usage database is `<workdir>/usage.db`)."""

    def __init__(self, workdir: Path, settings: dict[str, Any], *extra_args: str, env: dict[str, str] | None = None):
        workdir.mkdir(parents=True, exist_ok=True)
        (workdir / "servers.d").mkdir(exist_ok=True)
        self.workdir = workdir
        self.config = workdir / "switchyard.json"
        self.config.write_text(json.dumps(settings, indent=2))
        self.db_path = workdir / settings.get("database", "switchyard.db")
        super().__init__(workdir / "servers.d", "--config", str(self.config), *extra_args,
                         env={"FAKE_KEY": FAKE_KEY, **(env or {})})
        self.base = f"http://127.0.0.1:{self.port}"
        self.api = f"{self.base}/v1"
        self.http = httpx2.Client(base_url=self.base, timeout=20)
        self._clients: list[httpx2.Client] = []

    def client(self, secret: str | None = None, **options: Any) -> httpx2.Client:
        """An HTTP client on this gateway that sends `Authorization: Bearer <secret>` (none without a secret);
        closed with the gateway."""
        options.setdefault("timeout", 20)
        client = httpx2.Client(base_url=self.base, headers=bearer(secret), **options)
        self._clients.append(client)
        return client

    def openai(self, **options: Any) -> openai.OpenAI:
        """An OpenAI SDK client on this gateway. No SDK retries: a test must see exactly what Switchyard answered."""
        options.setdefault("max_retries", 0)
        options.setdefault("timeout", 20)
        options.setdefault("api_key", "unused")
        return openai.OpenAI(base_url=self.api, **options)

    def generation(self, gen_id: str, timeout: float = 10) -> dict[str, Any]:
        """`GET /v1/generation?id=…`'s `data`, polled: usage rows are written in batches after the response."""
        def fetch():
            response = self.http.get("/v1/generation", params={"id": gen_id})
            if response.status_code == 404:
                return None
            assert response.status_code == 200, f"generation {gen_id}: {response.status_code} {response.text}"
            return response.json()["data"]
        return wait_until(fetch, timeout, f"no usage row for {gen_id} within {timeout}s")

    def close(self) -> None:
        for client in self._clients:
            client.close()
        self.http.close()
        super().close()


def bearer(secret: str | None) -> dict[str, str]:
    """The header a client sends its key in (nothing for no key)."""
    return {"Authorization": f"Bearer {secret}"} if secret else {}


@asynccontextmanager
async def mcp_client(url: str, secret: str | None = None, mode: str = "legacy",
                     statuses: list[int] | None = None) -> AsyncIterator[Client]:
    """The `mcp` SDK's client over Streamable HTTP, sending `Authorization: Bearer <secret>` on every request.
    Every HTTP status the gateway answers is appended to `statuses` (the SDK turns a 401 into a generic error)."""
    async def record(response: httpx2.Response) -> None:
        if statuses is not None:
            statuses.append(response.status_code)

    async with httpx2.AsyncClient(headers=bearer(secret), timeout=httpx2.Timeout(30, read=300),
                                  event_hooks={"response": [record]}) as http:
        async with Client(streamable_http_client(url, http_client=http), mode=mode) as client:
            yield client


def usage_rows(db_path: Path, where: str = "1", params: tuple = ()) -> list[dict[str, Any]]:
    """Rows of the `usage` table, read with Python's own sqlite3 (read-only, so the gateway's file is untouched)."""
    if not db_path.exists():
        return []
    con = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=5)
    try:
        con.row_factory = sqlite3.Row
        return [dict(r) for r in con.execute(f"SELECT * FROM usage WHERE {where}", params)]
    finally:
        con.close()


def wait_usage_rows(db_path: Path, count: int, where: str, params: tuple = (), timeout: float = 10) -> list[dict]:
    """Wait until at least `count` usage rows match (rows are batched to SQLite a little after each response)."""
    def enough():
        rows = usage_rows(db_path, where, params)
        return rows if len(rows) >= count else None
    return wait_until(enough, timeout, lambda: f"want {count} rows WHERE {where} {params}, "
                                               f"have {len(usage_rows(db_path, where, params))}")


def sse_data(lines) -> list[str]:
    """The `data:` payloads of an SSE body given as an iterator of lines (multi-line data joined with \\n)."""
    events, data = [], []
    for line in lines:
        line = line.rstrip("\r\n")
        if line.startswith("data:"):
            data.append(line[5:].lstrip(" "))
        elif line == "" and data:
            events.append("\n".join(data))
            data = []
    if data:
        events.append("\n".join(data))
    return events


def chat_body(model: str, prompt: str = "hello world", **extra: Any) -> dict[str, Any]:
    return {"model": model, "messages": [{"role": "user", "content": prompt}], **extra}


def wait_exit(proc: subprocess.Popen, timeout: float) -> int:
    """The exit status, waiting at most `timeout` seconds (fails the test if the process is still running)."""
    deadline = time.monotonic() + timeout
    while proc.poll() is None:
        if time.monotonic() > deadline:
            raise AssertionError(f"process {proc.pid} still running {timeout}s after SIGTERM")
        time.sleep(0.02)
    return proc.returncode
