"""servers.d: hot reload, validation, `${VAR:-default}` expansion, filters, multi-server files, runtime management."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys

import pytest

from gateway import JsonRpcError, stop_process
from support import TOOL_NAME_RE, fake_config, free_port, port_open, requires_binary, switchyard_bin, wait_until

pytestmark = requires_binary


def names_with(gw, prefix: str) -> set[str]:
    return {n for n in gw.tool_names() if n.startswith(prefix)}


def test_hot_reload_add_edit_remove(servers_dir, stdio_gateway):
    servers_dir.write("a", fake_config())
    gw = stdio_gateway()
    wait_until(lambda: "a__echo" in gw.tool_names(), 20, "a never came up")

    seen = len(gw.notifications)
    servers_dir.write("b", fake_config())
    gw.wait_notification("notifications/tools/list_changed", timeout=15, since=seen)
    wait_until(lambda: "b__echo" in gw.tool_names(), 15, "added file b.json: b__echo never appeared")
    assert gw.call_tool("b__echo", {"text": "new"})["structuredContent"] == {"echoed": "new"}

    seen = len(gw.notifications)
    servers_dir.write("b", fake_config("--tools-prefix", "v2_"))
    gw.wait_notification("notifications/tools/list_changed", timeout=15, since=seen)
    wait_until(lambda: "b__v2_echo" in gw.tool_names() and "b__echo" not in gw.tool_names(), 15,
               "edited b.json: tools were not replaced")

    seen = len(gw.notifications)
    servers_dir.remove("b")
    gw.wait_notification("notifications/tools/list_changed", timeout=15, since=seen)
    wait_until(lambda: not names_with(gw, "b__"), 15, "removed b.json: b's tools are still listed")
    assert "b" not in gw.servers()
    assert gw.call_tool("a__echo", {"text": "still"})["structuredContent"] == {"echoed": "still"}


def test_a_directory_replaced_or_created_later_is_still_watched(servers_dir, stdio_gateway):
    root = servers_dir.path
    shutil.rmtree(root)  # missing at start: nothing loads, but its creation is noticed
    gw = stdio_gateway()
    root.mkdir()
    (root / "late.json").write_text(json.dumps(fake_config()))
    wait_until(lambda: "late__echo" in gw.tool_names(), 15, "a directory created after start was never loaded")
    # A deploy tool renames a new directory into place: the watcher must follow the new one.
    staged = root.parent / (root.name + ".new")
    staged.mkdir()
    (staged / "swapped.json").write_text(json.dumps(fake_config()))
    root.rename(root.parent / (root.name + ".old"))
    staged.rename(root)
    wait_until(lambda: "swapped__echo" in gw.tool_names() and not names_with(gw, "late__"), 15,
               "the swapped-in directory was not loaded")
    (root / "after.json").write_text(json.dumps(fake_config()))
    wait_until(lambda: "after__echo" in gw.tool_names(), 15, "a file added to the swapped-in directory was ignored")


def test_invalid_files_are_named_and_others_still_start(servers_dir, stdio_gateway):
    servers_dir.write("good", fake_config())
    servers_dir.write("badtype", {"command": 42})
    servers_dir.write("badrestart", {**fake_config(), "restart": {"policy": "sometimes"}})
    servers_dir.write_raw("broken", '{"command": "x",')
    listing = subprocess.run([str(switchyard_bin()), "servers", "--servers-dir", str(servers_dir.path)],
                             capture_output=True, text=True, timeout=30)
    out = listing.stdout + listing.stderr
    assert "good" in out
    for needle in ("badtype.json", "command", "badrestart.json", "policy", "broken.json"):
        assert needle in out, f"`switchyard servers` output does not mention {needle!r}:\n{out}"
    gw = stdio_gateway()
    wait_until(lambda: "good__echo" in gw.tool_names(), 20, "the valid server did not start")
    assert not [n for n in gw.tool_names() if n.startswith(("badtype__", "badrestart__", "broken__"))]


def test_env_expansion(servers_dir, stdio_gateway):
    servers_dir.write("fake", fake_config(env={"GREETING": "${SY_TEST_GREETING:-fallback}",
                                               "PLAIN": "${SY_TEST_SURELY_UNSET:-dflt}",
                                               "LITERAL": "no expansion here"}))
    gw = stdio_gateway(env={"SY_TEST_GREETING": "hello from env"})
    wait_until(lambda: "fake__env" in gw.tool_names(), 20, "fake never came up")
    value = lambda name: gw.call_tool("fake__env", {"name": name})["content"][0]["text"]  # noqa: E731
    assert value("GREETING") == "hello from env"
    assert value("PLAIN") == "dflt"
    assert value("LITERAL") == "no expansion here"


def test_mcp_servers_file_defines_several(servers_dir, stdio_gateway):
    servers_dir.write("desktop", {"mcpServers": {"one": fake_config(), "two": fake_config("--many-tools", "1")}})
    gw = stdio_gateway()
    wait_until(lambda: {"one__echo", "two__echo", "two__t0"} <= gw.tool_names(), 20, "mcpServers entries missing")
    assert {"one", "two"} <= set(gw.servers())


def test_disabled_server_and_tool_filters(servers_dir, stdio_gateway):
    servers_dir.write("off", fake_config(enabled=False))
    servers_dir.write("picky", fake_config(tools={"allow": ["e*", "add"], "deny": ["env"]}))
    gw = stdio_gateway()
    wait_until(lambda: "picky__echo" in gw.tool_names(), 20, "picky never came up")
    assert names_with(gw, "picky__") == {"picky__echo", "picky__add"}
    assert not names_with(gw, "off__")
    assert gw.servers()["off"]["state"] == "disabled"
    with pytest.raises(JsonRpcError) as err:
        gw.call_tool("picky__env", {"name": "PATH"})
    assert err.value.code == -32602, "a filtered-out tool must be as unknown as a missing one"


def test_names_stay_valid_for_long_and_odd_names(servers_dir, stdio_gateway):
    servers_dir.write("my.server-with.dots", fake_config())
    servers_dir.write("long", fake_config("--tools-prefix", "a_rather_long_tool_name_prefix_" * 2))
    gw = stdio_gateway()
    wait_until(lambda: len(gw.servers()) >= 2 and all(s["state"] == "ready" for s in gw.servers().values()), 20,
               "servers never became ready")
    tools = gw.request("tools/list")["tools"]
    names = [t["name"] for t in tools]
    assert len(names) == len(set(names)), "tool names collide"
    assert all(re.fullmatch(TOOL_NAME_RE, n) for n in names), [n for n in names if not re.fullmatch(TOOL_NAME_RE, n)]
    echoes = [t["name"] for t in tools if t.get("description") == "Echo the text back"]
    assert len(echoes) == 2, echoes
    for name in echoes:  # the listed (possibly shortened) name is the one that works
        assert gw.call_tool(name, {"text": name})["structuredContent"] == {"echoed": name}


def test_runtime_add_restart_remove(servers_dir, stdio_gateway):
    gw = stdio_gateway()
    seen = len(gw.notifications)
    gw.call_tool("servers_add", {"name": "dyn", "config": fake_config()})
    gw.wait_notification("notifications/tools/list_changed", timeout=15, since=seen)
    wait_until(lambda: "dyn__echo" in gw.tool_names(), 20, "servers_add: dyn never came up")
    before = gw.servers()["dyn"]
    assert before["transport"] == "stdio" and before["state"] == "ready"
    gw.call_tool("servers_restart", {"name": "dyn"})
    wait_until(lambda: gw.servers()["dyn"]["restarts"] > before["restarts"]
               and gw.servers()["dyn"]["state"] == "ready", 20, "servers_restart did not restart dyn")
    assert gw.call_tool("dyn__add", {"a": 2, "b": 2})["structuredContent"] == {"sum": 4}
    seen = len(gw.notifications)
    gw.call_tool("servers_remove", {"name": "dyn"})
    gw.wait_notification("notifications/tools/list_changed", timeout=15, since=seen)
    wait_until(lambda: not names_with(gw, "dyn__") and "dyn" not in gw.servers(), 15, "servers_remove left dyn")


def test_runtime_tools_refuse_what_they_cannot_do(servers_dir, stdio_gateway):
    servers_dir.write("desktop", {"mcpServers": {"zeta": fake_config()}})
    servers_dir.write("off", fake_config(enabled=False))
    gw = stdio_gateway()
    wait_until(lambda: "zeta__echo" in gw.tool_names(), 20, "zeta never came up")
    for name in (".hidden", "..", "../outside", "a/b"):
        with pytest.raises(JsonRpcError) as err:
            gw.call_tool("servers_add", {"name": name, "config": fake_config()})
        assert err.value.code == -32602 and "file name" in str(err.value), err.value
    assert not list(servers_dir.path.glob(".*.json")) and not (servers_dir.path.parent / "outside.json").exists()
    # zeta lives in desktop.json: a zeta.json beside it would be ignored as a duplicate, so replace is refused.
    with pytest.raises(JsonRpcError) as err:
        gw.call_tool("servers_add", {"name": "zeta", "config": fake_config("--tools-prefix", "new_"), "replace": True})
    assert err.value.code == -32602 and "desktop.json" in str(err.value), err.value
    assert not (servers_dir.path / "zeta.json").exists()
    result = gw.call_tool("servers_restart", {"name": "off"})
    assert result["isError"] and "disabled" in result["content"][0]["text"], result


def start_remote_time_server() -> tuple[subprocess.Popen, str]:
    """mcp-server-time served over Streamable HTTP by the SDK, as a remote downstream: (process, MCP URL)."""
    port = free_port()
    code = ("import sys; from mcp_server_time.server import create_server; "
            "create_server('UTC').run('streamable-http', host='127.0.0.1', port=int(sys.argv[1]))")
    proc = subprocess.Popen([sys.executable, "-c", code, str(port)], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        wait_until(lambda: port_open(port) or proc.poll() is not None, 20, "remote time server did not listen")
        assert proc.poll() is None, "remote time server exited"
    except BaseException:
        stop_process(proc)
        raise
    return proc, f"http://127.0.0.1:{port}/mcp"


@pytest.fixture
def remote_time_server():
    proc, url = start_remote_time_server()
    try:
        yield url
    finally:
        stop_process(proc)


def test_http_downstream(servers_dir, stdio_gateway, remote_time_server):
    servers_dir.write("remote", {"url": remote_time_server, "headers": {"X-Test": "1"}})
    gw = stdio_gateway()
    wait_until(lambda: "remote__get_current_time" in gw.tool_names(), 20, "remote tools never appeared")
    result = gw.call_tool("remote__get_current_time", {"timezone": "UTC"})
    assert result["structuredContent"]["timezone"] == "UTC" and not result.get("isError")
    assert gw.servers()["remote"]["transport"] == "http"


def test_a_remote_server_that_dies_is_noticed_at_once(servers_dir, stdio_gateway):
    proc, url = start_remote_time_server()
    try:
        servers_dir.write("remote", {"url": url})
        gw = stdio_gateway()
        wait_until(lambda: "remote__get_current_time" in gw.tool_names(), 20, "remote tools never appeared")
        proc.kill()
        proc.wait(10)
        with pytest.raises(JsonRpcError) as err:
            gw.call_tool("remote__get_current_time", {"timezone": "UTC"})
        assert "downstream server remote" in str(err.value), "the error names the server"
        # Checked at once after the failed exchange, not at the next 30 s health ping: its tools leave.
        wait_until(lambda: gw.servers()["remote"]["state"] != "ready" and not names_with(gw, "remote__"), 5,
                   "a dead remote server stayed ready")
    finally:
        stop_process(proc)


def _maps_libcurl(pid: int) -> bool:
    with open(f"/proc/{pid}/maps") as maps:
        return any(line.rstrip().rsplit("/", 1)[-1].startswith("libcurl.so") for line in maps)


def test_curl_is_loaded_only_once_a_server_needs_http(servers_dir, stdio_gateway, remote_time_server):
    """Stdio downstreams alone never map libcurl and its TLS stack (memory); the first HTTP server loads it."""
    servers_dir.write("a", fake_config())
    gw = stdio_gateway()
    wait_until(lambda: "a__echo" in gw.tool_names(), 20, "a never came up")
    assert gw.call_tool("a__echo", {"text": "x"})["structuredContent"] == {"echoed": "x"}
    assert not _maps_libcurl(gw.proc.pid), f"libcurl was loaded with only stdio servers registered:\n{gw.stderr.tail()}"

    servers_dir.write("remote", {"url": remote_time_server})
    wait_until(lambda: "remote__get_current_time" in gw.tool_names(), 20, "remote tools never appeared")
    assert _maps_libcurl(gw.proc.pid)
    result = gw.call_tool("remote__get_current_time", {"timezone": "UTC"})
    assert result["structuredContent"]["timezone"] == "UTC" and not result.get("isError")


def test_downstream_log_messages_reach_clients_that_asked_for_them(servers_dir, stdio_gateway):
    """notifications/message from a downstream server reaches a client at or above its logging/setLevel, with the
    logger named after the server; a client that never set a level gets none."""
    servers_dir.write("a", fake_config())
    gw = stdio_gateway()
    wait_until(lambda: "a__log" in gw.tool_names(), 20, "a never came up")

    def log_notes(since: int) -> list[dict]:
        return [n["params"] for n in gw.notifications[since:] if n["method"] == "notifications/message"]

    seen = len(gw.notifications)
    gw.call_tool("a__log", {"level": "error", "text": "not asked for"})
    assert gw.call_tool("a__echo", {"text": "x"})["structuredContent"] == {"echoed": "x"}  # ordering barrier
    assert log_notes(seen) == []

    answer = gw.call_tool("a__log", {"level": "info", "text": "no level set yet"})
    assert answer["content"][0]["text"].endswith("setLevel is unset")

    gw.request("logging/setLevel", {"level": "warning"})
    seen = len(gw.notifications)
    gw.call_tool("a__log", {"level": "info", "text": "too chatty"})
    answer = gw.call_tool("a__log", {"level": "error", "text": "disk full"})
    wait_until(lambda: log_notes(seen), 10, "the error log line never arrived")
    assert log_notes(seen) == [{"level": "error", "logger": "a/fixture", "data": "disk full"}]
    # The level the client asked for reached the server, so it can stop producing what nobody reads.
    assert answer["content"][0]["text"].endswith("setLevel is warning"), answer
