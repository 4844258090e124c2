"""Misbehaving downstreams and misbehaving clients, over raw stdio JSON lines (`switchyard stdio`)."""

from __future__ import annotations

import json
import os
import signal
import threading
import time

import pytest

from gateway import JsonRpcError
from support import children_of, fake_config, pid_alive, requires_binary, wait_until

pytestmark = requires_binary
RESTART = {"restart": {"policy": "on-failure"}}
KNOWN_STATES = {"ready", "starting", "backoff", "failed", "stopped", "disabled"}


def failure_text(response: dict) -> str | None:
    """The message of a failed tools/call: a JSON-RPC error or an isError result; None if it succeeded."""
    if "error" in response:
        return response["error"].get("message", "") + " " + json.dumps(response["error"].get("data"))
    result = response["result"]
    if result.get("isError"):
        return " ".join(c.get("text", "") for c in result.get("content", []))
    return None


def wait_tool_works(gw, name: str, args: dict, timeout: float = 20) -> dict:
    def attempt():
        try:
            result = gw.call_tool(name, args, timeout=5)
        except JsonRpcError:
            return None
        return None if result.get("isError") else result
    return wait_until(attempt, timeout, f"{name} never worked again")


def test_crash_mid_call_errors_promptly_then_tools_return(servers_dir, stdio_gateway):
    servers_dir.write("fake", fake_config(**RESTART))
    gw = stdio_gateway()
    wait_tool_works(gw, "fake__echo", {"text": "up"})
    seen = len(gw.notifications)
    started = time.monotonic()
    rid = gw.start_request("tools/call", {"name": "fake__crash", "arguments": {}})
    response = gw.wait_response(rid, timeout=5)
    assert time.monotonic() - started < 5
    text = failure_text(response)
    assert text, f"a crashed downstream must fail the call, got {response}"
    assert "fake" in text, f"the error should name the server: {text!r}"
    gw.wait_notification("notifications/tools/list_changed", timeout=10, since=seen)
    assert wait_tool_works(gw, "fake__echo", {"text": "back"})["structuredContent"] == {"echoed": "back"}
    assert gw.servers()["fake"]["restarts"] >= 1


def test_killed_child_fails_inflight_call(servers_dir, stdio_gateway, tmp_path):
    pid_file = tmp_path / "fake.pid"
    servers_dir.write("fake", fake_config("--pid-file", str(pid_file), **RESTART))
    gw = stdio_gateway()
    wait_tool_works(gw, "fake__echo", {"text": "up"})
    pid = int(pid_file.read_text())
    rid = gw.start_request("tools/call", {"name": "fake__slow", "arguments": {"seconds": 60}})
    os.kill(pid, signal.SIGKILL)
    started = time.monotonic()
    response = gw.wait_response(rid, timeout=5)
    assert time.monotonic() - started < 5 and failure_text(response)
    wait_tool_works(gw, "fake__echo", {"text": "back"})
    assert int(pid_file.read_text()) != pid


def test_cancellation_is_forwarded(servers_dir, stdio_gateway, tmp_path):
    log = tmp_path / "received.jsonl"
    servers_dir.write("fake", fake_config("--log-file", str(log)))
    gw = stdio_gateway()
    wait_tool_works(gw, "fake__echo", {"text": "up"})
    rid = gw.start_request("tools/call", {"name": "fake__slow", "arguments": {"seconds": 60}})
    lines = lambda: [json.loads(x) for x in log.read_text().splitlines()]  # noqa: E731
    wait_until(lambda: any(m.get("params", {}).get("name") == "slow" for m in lines()), 10, "slow never reached")
    gw.notify("notifications/cancelled", {"requestId": rid, "reason": "test"})
    wait_until(lambda: any(m.get("method") == "notifications/cancelled" for m in lines()), 5,
               "notifications/cancelled was not forwarded downstream")
    assert gw.call_tool("fake__echo", {"text": "after"})["structuredContent"] == {"echoed": "after"}


def test_broken_servers_are_reported_and_others_work(servers_dir, stdio_gateway):
    servers_dir.write("good", fake_config())
    servers_dir.write("garbage", fake_config("--garbage"))
    servers_dir.write("hang", fake_config("--hang-initialize", timeout_ms=2000, restart={"policy": "never"}))
    servers_dir.write("dead", fake_config("--exit-immediately", "7", restart={"policy": "never"}))
    gw = stdio_gateway()
    wait_tool_works(gw, "good__echo", {"text": "fine"})

    last: list[dict] = [{}]

    def settled():
        servers = last[0] = gw.servers()
        done = servers["hang"]["state"] in {"failed", "backoff", "stopped"} and servers["dead"]["state"] != "starting"
        return servers if done else None
    servers = wait_until(settled, 20, lambda: f"hang/dead servers never left 'starting': {last[0]}")
    assert set(servers) >= {"good", "garbage", "hang", "dead"}
    for name, info in servers.items():
        assert info["state"] in KNOWN_STATES, f"{name}: unknown state {info['state']!r}"
    for name in ("hang", "dead"):
        assert servers[name]["state"] != "ready" and servers[name]["last_error"], servers[name]
    assert "7" in servers["dead"]["last_error"], "the exit status should appear in last_error"
    names = gw.tool_names()
    assert not any(n.startswith(("hang__", "dead__")) for n in names)
    if servers["garbage"]["state"] == "ready":  # tolerating non-JSON lines is allowed; then it must work
        assert gw.call_tool("garbage__echo", {"text": "x"})["structuredContent"] == {"echoed": "x"}
    else:
        assert servers["garbage"]["last_error"]
    assert gw.call_tool("good__add", {"a": 1, "b": 2})["structuredContent"] == {"sum": 3}


def test_stderr_noise_does_not_block(servers_dir, stdio_gateway):
    servers_dir.write("noisy", fake_config("--stderr-noise"))
    gw = stdio_gateway()
    wait_tool_works(gw, "noisy__echo", {"text": "up"})
    for i in range(300):  # ~300 KB of synchronous stderr: a gateway that does not drain it would hang us
        assert gw.call_tool("noisy__echo", {"text": str(i)}, timeout=5)["structuredContent"] == {"echoed": str(i)}


def test_downstream_pagination_is_followed(servers_dir, stdio_gateway):
    servers_dir.write("paged", fake_config("--page-size", "2", "--many-tools", "7"))
    gw = stdio_gateway()
    expected = {f"paged__{t}" for t in ["echo", "add", "fail", "slow", "progress", "crash", "change_tools", "env", "log"]}
    expected |= {f"paged__t{i}" for i in range(7)}
    wait_until(lambda: expected <= gw.tool_names(), 20, "not all pages' tools appeared")
    result = gw.request("tools/list")
    assert "nextCursor" not in result, "the gateway should return its whole tool list in one page"


def test_progress_passes_through(servers_dir, stdio_gateway):
    servers_dir.write("fake", fake_config())
    gw = stdio_gateway()
    wait_tool_works(gw, "fake__echo", {"text": "up"})
    seen = len(gw.notifications)
    result = gw.call_tool("fake__progress", {}, meta={"progressToken": "tok-42"})
    assert result["content"][0]["text"] == "progress done"
    progress = [n["params"] for n in gw.notifications[seen:] if n["method"] == "notifications/progress"]
    assert [p["progressToken"] for p in progress] == ["tok-42"] * 3
    assert [p["progress"] for p in progress] == [1, 2, 3]


def test_unknown_tool_is_invalid_params(servers_dir, stdio_gateway):
    servers_dir.write("fake", fake_config())
    gw = stdio_gateway()
    wait_tool_works(gw, "fake__echo", {"text": "up"})
    for name in ("fake__no_such_tool", "nope__echo", "echo", ""):
        with pytest.raises(JsonRpcError) as err:
            gw.call_tool(name, {})
        assert err.value.code == -32602, name


def test_a_child_that_closes_stdout_but_keeps_running_is_restarted(servers_dir, stdio_gateway):
    servers_dir.write("fake", fake_config())
    gw = stdio_gateway()
    wait_tool_works(gw, "fake__echo", {"text": "up"})
    before = gw.servers()["fake"]
    rid = gw.start_request("tools/call", {"name": "fake__close_stdout", "arguments": {}})
    started = time.monotonic()
    response = gw.wait_response(rid, timeout=5)
    assert time.monotonic() - started < 3, "the call waited for a timeout instead of failing at once"
    assert "closed its stdout" in response["error"]["message"], response
    assert "downstream server fake" in response["error"]["message"], response
    wait_tool_works(gw, "fake__echo", {"text": "back"})
    assert gw.servers()["fake"]["restarts"] > before["restarts"]
    # Stopped like any child: stdin closed, SIGTERM after 2 s, then SIGKILL.
    wait_until(lambda: not pid_alive(before["pid"]), 10, "the old child, which kept running, was not stopped")


def test_completion_for_a_server_without_completions_is_empty_not_an_error(servers_dir, stdio_gateway):
    servers_dir.write("fake", fake_config())  # the fixture lists a prompt and a template, and no completions
    gw = stdio_gateway(initialize=False)
    assert "completions" in gw.initialize()["capabilities"]
    wait_tool_works(gw, "fake__echo", {"text": "up"})
    for ref in ({"type": "ref/prompt", "name": "fake__greet"}, {"type": "ref/resource", "uri": "fixture://items/{id}"}):
        result = gw.request("completion/complete", {"ref": ref, "argument": {"name": "name", "value": "A"}})
        assert result == {"completion": {"values": [], "hasMore": False}}, (ref, result)


def test_resource_templates_are_named_by_server_and_listed_once(servers_dir, stdio_gateway):
    servers_dir.write("f1", fake_config())
    servers_dir.write("f2", fake_config())
    gw = stdio_gateway()
    for server in ("f1", "f2"):
        wait_tool_works(gw, f"{server}__echo", {"text": "up"})
    listed = lambda: [(t["name"], t["uriTemplate"])  # noqa: E731
                      for t in gw.request("resources/templates/list")["resourceTemplates"]]
    # Both servers list the same template: it appears once, named by the first server (where its reads go).
    wait_until(lambda: listed() == [("f1__item", "fixture://items/{id}")], 10, "templates were not named and merged")


def test_malformed_json_then_next_request_works(servers_dir, stdio_gateway):
    gw = stdio_gateway()
    gw.send_raw(b'{"jsonrpc": "2.0", "id": 1, "method": "tools/list"\n')
    bad = gw.wait_response(None, timeout=5)
    assert bad["error"]["code"] == -32700 and bad["id"] is None
    assert "servers_list" in gw.tool_names()
    gw.send_raw(b'{"no": "jsonrpc"}\n')
    assert gw.wait_response(None, timeout=5)["error"]["code"] == -32600
    assert "servers_list" in gw.tool_names()


def test_oversized_line_is_rejected_and_session_survives(servers_dir, stdio_gateway):
    servers_dir.write("fake", fake_config())
    gw = stdio_gateway()
    big = {"jsonrpc": "2.0", "id": 9999, "method": "tools/call",
           "params": {"name": "fake__echo", "arguments": {"text": "x" * (10 * 1024 * 1024)}}}
    writer = threading.Thread(target=gw.send, args=(big,), daemon=True)
    writer.start()
    writer.join(30)
    assert not writer.is_alive(), "the gateway stopped reading stdin during a 10 MB line"
    response = gw.wait_response(9999, None, timeout=10)  # the id of an oversized line may be unknowable
    assert "error" in response and response["error"]["code"] in (-32700, -32600), response
    message = response["error"]["message"].lower()
    assert any(s in message for s in ("4194304", "4 mib", "4mib", "limit", "too long", "too large")), message
    assert "servers_list" in gw.tool_names()


def test_eof_exits_zero_and_children_are_gone(servers_dir, stdio_gateway, tmp_path):
    for name in ("a", "b"):
        servers_dir.write(name, fake_config("--pid-file", str(tmp_path / f"{name}.pid")))
    gw = stdio_gateway()
    wait_until(lambda: {"a__echo", "b__echo"} <= gw.tool_names(), 20, "downstreams never came up")
    pids = [int((tmp_path / f"{n}.pid").read_text()) for n in ("a", "b")]
    pids += [p for p in children_of(gw.proc.pid) if p not in pids]  # whatever else it spawned
    gw.proc.stdin.close()
    assert gw.proc.wait(timeout=5) == 0
    wait_until(lambda: not any(pid_alive(p) for p in pids), 5, f"children {pids} still alive after gateway exit")
