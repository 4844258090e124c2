"""Shared body of test_sdk_stdio.py and test_sdk_http.py: the official SDK through the gateway versus directly.

Downstreams: mcp-server-time twice (time1, time2) and mcp-server-git once (git). A result through the gateway must
equal the result of the same call made directly with the SDK (content, structuredContent, isError).
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path
from typing import Any

import anyio
from mcp import Client, StdioServerParameters

from support import TOOL_NAME_RE, ServersDir, console_script, git_config, time_config

# Children get the same locale whether the gateway or the SDK starts them, so git's output is comparable.
CHILD_ENV = {"LC_ALL": "C", "TZ": "UTC"}
# The SDK's default mode is "auto" (probe server/discover, fall back to initialize). The gateway serves the
# stateless generation on the same endpoint (DESIGN.md §6), so "auto" must end up on 2026-07-28.
MODES = [("legacy", "2025-11-25"), ("auto", "2026-07-28")]
DOWNSTREAM_TOOLS = {"time": ["get_current_time", "convert_time"],
                    "git": ["git_status", "git_log", "git_diff_unstaged", "git_show", "git_branch"]}
GATEWAY_TOOLS = {"servers_list", "servers_restart", "servers_add", "servers_remove"}


def calls(repo: Path) -> list[tuple[str, str, dict[str, Any]]]:
    """(gateway server name, downstream tool, arguments) for each compared call."""
    return [
        ("time1", "get_current_time", {"timezone": "Europe/Paris"}),
        ("time2", "get_current_time", {"timezone": "UTC"}),
        ("time1", "convert_time", {"source_timezone": "UTC", "time": "12:30", "target_timezone": "Asia/Tokyo"}),
        ("time2", "convert_time", {"source_timezone": "America/New_York", "time": "23:15",
                                   "target_timezone": "Europe/London"}),
        ("git", "git_status", {"repo_path": str(repo)}),
        ("git", "git_log", {"repo_path": str(repo), "max_count": 5}),
    ]


def write_servers(servers_dir: ServersDir, repo: Path) -> None:
    for name in ("time1", "time2"):
        servers_dir.write(name, {**time_config(), "env": CHILD_ENV})
    servers_dir.write("git", {**git_config(repo), "env": CHILD_ENV})


def direct_params(server: str, repo: Path) -> StdioServerParameters:
    cfg = git_config(repo) if server == "git" else time_config()
    return StdioServerParameters(command=cfg["command"], args=cfg["args"], env=CHILD_ENV)


def expected_tool_names() -> set[str]:
    names = {f"{s}__{t}" for s in ("time1", "time2") for t in DOWNSTREAM_TOOLS["time"]}
    return names | {f"git__{t}" for t in DOWNSTREAM_TOOLS["git"]}


async def wait_for_tools(client: Client, expected: set[str], timeout: float = 30) -> list[Any]:
    """Poll tools/list (bypassing the SDK's response cache) until every expected name is listed."""
    tools: list[Any] = []
    with anyio.move_on_after(timeout):
        while True:
            tools, cursor = [], None
            while True:
                page = await client.list_tools(cursor=cursor, cache_mode="bypass")
                tools += page.tools
                cursor = page.next_cursor
                if cursor is None:
                    break
            if expected <= {t.name for t in tools}:
                return tools
            await anyio.sleep(0.2)
    missing = expected - {t.name for t in tools}
    raise AssertionError(f"tools never appeared within {timeout}s: {sorted(missing)}")


def check_tool_listing(tools: list[Any]) -> None:
    names = [t.name for t in tools]
    assert len(names) == len(set(names)), f"duplicate tool names: {names}"
    bad = [n for n in names if not re.fullmatch(TOOL_NAME_RE, n)]
    assert not bad, f"tool names clients reject: {bad}"
    assert GATEWAY_TOOLS <= set(names), f"gateway tools missing: {GATEWAY_TOOLS - set(names)}"
    for t in tools:
        assert t.input_schema.get("type") == "object", f"{t.name}: inputSchema must be an object schema"


def _strip_clock(value: Any, stamps: list[datetime]) -> Any:
    """Replace get_current_time's `datetime` (which moves) by a marker, collecting the parsed values."""
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            if k == "datetime" and isinstance(v, str):
                stamps.append(datetime.fromisoformat(v))
                out[k] = "<now>"
            else:
                out[k] = _strip_clock(v, stamps)
        return out
    if isinstance(value, list):
        return [_strip_clock(v, stamps) for v in value]
    return value


def comparable(result: Any, tool: str) -> tuple[dict[str, Any], list[datetime]]:
    """The parts of a CallToolResult that must match, with the clock taken out for get_current_time."""
    content = [c.model_dump(mode="json", by_alias=True, exclude_none=True) for c in result.content]
    view = {"content": content, "structuredContent": result.structured_content, "isError": result.is_error}
    stamps: list[datetime] = []
    if tool == "get_current_time":
        for c in content:
            if c.get("type") == "text":
                c["text"] = json.loads(c["text"])
        view = _strip_clock(view, stamps)
    return view, stamps


async def direct_results(repo: Path, mode: str) -> dict[tuple[str, str], Any]:
    """Results of the same calls made directly against each downstream server with the SDK."""
    console_script("mcp-server-time")
    out: dict[tuple[str, str], Any] = {}
    for kind in ("time", "git"):  # time1 and time2 are the same program: one direct connection serves both
        with anyio.fail_after(60):
            async with Client(direct_params(kind, repo), mode=mode) as client:
                for server, tool, args in calls(repo):
                    if (server == "git") == (kind == "git"):
                        out[(server, tool)] = await client.call_tool(tool, args)
    return out


async def compare_through_gateway(client: Client, repo: Path, mode: str, version: str) -> None:
    assert client.protocol_version == version, f"mode={mode} negotiated {client.protocol_version}, want {version}"
    tools = await wait_for_tools(client, expected_tool_names())
    check_tool_listing(tools)
    direct = await direct_results(repo, mode)
    for server, tool, args in calls(repo):
        via = await client.call_tool(f"{server}__{tool}", args)
        got, got_stamps = comparable(via, tool)
        want, want_stamps = comparable(direct[(server, tool)], tool)
        assert got == want, f"{server}__{tool}{args}: gateway result differs from direct result"
        for a, b in zip(got_stamps, want_stamps):
            assert abs((a - b).total_seconds()) < 120 and a.utcoffset() == b.utcoffset()
