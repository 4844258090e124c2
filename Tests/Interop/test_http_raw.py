"""Streamable HTTP at the byte level (`switchyard serve`), with http.client so every header and socket is explicit."""

from __future__ import annotations

import http.client
import json
import queue
import signal
import threading
import time

import pytest

from support import fake_config, pid_alive, requires_binary, wait_until

pytestmark = requires_binary
ACCEPT = "application/json, text/event-stream"
INIT = {"jsonrpc": "2.0", "id": 1, "method": "initialize",
        "params": {"protocolVersion": "2025-11-25", "capabilities": {},
                   "clientInfo": {"name": "raw-http", "version": "0"}}}


class Reply:
    def __init__(self, resp: http.client.HTTPResponse):
        self.status = resp.status
        self.headers = {k.lower(): v for k, v in resp.getheaders()}
        self.message = None
        if self.headers.get("content-type", "").startswith("text/event-stream"):
            for event in sse_events(resp):
                if "id" in event and ("result" in event or "error" in event):
                    self.message = event
                    break
        body = resp.read()  # drain the rest so the connection can be reused
        if self.message is None and body.strip() and "json" in self.headers.get("content-type", ""):
            self.message = json.loads(body)


def sse_events(resp: http.client.HTTPResponse):
    """Yield each SSE `data:` payload (parsed JSON) from a response, ignoring comments and other fields."""
    data: list[str] = []
    while True:
        line = resp.readline()
        if not line:
            return
        line = line.decode().rstrip("\r\n")
        if line.startswith("data:"):
            data.append(line[5:].lstrip(" "))
        elif line == "" and data:
            yield json.loads("\n".join(data))
            data = []


class Http:
    def __init__(self, gw):
        self.port = gw.port
        self.conn = http.client.HTTPConnection("127.0.0.1", gw.port, timeout=15)

    def send(self, method: str, body=None, session: str | None = None, headers: dict | None = None) -> Reply:
        h = {"Accept": ACCEPT, "Content-Type": "application/json"}
        if session:
            h["Mcp-Session-Id"] = session
            h["MCP-Protocol-Version"] = "2025-11-25"
        h.update(headers or {})
        payload = body if isinstance(body, (bytes, type(None))) else json.dumps(body).encode()
        self.conn.request(method, "/mcp", body=payload, headers=h)
        return Reply(self.conn.getresponse())

    def initialize(self) -> str:
        reply = self.send("POST", INIT)
        assert reply.status == 200, reply.status
        session = reply.headers.get("mcp-session-id")
        assert session and session.isprintable() and session.isascii(), f"bad Mcp-Session-Id: {session!r}"
        assert reply.message["result"]["protocolVersion"] == "2025-11-25"
        assert self.send("POST", {"jsonrpc": "2.0", "method": "notifications/initialized"}, session).status == 202
        return session

    def close(self):
        self.conn.close()


@pytest.fixture
def raw(servers_dir, http_gateway):
    servers_dir.write("fake", fake_config())
    client = Http(http_gateway())
    yield client
    client.close()


def tools_list(rid=2):
    return {"jsonrpc": "2.0", "id": rid, "method": "tools/list"}


def test_session_lifecycle_statuses(raw):
    session = raw.initialize()
    assert raw.send("POST", tools_list()).status == 400, "missing Mcp-Session-Id must be 400"
    assert raw.send("POST", tools_list(), "no-such-session").status == 404, "unknown session must be 404"
    ok = raw.send("POST", tools_list(), session)
    assert ok.status == 200 and "servers_list" in {t["name"] for t in ok.message["result"]["tools"]}
    bad_version = raw.send("POST", tools_list(3), session, {"MCP-Protocol-Version": "1999-01-01"})
    assert bad_version.status == 400, "an unsupported MCP-Protocol-Version must be 400"
    assert raw.send("DELETE", None, session).status in (200, 204)
    assert raw.send("POST", tools_list(4), session).status == 404, "a deleted session must be 404"


def test_bad_origin_is_403_and_local_origin_is_fine(raw):
    assert raw.send("POST", INIT, headers={"Origin": "http://evil.example"}).status == 403
    local = raw.send("POST", INIT, headers={"Origin": f"http://127.0.0.1:{raw.port}"})
    assert local.status == 200 and local.headers.get("mcp-session-id")


def test_wrong_accept_is_406(raw):
    assert raw.send("POST", INIT, headers={"Accept": "text/html"}).status == 406
    session = raw.initialize()
    assert raw.send("POST", tools_list(), session, {"Accept": "application/xml"}).status == 406


def test_notification_post_is_202_without_body(raw):
    session = raw.initialize()
    reply = raw.send("POST", {"jsonrpc": "2.0", "method": "notifications/cancelled",
                               "params": {"requestId": 12345}}, session)
    assert reply.status == 202 and reply.message is None


def slow_call_in_background(port: int, session: str, rid: int, accept: str) -> tuple[threading.Thread, dict]:
    """POSTs a 20 s `fake__slow` call on its own connection; the thread fills `out` with what came back."""
    out: dict = {}

    def run() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=15)
        conn.request("POST", "/mcp", headers={"Accept": accept, "Content-Type": "application/json",
                                              "Mcp-Session-Id": session, "MCP-Protocol-Version": "2025-11-25"},
                     body=json.dumps({"jsonrpc": "2.0", "id": rid, "method": "tools/call",
                                      "params": {"name": "fake__slow", "arguments": {"seconds": 20}}}))
        resp = conn.getresponse()
        out.update(status=resp.status, type=resp.getheader("Content-Type"), body=resp.read())
        conn.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, out


@pytest.mark.parametrize("accept", [ACCEPT, "application/json"])
def test_a_cancelled_or_orphaned_post_ends_instead_of_hanging(raw, accept):
    session = raw.initialize()
    wait_until(lambda: "fake__slow" in {t["name"] for t in raw.send("POST", tools_list(), session).message["result"]["tools"]},
               20, "the fake server never came up")
    thread, out = slow_call_in_background(raw.port, session, 7, accept)
    time.sleep(0.5)
    cancel = {"jsonrpc": "2.0", "method": "notifications/cancelled", "params": {"requestId": 7, "reason": "test"}}
    assert raw.send("POST", cancel, session).status == 202
    thread.join(5)
    assert not thread.is_alive(), "the cancelled request's POST never ended"
    # No JSON-RPC response for a cancelled request: an empty event stream, or 204 for a JSON-only client.
    expected = (200, "text/event-stream") if "event-stream" in accept else (204, None)
    assert (out["status"], out["type"]) == expected and out["body"] == b"", out

    thread, out = slow_call_in_background(raw.port, session, 8, accept)
    time.sleep(0.5)
    assert raw.send("DELETE", None, session).status in (200, 204)
    thread.join(5)
    assert not thread.is_alive(), "a POST of a deleted session never ended"
    assert out["status"] in (200, 204) and out["body"] == b"", out


def test_an_unsupported_version_is_answered_with_the_versions_we_speak(raw):
    meta = {"io.modelcontextprotocol/protocolVersion": "2099-01-01"}
    reply = raw.send("POST", {"jsonrpc": "2.0", "id": 3, "method": "tools/list", "params": {"_meta": meta}})
    assert reply.status == 400 and reply.message["error"]["code"] == -32022, (reply.status, reply.message)
    assert "2026-07-28" in reply.message["error"]["data"]["supported"]
    assert reply.message["error"]["data"]["requested"] == "2099-01-01"
    header = raw.send("POST", tools_list(4), headers={"MCP-Protocol-Version": "2099-01-01"})
    assert header.status == 400 and header.message["error"]["code"] == -32022, (header.status, header.message)


def test_listen_needs_an_event_stream(raw):
    meta = {"io.modelcontextprotocol/protocolVersion": "2026-07-28"}
    reply = raw.send("POST", {"jsonrpc": "2.0", "id": 5, "method": "subscriptions/listen",
                              "params": {"_meta": meta, "notifications": {"toolsListChanged": True}}},
                     headers={"Accept": "application/json", "MCP-Protocol-Version": "2026-07-28"})
    assert reply.status == 406, reply.status


def test_malformed_body_then_same_connection_works(raw):
    session = raw.initialize()
    sock = raw.conn.sock
    bad = raw.send("POST", b'{"jsonrpc": "2.0", "id": 5, "method": ', session)
    assert bad.status in (200, 400)
    assert bad.message["error"]["code"] == -32700 and bad.message["id"] is None
    assert raw.conn.sock is sock, "the server closed the keep-alive connection after a parse error"
    ok = raw.send("POST", tools_list(6), session)
    assert ok.status == 200 and ok.message["id"] == 6
    assert raw.conn.sock is sock


def test_get_stream_delivers_tools_list_changed(raw):
    session = raw.initialize()
    stream = http.client.HTTPConnection("127.0.0.1", raw.port, timeout=20)
    stream.request("GET", "/mcp", headers={"Accept": "text/event-stream", "Mcp-Session-Id": session,
                                          "MCP-Protocol-Version": "2025-11-25"})
    resp = stream.getresponse()
    assert resp.status == 200 and resp.getheader("Content-Type", "").startswith("text/event-stream")
    events: queue.Queue = queue.Queue()

    def pump():
        try:
            for event in sse_events(resp):
                events.put(event)
        except Exception:  # noqa: BLE001 - the stream is closed under this reader at the end of the test
            pass
    threading.Thread(target=pump, daemon=True).start()

    added = raw.send("POST", {"jsonrpc": "2.0", "id": 7, "method": "tools/call",
                               "params": {"name": "servers_add",
                                          "arguments": {"name": "added", "config": fake_config()}}}, session)
    assert added.status == 200 and "result" in added.message, added.message
    deadline = time.monotonic() + 15
    while True:
        remaining = deadline - time.monotonic()
        assert remaining > 0, "no notifications/tools/list_changed on the GET stream within 15s"
        try:
            event = events.get(timeout=remaining)
        except queue.Empty:
            continue
        if event.get("method") == "notifications/tools/list_changed":
            break
    stream.close()



def test_sigterm_stops_server_and_children(servers_dir, http_gateway, tmp_path):
    servers_dir.write("fake", fake_config("--pid-file", str(tmp_path / "fake.pid")))
    gw = http_gateway()
    wait_until(lambda: (tmp_path / "fake.pid").exists(), 20, "the downstream never started")
    child = int((tmp_path / "fake.pid").read_text())
    gw.proc.send_signal(signal.SIGTERM)
    assert gw.proc.wait(timeout=5) == 0, "serve should exit 0 on SIGTERM"
    wait_until(lambda: not pid_alive(child), 5, f"downstream {child} outlived the gateway")
