"""The official `mcp` SDK client driving `switchyard serve` over Streamable HTTP, legacy and default (auto) mode."""

from __future__ import annotations

import anyio
import mcp_types as types
import pytest
from mcp import Client

from sdk_common import MODES, compare_through_gateway, wait_for_tools, write_servers
from support import fake_config, requires_binary

pytestmark = [requires_binary, pytest.mark.anyio]


@pytest.mark.parametrize("mode,version", MODES)
async def test_results_match_direct_calls(servers_dir, git_repo, http_gateway, mode, version):
    write_servers(servers_dir, git_repo)
    gw = http_gateway()
    with anyio.fail_after(120):
        async with Client(gw.url, mode=mode) as client:
            await compare_through_gateway(client, git_repo, mode, version)


@pytest.mark.parametrize("mode,version", MODES)
async def test_tools_list_changed_reaches_the_sdk(servers_dir, http_gateway, mode, version):
    """Legacy: over the session's GET SSE stream. Modern: over a subscriptions/listen stream."""
    servers_dir.write("fake", fake_config())
    gw = http_gateway()
    changed = anyio.Event()

    async def handler(message):
        if isinstance(message, types.ToolListChangedNotification):
            changed.set()

    with anyio.fail_after(60):
        async with Client(gw.url, mode=mode, message_handler=handler) as client:
            await wait_for_tools(client, {"fake__echo"})
            if version == "2026-07-28":
                async with client.listen(tools_list_changed=True) as sub:
                    await client.call_tool("fake__change_tools", {})
                    async for _event in sub:
                        break
            else:
                await client.call_tool("fake__change_tools", {})
                await changed.wait()
            await wait_for_tools(client, {"fake__extra"})


@pytest.mark.parametrize("mode,version", MODES)
async def test_two_clients_are_independent(servers_dir, http_gateway, mode, version):
    servers_dir.write("fake", fake_config())
    gw = http_gateway()
    with anyio.fail_after(60):
        async with Client(gw.url, mode=mode) as a, Client(gw.url, mode=mode) as b:
            await wait_for_tools(a, {"fake__echo"})
            results = {}

            async def call(client, text):
                results[text] = await client.call_tool("fake__echo", {"text": text})

            async with anyio.create_task_group() as tg:
                for i in range(5):
                    tg.start_soon(call, a, f"a{i}")
                    tg.start_soon(call, b, f"b{i}")
            assert {k: v.structured_content["echoed"] for k, v in results.items()} == {k: k for k in results}


@pytest.mark.parametrize("mode,version", MODES)
async def test_downstream_logs_reach_a_client_that_asked_for_them(servers_dir, http_gateway, mode, version):
    """Legacy clients ask with logging/setLevel; default-mode (2026-07-28) clients per request, with the logLevel
    `_meta` the SDK sends for `log_level=`: either way the downstream's message arrives, named by its server."""
    servers_dir.write("fake", fake_config("--modern"))
    gw = http_gateway()
    logs = []

    async def on_log(params):
        logs.append(params)

    with anyio.fail_after(60):
        async with Client(gw.url, mode=mode, log_level="warning", logging_callback=on_log) as client:
            await wait_for_tools(client, {"fake__log"})
            if version != "2026-07-28":
                await client.set_logging_level("warning")
            await client.call_tool("fake__log", {"level": "info", "text": "below the level"})
            await client.call_tool("fake__log", {"level": "error", "text": "disk on fire"})
            with anyio.move_on_after(5):
                while not logs:
                    await anyio.sleep(0.05)
    assert [(entry.level, entry.logger, entry.data) for entry in logs] == [("error", "fake/fixture", "disk on fire")]
