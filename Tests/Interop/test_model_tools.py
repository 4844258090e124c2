"""The routing core's MCP face: Switchyard's model tools (`chat`, `compare_models`, `models_list`, `model_use`,
`aliases_list`, `alias_set`, `alias_delete`, `route_explain`, `usage_summary`) called with the official `mcp` SDK
over Streamable HTTP, checked against the HTTP API and the fake provider's counters.

`model_use` is per session, so the tests that depend on it connect in legacy (session) mode; the others run in both
the SDK's legacy and default (auto, stateless 2026-07-28) modes where it matters.
"""

from __future__ import annotations

import anyio
import httpx2
import pytest
from mcp import Client
from mcp.shared.exceptions import MCPError

from routing_support import chat_body, fake_answer, requires_fake_provider, unique, usage_rows
from sdk_common import MODES
from support import requires_binary, wait_until

pytestmark = [requires_binary, requires_fake_provider, pytest.mark.anyio]
MODEL_TOOLS = {"chat", "compare_models", "models_list", "model_use", "aliases_list", "alias_set", "alias_delete",
               "route_explain", "usage_summary"}


async def call(client: Client, tool: str, arguments: dict | None = None):
    """A tool call that must succeed: returns its structuredContent."""
    result = await client.call_tool(tool, arguments or {})
    text = " ".join(getattr(c, "text", "") for c in result.content)
    assert not result.is_error, f"{tool}({arguments}) failed: {text}"
    assert result.structured_content is not None, f"{tool} returned no structuredContent: {text}"
    return result.structured_content


async def chat(client: Client, **arguments):
    return await call(client, "chat", {"prompt": "hello tools", **arguments})


@pytest.mark.parametrize("mode,version", MODES)
async def test_model_tools_are_listed(shared_gateway, mode, version):
    with anyio.fail_after(30):
        async with Client(shared_gateway.url, mode=mode) as client:
            assert client.protocol_version == version
            tools = {t.name: t for t in (await client.list_tools()).tools}
            assert MODEL_TOOLS <= set(tools), f"missing: {MODEL_TOOLS - set(tools)}"
            for name in MODEL_TOOLS:
                assert tools[name].input_schema.get("type") == "object", name


@pytest.mark.parametrize("mode,version", MODES)
async def test_chat_routes_like_the_http_api(shared_gateway, fake_provider, mode, version):
    """The same request through both faces: the same candidates, the same fallback, rows of the same shape."""
    first, second = unique("down") + "+status-500", unique("up")
    body = chat_body(f"fake/{first}", "hello tools", models=[f"fake/{second}"], tags=["interop"])
    with anyio.fail_after(30):
        async with httpx2.AsyncClient(base_url=shared_gateway.base, timeout=20) as http:
            response = await http.post("/v1/chat/completions", json=body)
            assert response.status_code == 200, response.text
            via_http = response.json()
        async with Client(shared_gateway.url, mode=mode) as client:
            via_mcp = await chat(client, model=f"fake/{first}", models=[f"fake/{second}"], tags=["interop"])
    assert via_http["model"] == via_mcp["model"] == f"fake/{second}"
    assert via_mcp["provider"] == "fake"
    assert via_mcp["text"] == via_http["choices"][0]["message"]["content"] == fake_answer(second, "hello tools")
    assert via_mcp["finish_reason"] == "stop"
    assert via_mcp["usage"]["completion_tokens"] == via_http["usage"]["completion_tokens"]
    assert via_mcp["id"].startswith("gen-") and via_mcp["id"] != via_http["id"]
    assert [(a["model"], a["outcome"]) for a in via_mcp["attempts"]] == \
        [(f"fake/{first}", "server_error"), (f"fake/{second}", "ok")]
    assert (fake_provider.count(first), fake_provider.count(second)) == (2, 2)

    http_row = shared_gateway.generation(via_http["id"])
    mcp_row = shared_gateway.generation(via_mcp["id"])
    assert set(http_row) == set(mcp_row)
    assert (http_row["face"], mcp_row["face"]) == ("http", "mcp")
    for key in ("requested_model", "model", "provider", "status", "http_status", "tokens_prompt",
                "tokens_completion", "total_cost", "tags", "streamed"):
        assert http_row[key] == mcp_row[key], key
    assert [{k: a.get(k) for k in ("model", "outcome", "status")} for a in http_row["attempts"]] == \
        [{k: a.get(k) for k in ("model", "outcome", "status")} for a in mcp_row["attempts"]]
    assert mcp_row["tags"] == ["interop"]


async def test_chat_with_messages_and_options(shared_gateway):
    name = unique("msgs")
    messages = [{"role": "system", "content": "be brief"}, {"role": "user", "content": "first question"},
                {"role": "assistant", "content": "first answer"}, {"role": "user", "content": "second question"}]
    schema = {"type": "json_schema", "json_schema": {"name": "x", "schema": {
        "type": "object", "properties": {"ok": {"type": "boolean"}}, "required": ["ok"]}}}
    with anyio.fail_after(30):
        async with Client(shared_gateway.url) as client:
            answer = await call(client, "chat", {"messages": messages, "model": f"fakeant/{name}"})
            assert answer["text"] == fake_answer(name, "second question") and answer["model"] == f"fakeant/{name}"
            short = await call(client, "chat", {"prompt": "one two three", "system": "s", "model": f"fakegem/{name}",
                                                "max_tokens": 2, "temperature": 0.2})
            assert short["text"] == "Fake answer" and short["finish_reason"] == "length"
            structured = await call(client, "chat", {"prompt": "json please", "model": f"fake/{name}",
                                                     "response_format": schema})
            assert structured["text"] == '{"ok":false}'
            result = await client.call_tool("chat", {"prompt": "weather?", "model": f"fake/{name}"})
            assert [c.text for c in result.content if c.type == "text"] == [fake_answer(name, "weather?")]


@pytest.mark.parametrize("mode,version", MODES)
async def test_cancelled_chat_cancels_the_upstream(shared_gateway, fake_provider, mode, version):
    name = unique("hang") + "+hang"
    before = fake_provider.stats()["cancelled"]
    with anyio.fail_after(30):
        async with Client(shared_gateway.url, mode=mode) as client:
            async with anyio.create_task_group() as tg:
                tg.start_soon(client.call_tool, "chat", {"prompt": "hi", "model": f"fake/{name}"})
                while fake_provider.count(name) == 0:  # the call reached the fake, which never answers
                    await anyio.sleep(0.05)
                tg.cancel_scope.cancel()
            with anyio.move_on_after(5):
                while fake_provider.stats()["cancelled"] == before:
                    await anyio.sleep(0.05)
            assert fake_provider.stats()["cancelled"] > before, "the abandoned chat kept its upstream call open"
            assert (await chat(client))["model"] == "fake/default", "the session still works"
    rows = usage_rows(shared_gateway.db_path, "requested_model = ?", (f"fake/{name}",))
    with anyio.move_on_after(5):
        while not rows:
            await anyio.sleep(0.05)
            rows = usage_rows(shared_gateway.db_path, "requested_model = ?", (f"fake/{name}",))
    assert [(r["status"], r["face"]) for r in rows] == [("cancelled", "mcp")]


async def test_model_use_sets_the_session_default(shared_gateway):
    chosen = unique("chosen")
    with anyio.fail_after(30):
        async with Client(shared_gateway.url, mode="legacy") as a, Client(shared_gateway.url, mode="legacy") as b:
            assert (await chat(a))["model"] == "fake/default"
            used = await call(a, "model_use", {"model": f"fake/{chosen}"})
            assert used["model"] == f"fake/{chosen}" and used["route"]["chosen"] == f"fake/{chosen}"
            answer = await chat(a)
            assert answer["model"] == f"fake/{chosen}" and answer["text"] == fake_answer(chosen, "hello tools")
            assert (await chat(a, model="fake/explicit"))["model"] == "fake/explicit", "an explicit model wins"
            assert (await chat(b))["model"] == "fake/default", "model_use must not leak into another session"
            await call(a, "model_use", {})
            assert (await chat(a))["model"] == "fake/default"
            refused = await a.call_tool("model_use", {"model": "nosuchmodel"})
            assert refused.is_error, "a model that does not resolve is refused at model_use time"
            assert (await chat(a))["model"] == "fake/default"


async def test_model_use_without_a_session_says_so(shared_gateway):
    """A stateless (2026-07-28) HTTP request is its own session: a choice made there could not be kept."""
    with anyio.fail_after(30):
        async with Client(shared_gateway.url, mode="auto") as client:
            assert client.protocol_version == "2026-07-28"
            refused = await client.call_tool("model_use", {"model": "fake/anything"})
    text = " ".join(getattr(c, "text", "") for c in refused.content)
    assert refused.is_error and "needs a session" in text, text


async def test_a_failed_comparison_names_its_usage_row(shared_gateway):
    good, bad = unique("cmp"), unique("cmp") + "+status-400"
    with anyio.fail_after(30):
        async with Client(shared_gateway.url) as client:
            result = await call(client, "compare_models", {"prompt": "compare me",
                                                           "models": [f"fake/{good}", f"fake/{bad}"]})
    ok, failed = result["results"]
    assert failed["requested"] == f"fake/{bad}" and failed["status"] == 400 and failed["id"], failed
    row = shared_gateway.generation(failed["id"])
    assert row["status"] == "error" and row["model"] == f"fake/{bad}"
    assert shared_gateway.generation(ok["id"])["status"] == "ok"


async def test_compare_models(shared_gateway, fake_provider):
    one, two = unique("cmp"), unique("cmp")
    with anyio.fail_after(30):
        async with Client(shared_gateway.url) as client:
            result = await call(client, "compare_models", {"prompt": "compare me",
                                                           "models": [f"fake/{one}", f"fakeant/{two}"]})
    results = result["results"]
    assert [r["model"] for r in results] == [f"fake/{one}", f"fakeant/{two}"]
    assert [r["text"] for r in results] == [fake_answer(one, "compare me"), fake_answer(two, "compare me")]
    for r in results:
        assert r["latency_ms"] >= 0 and "cost" in r and r["usage"]["completion_tokens"] > 0
    assert (fake_provider.count(one), fake_provider.count(two)) == (1, 1)


async def test_alias_set_survives_restart_and_delete(routing_gateway, fake_provider, tmp_path):
    workdir = tmp_path / "aliases"
    alias, target, backup = unique("team"), unique("target"), unique("backup")
    definition = {"strategy": "priority", "targets": [f"fake/{target}+status-503", f"fakegem/{backup}"]}
    gw = routing_gateway(workdir)
    with anyio.fail_after(30):
        async with Client(gw.url) as client:
            await call(client, "alias_set", {"name": alias, "definition": definition})
            answer = await chat(client, model=alias)
            assert answer["model"] == f"fakegem/{backup}"
            assert [a["model"] for a in answer["attempts"]] == [f"fake/{target}+status-503", f"fakegem/{backup}"]
            listed = (await call(client, "aliases_list"))["aliases"]
            assert alias in {a["name"] for a in listed}
    gw.close()
    assert gw.proc.returncode == 0

    gw = routing_gateway(workdir)
    with anyio.fail_after(30):
        async with Client(gw.url) as client:
            listed = {a["name"]: a for a in (await call(client, "aliases_list"))["aliases"]}
            assert alias in listed, "an alias set at run time must survive a restart on the same database"
            assert listed[alias]["source"] == "runtime"
            assert (await chat(client, model=alias))["model"] == f"fakegem/{backup}"
            http_models = (await anyio.to_thread.run_sync(lambda: gw.http.get("/v1/models").json()))["data"]
            assert alias in {m["id"] for m in http_models}, "the HTTP API sees the same aliases"
            await client.call_tool("alias_delete", {"name": alias})
            gone = await client.call_tool("chat", {"prompt": "hi", "model": alias})
            assert gone.is_error and "model_not_found" in gone.content[0].text
            assert alias not in {a["name"] for a in (await call(client, "aliases_list"))["aliases"]}
            missing = await client.call_tool("alias_delete", {"name": alias})
            assert missing.is_error, "deleting an alias that does not exist says so"
    assert fake_provider.count(f"{backup}") == 2


async def test_route_explain(shared_gateway, fake_provider):
    limited, fallback = unique("limited") + "+status-429+retry-after-30", unique("fallback")
    with anyio.fail_after(30):
        async with Client(shared_gateway.url) as client:
            plan = await call(client, "route_explain", {"model": "pool", "prompt": "hi"})
            assert plan["requested"] == "pool" and plan["alias"] == "pool"
            assert plan["chosen"] == "fake/m1+status-429"
            assert [(c["order"], c["model"]) for c in plan["candidates"]] == \
                [(1, "fake/m1+status-429"), (2, "fakeant/claude-x")]
            assert all(c["reason"] and isinstance(c["health"], dict) for c in plan["candidates"])

            # A provider's Retry-After takes the model out of rotation: the explanation skips it, and says why.
            failed = await client.call_tool("chat", {"prompt": "hi", "model": f"fake/{limited}"})
            assert failed.is_error and failed.structured_content["error"]["code"] == "rate_limited"
            plan = await call(client, "route_explain", {"model": f"fake/{limited}", "models": [f"fake/{fallback}"]})
            assert plan["chosen"] == f"fake/{fallback}"
            assert [s["model"] for s in plan["skipped"]] == [f"fake/{limited}"] and plan["skipped"][0]["reason"]
            assert (await chat(client, model=f"fake/{limited}", models=[f"fake/{fallback}"]))["model"] == \
                f"fake/{fallback}"
    assert fake_provider.count(limited) == 1, "route_explain sends nothing, and the skipped model was not retried"
    assert fake_provider.count(fallback) == 1


async def test_models_list_filters(shared_gateway):
    with anyio.fail_after(30):
        async with Client(shared_gateway.url) as client:
            everything = {m["id"] for m in (await call(client, "models_list"))["models"]}
            tools = {m["id"] for m in (await call(client, "models_list", {"capability": "tools"}))["models"]}
            gem = {m["id"] for m in (await call(client, "models_list", {"provider": "fakegem"}))["models"]}
            aliases = {a["name"] for a in (await call(client, "models_list"))["aliases"]}
    assert {"fake/cheap", "fake/toolful", "fake/gpt-fake", "fakegem/gemini-fake"} <= everything
    assert "fake/toolful" in tools and "fake/cheap" not in tools and tools < everything
    assert gem and all(m.startswith("fakegem/") for m in gem)
    assert "pool" in aliases


@pytest.mark.parametrize("tool,arguments", [
    ("chat", {}),
    ("chat", {"prompt": "hi", "max_tokens": -1}),
    ("chat", {"prompt": "hi", "models": "fake/not-a-list"}),
    ("compare_models", {"prompt": "hi", "models": ["fake/only-one"]}),
    ("models_list", {"capability": "telepathy"}),
    ("alias_set", {"name": "broken"}),
    ("alias_set", {"name": "broken", "definition": {"strategy": "priority", "targets": ["nosuchprovider/x"]}}),
    ("usage_summary", {"group_by": "colour"}),
])
async def test_invalid_arguments_are_jsonrpc_errors(shared_gateway, tool, arguments):
    with anyio.fail_after(30):
        async with Client(shared_gateway.url) as client:
            with pytest.raises(MCPError) as caught:
                await client.call_tool(tool, arguments)
            assert caught.value.code == -32602, caught.value
            assert tool in caught.value.message
            assert (await chat(client))["model"] == "fake/default", "the connection still works"


async def test_usage_summary_counts_requests(routing_gateway, fake_provider):
    gw = routing_gateway()  # a fresh database, so the counts are exactly this test's
    ok_model, bad_model = unique("sum"), unique("sum") + "+status-400"
    with anyio.fail_after(30):
        async with Client(gw.url) as client:
            for _ in range(3):
                await chat(client, model=f"fake/{ok_model}")
            failed = await client.call_tool("chat", {"prompt": "hi", "model": f"fake/{bad_model}"})
            assert failed.is_error
            async with httpx2.AsyncClient(base_url=gw.base, timeout=20) as http:
                assert (await http.post("/v1/chat/completions", json=chat_body(f"fake/{ok_model}"))).status_code == 200

            want = {f"fake/{ok_model}": (4, 0), f"fake/{bad_model}": (1, 1)}
            rows: dict = {}
            with anyio.move_on_after(10):  # rows are written in batches: poll until they are all counted
                while {k: (rows.get(k, {}).get("requests"), rows.get(k, {}).get("errors")) for k in want} != want:
                    summary = await call(client, "usage_summary", {"group_by": "model", "hours": 1})
                    rows = {r["group"]: r for r in summary["rows"]}
                    await anyio.sleep(0.1)
    assert {k: (rows[k]["requests"], rows[k]["errors"]) for k in want if k in rows} == want, summary
    assert summary["group_by"] == "model"
    ok = rows[f"fake/{ok_model}"]
    assert ok["completion_tokens"] > 0 and ok["average_latency_ms"] >= 0
    assert len(usage_rows(gw.db_path)) == 5


async def test_an_alias_set_in_one_process_reaches_another_on_the_same_database(routing_gateway, tmp_path):
    """A `serve` and an agent's session share one database: an alias either sets applies in the other within
    about a second (as keys do), and a delete too."""
    workdir = tmp_path / "shared"
    first, second = routing_gateway(workdir), routing_gateway(workdir)
    alias, target = unique("xproc"), unique("xtarget")

    def routed() -> str | None:
        response = second.http.post("/v1/chat/completions", json={"model": alias,
                                                                  "messages": [{"role": "user", "content": "hi"}]})
        return response.json()["model"] if response.status_code == 200 else None

    with anyio.fail_after(30):
        async with Client(first.url) as client:
            await call(client, "alias_set", {"name": alias, "definition": {"targets": [f"fake/{target}"]}})
            await anyio.to_thread.run_sync(
                lambda: wait_until(lambda: routed() == f"fake/{target}", 5, "the other process never saw the alias"))
            deleted = await client.call_tool("alias_delete", {"name": alias})
            assert not deleted.is_error
            await anyio.to_thread.run_sync(
                lambda: wait_until(lambda: routed() is None, 5, "the other process kept a deleted alias"))
