"""The official `mcp` SDK client driving `switchyard stdio`, in legacy (2025-11-25) and default (auto) mode."""

from __future__ import annotations

import anyio
import mcp_types as types
import pytest
from mcp import Client, StdioServerParameters
from mcp.shared.exceptions import MCPError

from sdk_common import MODES, compare_through_gateway, wait_for_tools, write_servers
from support import fake_config, requires_binary, switchyard_bin

pytestmark = [requires_binary, pytest.mark.anyio]


def gateway_params(servers_dir) -> StdioServerParameters:
    # The SDK adds its default environment (HOME, PATH, …); the usage database stays beside the test's servers.d.
    return StdioServerParameters(command=str(switchyard_bin()),
                                 args=["stdio", "--servers-dir", str(servers_dir.path), "--log-level", "debug"],
                                 env={"SWITCHYARD_DATABASE": str(servers_dir.path.parent / "switchyard.db")})


@pytest.mark.parametrize("mode,version", MODES)
async def test_results_match_direct_calls(servers_dir, git_repo, mode, version):
    write_servers(servers_dir, git_repo)
    with anyio.fail_after(120):
        async with Client(gateway_params(servers_dir), mode=mode) as client:
            await compare_through_gateway(client, git_repo, mode, version)


@pytest.mark.parametrize("mode,version", MODES)
async def test_tools_list_changed_reaches_the_sdk(servers_dir, mode, version):
    servers_dir.write("fake", fake_config())
    changed = anyio.Event()

    async def handler(message):
        if isinstance(message, types.ToolListChangedNotification):
            changed.set()

    with anyio.fail_after(60):
        async with Client(gateway_params(servers_dir), mode=mode, message_handler=handler) as client:
            await wait_for_tools(client, {"fake__echo"})
            if version == "2026-07-28":  # the stateless generation delivers changes on a listen stream only
                async with client.listen(tools_list_changed=True) as sub:
                    await client.call_tool("fake__change_tools", {})
                    async for _event in sub:
                        break
            else:
                await client.call_tool("fake__change_tools", {})
                await changed.wait()
            await wait_for_tools(client, {"fake__extra"})
            result = await client.call_tool("fake__extra", {})
            assert result.content[0].text == "extra tool called"


@pytest.mark.parametrize("mode,version", MODES)
async def test_errors_and_progress_through_the_sdk(servers_dir, mode, version):
    servers_dir.write("fake", fake_config())
    with anyio.fail_after(60):
        async with Client(gateway_params(servers_dir), mode=mode) as client:
            await wait_for_tools(client, {"fake__progress"})
            steps = []

            async def on_progress(progress, total, message):
                steps.append(progress)

            done = await client.call_tool("fake__progress", {}, progress_callback=on_progress)
            assert done.content[0].text == "progress done" and steps == [1, 2, 3]
            failed = await client.call_tool("fake__fail", {})
            assert failed.is_error
            with pytest.raises(MCPError) as err:
                await client.call_tool("fake__no_such_tool", {})
            assert err.value.error.code == -32602


@pytest.mark.parametrize("mode,version", MODES)
async def test_one_servers_invalid_tools_do_not_break_the_sdks_list(servers_dir, mode, version):
    """The SDK rejects a whole tools/list for one entry that breaks the schema: such entries are left out (and
    reported in servers_list), so the other servers' tools stay usable."""
    servers_dir.write("bad", fake_config("--bad-entries"))
    servers_dir.write("good", fake_config())
    with anyio.fail_after(60):
        async with Client(gateway_params(servers_dir), mode=mode) as client:
            tools = await wait_for_tools(client, {"bad__echo", "good__echo"})
            names = [t.name for t in tools]
            assert "bad__no_schema" not in names and "bad__array_schema" not in names
            assert names.count("bad__echo") == 1
            echoed = await client.call_tool("good__echo", {"text": "still here"})
            assert echoed.structured_content == {"echoed": "still here"}
            listing = await client.call_tool("servers_list", {})
            bad = next(s for s in listing.structured_content["servers"] if s["name"] == "bad")
            assert "left out 3 invalid tool entries" in bad["last_error"], bad
