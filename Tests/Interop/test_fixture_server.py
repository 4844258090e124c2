"""The fake downstream server (Tests/fixtures/fake_mcp_server.py) against the official `mcp` SDK client, directly.

Needs no gateway: it proves the fixture speaks MCP the way real clients expect, in each SDK connect mode, and it
pins down what the SDK's default mode puts on the wire (see SDK_NOTES.md).
"""

from __future__ import annotations

import json
import sys
import time
from contextlib import asynccontextmanager
from pathlib import Path

import anyio
import mcp_types as types
import pytest
from mcp import Client, StdioServerParameters
from mcp.shared.exceptions import MCPError

from support import FAKE_SERVER

PV_KEY = "io.modelcontextprotocol/protocolVersion"
# (SDK connect mode, fake-server flags, protocol version the connection must end up on)
MODES = [
    pytest.param("legacy", [], "2025-11-25", id="legacy"),
    pytest.param("auto", [], "2025-11-25", id="auto-fallback"),  # the SDK default against a legacy-only server
    pytest.param("auto", ["--modern"], "2026-07-28", id="auto-modern"),
    pytest.param("2026-07-28", ["--modern"], "2026-07-28", id="pinned-modern"),
]


@asynccontextmanager
async def connect(tmp_path: Path, mode: str, *flags: str, env: dict[str, str] | None = None, **kw):
    log = tmp_path / "received.jsonl"
    params = StdioServerParameters(command=sys.executable, args=[str(FAKE_SERVER), "--log-file", str(log), *flags],
                                   env=env)
    with anyio.fail_after(20):
        async with Client(params, mode=mode, **kw) as client:
            yield client


def received(tmp_path: Path) -> list[dict]:
    path = tmp_path / "received.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


async def all_tools(client: Client) -> list[types.Tool]:
    tools, cursor = [], None
    for _ in range(50):
        page = await client.list_tools(cursor=cursor)
        tools += page.tools
        cursor = page.next_cursor
        if cursor is None:
            return tools
    raise AssertionError("tools/list never stopped paginating")


@pytest.mark.anyio
@pytest.mark.parametrize("mode,flags,version", MODES)
async def test_handshake_on_the_wire(tmp_path, mode, flags, version):
    async with connect(tmp_path, mode, *flags) as client:
        assert client.protocol_version == version
        assert client.server_info is None or client.server_info.name == "fake-mcp-server"
        await client.list_tools()
    methods = [m.get("method") for m in received(tmp_path)]
    if mode == "legacy":
        assert methods[:3] == ["initialize", "notifications/initialized", "tools/list"]
    elif mode == "auto":  # the default: probe server/discover first, fall back to initialize on any error
        assert methods[0] == "server/discover"
        assert ("initialize" in methods) == (version == "2025-11-25")
    else:  # a pinned modern version: no probe and no handshake at all
        assert "initialize" not in methods and "server/discover" not in methods
    if version == "2026-07-28":
        for msg in received(tmp_path):
            if "id" in msg:  # every request carries the per-request envelope
                meta = msg["params"]["_meta"]
                assert meta[PV_KEY] == "2026-07-28"
                assert "io.modelcontextprotocol/clientCapabilities" in meta


@pytest.mark.anyio
@pytest.mark.parametrize("mode,flags,version", MODES)
async def test_tools(tmp_path, mode, flags, version):
    async with connect(tmp_path, mode, *flags, "--page-size", "3", "--many-tools", "4") as client:
        names = [t.name for t in await all_tools(client)]
        assert names == ["echo", "add", "fail", "slow", "progress", "crash", "change_tools", "env", "log",
                         "close_stdout", "t0", "t1", "t2", "t3"]
        echo = await client.call_tool("echo", {"text": "hi"})
        assert not echo.is_error and echo.structured_content == {"echoed": "hi"}
        assert echo.content[0].text == "hi"
        add = await client.call_tool("add", {"a": 2, "b": 3.5})
        assert add.structured_content == {"sum": 5.5}
        fail = await client.call_tool("fail", {})
        assert fail.is_error and "fails" in fail.content[0].text
        with pytest.raises(MCPError) as err:
            await client.call_tool("no_such_tool", {})
        assert err.value.error.code == -32602
        assert (await client.call_tool("t2", {})).content[0].text == "called t2"


@pytest.mark.anyio
@pytest.mark.parametrize("mode,flags,version", MODES)
async def test_progress_and_cancel(tmp_path, mode, flags, version):
    async with connect(tmp_path, mode, *flags) as client:
        seen = []

        async def on_progress(progress, total, message):
            seen.append((progress, total, message))

        done = await client.call_tool("progress", {}, progress_callback=on_progress)
        assert done.content[0].text == "progress done"
        assert [p for p, _, _ in seen] == [1, 2, 3]

        started = time.monotonic()
        with anyio.move_on_after(0.5):
            await client.call_tool("slow", {"seconds": 30})
        assert time.monotonic() - started < 5
        assert (await client.call_tool("echo", {"text": "still alive"})).content[0].text == "still alive"
        assert (await client.call_tool("slow", {"seconds": 0.05})).content[0].text == "slept 0.05s"
    cancels = [m for m in received(tmp_path) if m.get("method") == "notifications/cancelled"]
    assert cancels, "the SDK did not send notifications/cancelled for the abandoned call"


@pytest.mark.anyio
@pytest.mark.parametrize("mode,flags,version", MODES[:2])
async def test_list_changed_notification(tmp_path, mode, flags, version):
    got = anyio.Event()

    async def handler(message):
        if isinstance(message, types.ToolListChangedNotification):
            got.set()

    async with connect(tmp_path, mode, *flags, message_handler=handler) as client:
        assert "extra" not in [t.name for t in await all_tools(client)]
        await client.call_tool("change_tools", {})
        with anyio.fail_after(5):
            await got.wait()
        assert "extra" in [t.name for t in await all_tools(client)]
        assert (await client.call_tool("extra", {})).content[0].text == "extra tool called"


@pytest.mark.anyio
@pytest.mark.parametrize("mode,flags,version", MODES)
async def test_resources_and_prompts(tmp_path, mode, flags, version):
    async with connect(tmp_path, mode, *flags) as client:
        resources = await client.list_resources()
        assert [str(r.uri) for r in resources.resources] == ["fixture://readme"]
        read = await client.read_resource("fixture://readme")
        assert read.contents[0].text == "This is the fake server readme."
        templates = await client.list_resource_templates()
        assert templates.resource_templates[0].uri_template == "fixture://items/{id}"
        prompts = await client.list_prompts()
        assert prompts.prompts[0].name == "greet" and prompts.prompts[0].arguments[0].name == "name"
        got = await client.get_prompt("greet", {"name": "Ada"})
        assert got.messages[0].content.text == "Hello, Ada!"


@pytest.mark.anyio
@pytest.mark.parametrize("mode,flags,version", MODES)
async def test_crash_fails_the_call_promptly(tmp_path, mode, flags, version):
    async with connect(tmp_path, mode, *flags) as client:
        started = time.monotonic()
        with pytest.raises(MCPError):
            with anyio.fail_after(5):
                await client.call_tool("crash", {})
        assert time.monotonic() - started < 5


@pytest.mark.anyio
@pytest.mark.parametrize("flags", [["--garbage"], ["--stderr-noise"], ["--tools-prefix", "p_"]])
async def test_tolerable_quirks(tmp_path, flags):
    async with connect(tmp_path, "legacy", *flags, env={"FIXTURE_VAR": "from-env"}) as client:
        prefix = "p_" if "--tools-prefix" in flags else ""
        for i in range(20):
            result = await client.call_tool(prefix + "echo", {"text": f"n{i}"})
            assert result.structured_content == {"echoed": f"n{i}"}
        env = await client.call_tool(prefix + "env", {"name": "FIXTURE_VAR"})
        assert env.content[0].text == "from-env"


@pytest.mark.anyio
async def test_hang_initialize_never_answers(tmp_path):
    with pytest.raises(TimeoutError):
        with anyio.fail_after(1.5):
            async with Client(StdioServerParameters(command=sys.executable,
                                                    args=[str(FAKE_SERVER), "--hang-initialize"]), mode="legacy"):
                pass


@pytest.mark.anyio
async def test_exit_immediately_and_crash_after_initialize(tmp_path):
    with pytest.raises(Exception):
        with anyio.fail_after(10):
            async with connect(tmp_path, "legacy", "--exit-immediately", "7"):
                pass
    with pytest.raises((MCPError, BaseExceptionGroup)) as info:  # anyio may wrap it in a group on teardown
        async with connect(tmp_path, "legacy", "--crash-after-initialize") as client:
            await client.list_tools()
    assert isinstance(info.value, MCPError) or info.group_contains(MCPError, depth=None)
