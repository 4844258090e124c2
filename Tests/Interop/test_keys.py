"""Key governance driven by real clients: `switchyard serve` with an admin key (`SWITCHYARD_ADMIN_KEY` or settings
`admin_key_env`), keys managed over REST (`/v1/keys`, `/prod/*ServiceKey`) and MCP (`keys_*` tools), and every
limit checked from the outside — 401/403/402/429 with the right headers, budgets under 500 concurrent requests
checked against the usage rows in SQLite, revocation within a second on both faces, per-key tool lists, persistence
across a restart, all-or-nothing updates, and the stdio face's `SWITCHYARD_API_KEY`.

Each test starts its own gateway (`governed`), so keys, rate windows and health never leak between tests; the one
`fake-provider` of the session answers every model call. Prices: `fake/priced…` costs $0.001 per token, input and
output, so costs are easy to recompute here.
"""

from __future__ import annotations

import hashlib
import json
import math
import sqlite3
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import anyio
import httpx2
import openai
import pytest
from mcp.shared.exceptions import MCPError

from routing_support import (FAKE_KEY, bearer, chat_body, fake_answer, mcp_client, requires_fake_provider,
                             routing_settings, sse_data, unique, usage_rows, wait_usage_rows)
from support import ServersDir, fake_config, requires_binary, wait_until

pytestmark = [requires_binary, requires_fake_provider]

PRICE = {"input": 1000, "output": 1000}  # USD per million tokens: $0.001 a token
MAX_OUTPUT = 100
PRICED = "fake/priced"
SLOW_PRICED = "fake/priced+latency-50"  # the fake waits 50 ms: concurrent requests overlap
MODELS = {
    "fake/cheap": {"pricing": {"input": 1, "output": 2}, "context_length": 32000, "max_output_tokens": 4096},
    PRICED: {"pricing": PRICE, "max_output_tokens": MAX_OUTPUT},
    SLOW_PRICED: {"pricing": PRICE, "max_output_tokens": MAX_OUTPUT},
}
MANAGEMENT_TOOLS = {"keys_create", "keys_list", "keys_update", "keys_revoke", "usage_report"}


def new_secret(prefix: str = "admin") -> str:
    return f"{prefix}-{uuid.uuid4().hex}"


class Governed:
    """A governed gateway and its admin secret, with the management calls the tests repeat."""

    def __init__(self, gw, admin: str):
        self.gw = gw
        self.admin = admin
        self.admin_http = gw.client(admin)
        self._clients: dict[str | None, httpx2.Client] = {}

    def http(self, secret: str | None) -> httpx2.Client:
        """One client per secret (None: no Authorization header)."""
        if secret not in self._clients:
            self._clients[secret] = self.gw.client(secret)
        return self._clients[secret]

    def create_key(self, **fields: Any) -> tuple[str, str]:
        """POST /v1/keys as the admin: (secret, id)."""
        fields.setdefault("name", unique("key"))
        response = self.admin_http.post("/v1/keys", json=fields)
        assert response.status_code == 201, response.text
        body = response.json()
        return body["key"], body["api_key_id_hash"]

    def key(self, key_id: str) -> dict[str, Any]:
        response = self.admin_http.get(f"/v1/keys/{key_id}")
        assert response.status_code == 200, response.text
        return response.json()["data"]

    def settled(self, key_id: str) -> dict[str, Any]:
        """The key once nothing is in flight (spend is settled after the response is written)."""
        return wait_until(lambda: (k := self.key(key_id))["requests_in_flight"] == 0 and k, 10,
                          f"key {key_id} still has requests in flight")

    def chat(self, secret: str | None, model: str, prompt: str = "hello keys", **extra: Any) -> httpx2.Response:
        return self.http(secret).post("/v1/chat/completions", json=chat_body(model, prompt, **extra))


@pytest.fixture
def governed(routing_gateway, fake_provider):
    """Factory: a gateway with an admin key. `via_settings` names it with `admin_key_env` instead of
    `SWITCHYARD_ADMIN_KEY`; `workdir` reuses a database (restart). The fake's unlisted models (the per-test names
    carrying directives) are priced at zero by their provider's `pricing`, so keys with a budget may call them."""
    def start(workdir: Path | None = None, admin: str | None = None, via_settings: bool = False,
              **overrides: Any) -> Governed:
        admin = admin or new_secret()
        if via_settings:
            env = {"SWITCHYARD_ADMIN_KEY": "", "SY_TEST_ADMIN": admin}
            overrides["admin_key_env"] = "SY_TEST_ADMIN"
        else:
            env = {"SWITCHYARD_ADMIN_KEY": admin}
        overrides.setdefault("models", MODELS)
        providers = routing_settings(fake_provider)["providers"]
        providers["fake"] = {**providers["fake"], "pricing": {"input": 0, "output": 0}}
        overrides.setdefault("providers", providers)
        return Governed(routing_gateway(workdir, env={**env, "SWITCHYARD_API_KEY": ""}, **overrides), admin)
    return start


def key_rows(db_path: Path, key_id: str) -> list[dict[str, Any]]:
    """The `keys` table's row for `key_id`, read with Python's sqlite3 (read-only)."""
    con = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=5)
    try:
        con.row_factory = sqlite3.Row
        return [dict(r) for r in con.execute("SELECT * FROM keys WHERE id = ?", (key_id,))]
    finally:
        con.close()


def error_of(response: httpx2.Response) -> dict[str, Any]:
    body = response.json()
    assert "error" in body, body
    return body["error"]


def tool_text(result) -> str:
    return " ".join(getattr(c, "text", "") for c in result.content)


async def tool_ok(client, tool: str, arguments: dict | None = None) -> dict[str, Any]:
    result = await client.call_tool(tool, arguments or {})
    assert not result.is_error, f"{tool}({arguments}) failed: {tool_text(result)}"
    return result.structured_content


async def tool_names(client) -> set[str]:
    return {t.name for t in (await client.list_tools(cache_mode="bypass")).tools}


def estimate(prompt: str, max_output: int = MAX_OUTPUT) -> float:
    """What Switchyard reserves for one `chat_body(model, prompt)` on a $0.001/token model: its prompt estimate
    (bytes of the messages' JSON / 4 + 4 per message + 3) plus the maximum output."""
    message = json.dumps({"role": "user", "content": prompt}, separators=(",", ":"))
    prompt_tokens = len(message.encode()) // 4 + 4 + 3
    return (prompt_tokens * PRICE["input"] + max_output * PRICE["output"]) / 1e6


# ---- 1. open mode ------------------------------------------------------------------------------------------

@pytest.mark.anyio
async def test_open_mode_needs_no_key(routing_gateway):
    gw = routing_gateway(env={"SWITCHYARD_ADMIN_KEY": ""})
    name = unique("open")
    async with httpx2.AsyncClient(base_url=gw.base, timeout=20) as http:
        response = await http.post("/v1/chat/completions", json=chat_body(f"fake/{name}"))
        assert response.status_code == 200, response.text
        assert response.json()["choices"][0]["message"]["content"] == fake_answer(name, "hello world")
        assert "x-switchyard-budget-remaining" not in response.headers
        assert (await http.get("/v1/models")).status_code == 200
        anything = await http.get("/v1/models", headers=bearer("not-a-key"))
        assert anything.status_code == 200, "open mode accepts any key, including a made-up one"
    with anyio.fail_after(30):
        async with mcp_client(gw.url) as client:
            assert {"chat", "models_list"} <= await tool_names(client)
            assert (await tool_ok(client, "chat", {"prompt": "hi", "model": f"fake/{name}"}))["model"] == f"fake/{name}"


# ---- 2. authentication on every face -------------------------------------------------------------------------

MCP_INIT = {"jsonrpc": "2.0", "id": 1, "method": "initialize",
            "params": {"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "t", "version": "0"}}}
MCP_HEADERS = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}


@pytest.mark.anyio
@pytest.mark.parametrize("via_settings", [False, True], ids=["env", "admin_key_env"])
async def test_governed_refuses_missing_and_wrong_keys(governed, via_settings):
    g = governed(via_settings=via_settings)
    name = unique("auth")
    for secret in (None, "sk-sy-wrong", g.admin + "x", g.admin[:-1]):
        http = g.http(secret)
        for method, path, body in (("POST", "/v1/chat/completions", chat_body(f"fake/{name}")),
                                   ("GET", "/v1/models", None), ("GET", "/v1/keys", None),
                                   ("POST", "/prod/getServiceKeys", None)):
            response = http.request(method, path, json=body)
            assert response.status_code == 401, f"{method} {path} with {secret!r}: {response.status_code} {response.text}"
            assert error_of(response)["type"] == "authentication_error"
            if path.startswith("/v1/"):
                assert response.headers.get("www-authenticate", "").lower().startswith("bearer"), path
        mcp = http.post("/mcp", json=MCP_INIT, headers=MCP_HEADERS)
        assert mcp.status_code == 401, f"/mcp with {secret!r}: {mcp.status_code} {mcp.text}"
        assert mcp.headers.get("www-authenticate", "").lower().startswith("bearer")
    # x-api-key is read too (Anthropic SDKs), and a wrong one is refused the same way.
    assert g.http(None).get("/v1/models", headers={"x-api-key": "wrong"}).status_code == 401
    assert g.http(None).get("/v1/models", headers={"x-api-key": g.admin}).status_code == 200

    # The SDKs: refused without a key, served with the admin key.
    with pytest.raises(openai.AuthenticationError):
        g.gw.openai(api_key="sk-sy-wrong").chat.completions.create(model=f"fake/{name}", messages=[{"role": "user", "content": "x"}])
    answer = g.gw.openai(api_key=g.admin).chat.completions.create(model=f"fake/{name}", messages=[{"role": "user", "content": "x"}])
    assert answer.choices[0].message.content == fake_answer(name, "x")
    for mode in ("legacy", "auto"):
        statuses: list[int] = []
        with anyio.fail_after(30):
            with pytest.raises(Exception):
                async with mcp_client(g.gw.url, "sk-sy-wrong", mode=mode, statuses=statuses) as client:
                    await client.list_tools()
        assert 401 in statuses, f"{mode}: {statuses}"
        with anyio.fail_after(30):
            async with mcp_client(g.gw.url, g.admin, mode=mode) as client:
                assert MANAGEMENT_TOOLS | {"chat", "servers_list"} <= await tool_names(client)
    rows = wait_usage_rows(g.gw.db_path, 1, "requested_model = ? AND status = 'ok'", (f"fake/{name}",))
    assert len(rows) == 1 and rows[0]["key_id"] is None, "the admin's call is not charged to any key"


def test_refused_keys_never_reach_the_upstream(governed, fake_provider):
    g = governed()
    name = unique("never")
    for secret in (None, "sk-sy-nope"):
        assert g.chat(secret, f"fake/{name}").status_code == 401
    assert fake_provider.count(name) == 0
    rows = wait_usage_rows(g.gw.db_path, 2, "requested_model = ?", (f"fake/{name}",))
    assert [(r["http_status"], r["key_id"], r["status"]) for r in rows] == [(401, None, "error")] * 2, \
        "every refusal is a usage row, with no key to charge"


@pytest.mark.anyio
async def test_provisioning_key_manages_keys_but_cannot_call_models(governed, fake_provider):
    g = governed()
    prov, prov_id = g.create_key(kind="provisioning")
    api, api_id = g.create_key(kind="api")
    name = unique("prov")
    created = g.http(prov).post("/v1/keys", json={"name": "made-by-provisioning"})
    assert created.status_code == 201, created.text
    assert created.json()["key"].startswith("sk-sy-")
    listed = g.http(prov).get("/v1/keys")
    assert listed.status_code == 200 and {prov_id, api_id, created.json()["api_key_id_hash"]} <= \
        {k["id"] for k in listed.json()["data"]}
    assert g.http(prov).post("/prod/getServiceKeys").status_code == 200

    refused = g.chat(prov, f"fake/{name}")
    assert refused.status_code == 403, refused.text
    assert error_of(refused)["type"] == "permission_error"
    assert fake_provider.count(name) == 0
    # An api key calls models but manages nothing.
    assert g.chat(api, f"fake/{name}").status_code == 200
    for method, path in (("GET", "/v1/keys"), ("POST", "/v1/keys"), ("POST", "/prod/createServiceKey"),
                         ("GET", f"/v1/keys/{api_id}"), ("DELETE", f"/v1/keys/{prov_id}")):
        response = g.http(api).request(method, path, json={"name": "x"} if method == "POST" else None)
        assert response.status_code == 403, f"{method} {path} as an api key: {response.status_code} {response.text}"
    assert g.key(prov_id)["name"], "the api key's DELETE must not have revoked anything"

    with anyio.fail_after(30):
        async with mcp_client(g.gw.url, prov) as client:
            names = await tool_names(client)
            assert MANAGEMENT_TOOLS <= names and "chat" not in names and "compare_models" not in names, names
            made = await tool_ok(client, "keys_create", {"fields": {"name": "via-mcp-provisioning"}})
            assert made["key"].startswith("sk-sy-")
            refused_tool = await client.call_tool("chat", {"prompt": "hi", "model": f"fake/{name}"})
            assert refused_tool.is_error
        async with mcp_client(g.gw.url, api) as client:
            names = await tool_names(client)
            assert "chat" in names and not (MANAGEMENT_TOOLS & names), names
            refused_tool = await client.call_tool("keys_list", {})
            assert refused_tool.is_error and "403" in tool_text(refused_tool)
    assert fake_provider.count(name) == 1
    rows = wait_usage_rows(g.gw.db_path, 1, "key_id = ? AND http_status = 403", (prov_id,))
    assert rows[0]["requested_model"] == f"fake/{name}", "the refused model call is a usage row of its key"


def test_disabled_and_expired_keys_are_refused(governed):
    g = governed()
    name = unique("gone")
    disabled, disabled_id = g.create_key(disabled=True)
    expired, _ = g.create_key(expires_at=time.time() - 5)
    later, _ = g.create_key(expires_at=time.time() + 3600)
    assert g.chat(disabled, f"fake/{name}").status_code == 401
    assert g.chat(expired, f"fake/{name}").status_code == 401
    assert g.chat(later, f"fake/{name}").status_code == 200
    assert g.admin_http.patch(f"/v1/keys/{disabled_id}", json={"disabled": False}).status_code == 200
    assert g.chat(disabled, f"fake/{name}").status_code == 200, "re-enabled keys work again"


# ---- 3. creating keys on three paths, secrets shown once -----------------------------------------------------

@pytest.mark.anyio
async def test_keys_created_three_ways_show_their_secret_once(governed):
    g = governed()
    name = unique("three")
    rest = g.admin_http.post("/v1/keys", json={"name": "via-rest", "tags": ["team-a"]})
    assert rest.status_code == 201, rest.text
    prod = g.admin_http.post("/prod/createServiceKey", json={"name": "via-prod"})
    assert prod.status_code in (200, 201), prod.text
    with anyio.fail_after(30):
        async with mcp_client(g.gw.url, g.admin) as client:
            via_mcp = await tool_ok(client, "keys_create", {"fields": {"name": "via-mcp"}})
            listed_by_tool = await tool_ok(client, "keys_list")
    made = {"via-rest": (rest.json()["key"], rest.json()["api_key_id_hash"]),
            "via-prod": (prod.json()["key"], prod.json()["api_key_id_hash"]),
            "via-mcp": (via_mcp["key"], via_mcp["id"])}
    assert rest.json()["data"]["id"] == made["via-rest"][1] and rest.json()["data"]["name"] == "via-rest"
    assert rest.json()["data"]["tags"] == ["team-a"]
    assert len({secret for secret, _ in made.values()}) == 3
    for key_name, (secret, key_id) in made.items():
        assert secret.startswith("sk-sy-") and len(secret) >= 40, secret
        response = g.chat(secret, f"fake/{name}")
        assert response.status_code == 200, f"{key_name}: {response.text}"

    listings = {"GET /v1/keys": g.admin_http.get("/v1/keys").text,
                "POST /prod/getServiceKeys": g.admin_http.post("/prod/getServiceKeys").text,
                "keys_list": json.dumps(listed_by_tool)}
    for key_name, (secret, key_id) in made.items():
        listings[f"GET /v1/keys/{key_id}"] = g.admin_http.get(f"/v1/keys/{key_id}").text
    listed_ids = {k["id"]: k for k in g.admin_http.get("/v1/keys").json()["data"]}
    for key_name, (secret, key_id) in made.items():
        assert listed_ids[key_id]["name"] == key_name
        full_hash = hashlib.sha256(secret.encode()).hexdigest()
        for where, text in listings.items():
            assert secret not in text and secret[6:] not in text, f"{where} shows the secret of {key_name}"
            assert full_hash not in text and full_hash[16:] not in text, f"{where} shows the hash of {key_name}"
    # Nothing stores or logs the secret itself either.
    logs = "\n".join(g.gw.stderr.lines + g.gw.stdout.lines)
    for secret in [g.admin] + [secret for secret, _ in made.values()]:
        assert secret not in logs, "a secret was logged"
    for path in g.gw.workdir.glob("usage.db*"):
        blob = path.read_bytes()
        for secret, _ in made.values():
            assert secret.encode() not in blob, f"{path.name} contains a secret"


# ---- 4. budgets under 500 concurrent requests ---------------------------------------------------------------

def test_budget_holds_under_500_concurrent_requests(governed):
    """500 identical requests, 64 at a time, on a budget of 100.5 requests. A request is admitted only while the
    settled spend plus the reservations of the requests in flight is under the limit, and every reservation covers
    its request's actual cost, so request n+1 is admitted only if n * cost < limit: exactly 101 are ever served,
    and the key overspends by half a request, less than one estimate."""
    g = governed()
    prompt = " ".join(f"w{i:02d}" for i in range(80))
    # What one request costs: asked once with the admin key (no budget).
    calibration = g.chat(g.admin, SLOW_PRICED, prompt)
    assert calibration.status_code == 200, calibration.text
    usage = calibration.json()["usage"]
    assert usage["completion_tokens"] <= MAX_OUTPUT, "the estimate must be an upper bound of the actual cost"
    one = usage["cost"]
    assert one == pytest.approx((usage["prompt_tokens"] + usage["completion_tokens"]) / 1000)
    most = estimate(prompt)
    assert one < most
    limit = round(100.5 * one, 9)
    secret, key_id = g.create_key(credit_limit=limit)

    results: list[tuple[int, dict, httpx2.Headers]] = []

    async def burst() -> None:
        limits = httpx2.Limits(max_connections=64, max_keepalive_connections=64)
        async with httpx2.AsyncClient(base_url=g.gw.base, headers=bearer(secret), limits=limits, timeout=60) as http:
            async def one_request() -> None:
                response = await http.post("/v1/chat/completions", json=chat_body(SLOW_PRICED, prompt))
                results.append((response.status_code, response.json(), response.headers))
            async with anyio.create_task_group() as tg:
                for _ in range(500):
                    tg.start_soon(one_request)

    started = time.monotonic()
    anyio.run(burst)
    elapsed = time.monotonic() - started
    assert elapsed < 30, f"500 requests took {elapsed:.1f}s"
    statuses = Counter(status for status, _, _ in results)
    assert set(statuses) <= {200, 402}, f"every request is served or refused for its budget: {statuses}"
    assert 50 <= statuses[200] <= 101 and statuses[402] > 0, statuses
    ok = [(body, headers) for status, body, headers in results if status == 200]
    for body, headers in ok:
        assert body["usage"]["cost"] == pytest.approx(one)
        remaining = float(headers["x-switchyard-budget-remaining"])
        assert 0 <= remaining <= limit
    for status, body, _ in results:
        if status == 402:
            assert body["error"]["type"] == "insufficient_quota", body

    key = g.settled(key_id)
    assert key["spend"] <= limit + most, f"overspent: {key['spend']} > {limit} + one estimate {most}"
    assert math.isclose(sum(body["usage"]["cost"] for body, _ in ok), key["spend"], abs_tol=1e-9)

    # Requests refused while others held reservations may have left budget: sequential requests use it up.
    extra = 0
    while (response := g.chat(secret, SLOW_PRICED, prompt)).status_code == 200:
        ok.append((response.json(), response.headers))
        extra += 1
        assert extra <= 101, "the budget never ran out"
    assert response.status_code == 402, response.text
    assert len(ok) == 101, f"{len(ok)} requests served on a budget of 100.5 requests ({statuses} in the burst)"
    key = g.settled(key_id)
    assert limit <= key["spend"] <= limit + most, (key["spend"], limit, most)
    assert key["spend"] == pytest.approx(101 * one) and key["remaining"] == 0
    assert math.isclose(sum(body["usage"]["cost"] for body, _ in ok), key["spend"], abs_tol=1e-9)

    # The usage rows (every request, refusals included) add up to the spend counter.
    total = 500 + extra + 1
    rows = wait_usage_rows(g.gw.db_path, total, "key_id = ?", (key_id,))
    assert len(rows) == total
    assert Counter(r["http_status"] for r in rows) == Counter({200: 101, 402: total - 101})
    assert math.isclose(math.fsum(r["cost"] or 0 for r in rows), key["spend"], abs_tol=1e-9)
    by_id = {r["id"]: r for r in rows}
    for body, _ in ok:
        assert by_id[body["id"]]["cost"] == pytest.approx(body["usage"]["cost"], abs=1e-12)

    # And so does the counter the gateway wrote to SQLite, read after it stopped.
    g.gw.close()
    assert g.gw.proc.returncode == 0, g.gw.stderr.tail()
    stored = key_rows(g.gw.db_path, key_id)
    assert len(stored) == 1 and math.isclose(stored[0]["spend"], key["spend"], abs_tol=1e-9), stored
    assert math.isclose(stored[0]["total_spend"], key["spend"], abs_tol=1e-9)
    rows = usage_rows(g.gw.db_path, "key_id = ?", (key_id,))
    assert len(rows) == total and math.isclose(math.fsum(r["cost"] or 0 for r in rows), stored[0]["spend"], abs_tol=1e-9)


@pytest.mark.anyio
async def test_usage_report_groups_by_key(governed):
    g = governed()
    a, a_id = g.create_key(name="alpha")
    b, b_id = g.create_key(name="beta", credit_limit=1e-9)
    for _ in range(3):
        assert g.chat(a, PRICED).status_code == 200
    assert g.chat(b, PRICED).status_code == 200  # admitted while budget is left, then spent
    assert g.chat(b, PRICED).status_code == 402
    wait_usage_rows(g.gw.db_path, 5, "key_id IN (?, ?)", (a_id, b_id))
    with anyio.fail_after(30):
        async with mcp_client(g.gw.url, g.admin) as client:
            report = await tool_ok(client, "usage_report", {"group_by": "key", "hours": 1})
            summary = await tool_ok(client, "usage_summary", {"group_by": "key", "hours": 1})
    for result in (report, summary):
        rows = {r["group"]: r for r in result["rows"]}
        assert rows[a_id]["requests"] == 3 and rows[a_id]["errors"] == 0
        assert rows[b_id]["requests"] == 2 and rows[b_id]["errors"] == 1
        assert math.isclose(rows[a_id]["cost"], g.key(a_id)["spend"], abs_tol=1e-9)
        assert math.isclose(rows[b_id]["cost"], g.key(b_id)["spend"], abs_tol=1e-9)


def test_generation_rows_are_per_key(governed):
    g = governed()
    a, _ = g.create_key()
    b, _ = g.create_key()
    answer = g.chat(a, PRICED)
    assert answer.status_code == 200
    gen = answer.json()["id"]
    wait_until(lambda: g.http(a).get("/v1/generation", params={"id": gen}).status_code == 200, 10,
               "the key never saw its own usage row")
    mine = g.http(a).get("/v1/generation", params={"id": gen}).json()["data"]
    assert mine["total_cost"] == pytest.approx(answer.json()["usage"]["cost"])
    assert g.http(b).get("/v1/generation", params={"id": gen}).status_code == 404, "another key's row is hidden"
    assert g.admin_http.get("/v1/generation", params={"id": gen}).status_code == 200, "the admin sees every row"


# ---- 5. rate limits ----------------------------------------------------------------------------------------

def test_rpm_limit_is_exact_and_says_when_to_retry(governed, fake_provider):
    g = governed()
    secret, key_id = g.create_key(rpm_limit=5)
    name = unique("rpm")
    with ThreadPoolExecutor(8) as pool:
        responses = list(pool.map(lambda _: g.gw.client(secret).post(
            "/v1/chat/completions", json=chat_body(f"fake/{name}")), range(8)))
    statuses = Counter(r.status_code for r in responses)
    assert statuses == Counter({200: 5, 429: 3}), statuses
    sixth = g.chat(secret, f"fake/{name}")
    for response in [r for r in responses if r.status_code == 429] + [sixth]:
        assert response.status_code == 429, response.text
        assert error_of(response)["type"] == "rate_limit_error"
        retry_after = response.headers.get("retry-after")
        assert retry_after is not None and 1 <= int(retry_after) <= 60, retry_after
    assert fake_provider.count(name) == 5, "refused requests never reach the provider"
    rows = wait_usage_rows(g.gw.db_path, 9, "key_id = ?", (key_id,))
    assert Counter(r["http_status"] for r in rows) == Counter({200: 5, 429: 4})
    # Raising the limit takes effect at once.
    assert g.admin_http.patch(f"/v1/keys/{key_id}", json={"rpm_limit": 6}).status_code == 200
    assert g.chat(secret, f"fake/{name}").status_code == 200
    assert g.chat(secret, f"fake/{name}").status_code == 429


def test_tpm_limit_counts_actual_tokens(governed):
    g = governed()
    secret, _ = g.create_key(tpm_limit=40)
    name = unique("tpm")
    used: list[int] = []
    while (response := g.chat(secret, f"fake/{name}", "one two three four")).status_code == 200:
        used.append(response.json()["usage"]["total_tokens"])
        assert len(used) < 40, "the tpm limit never applied"
    assert response.status_code == 429, response.text
    assert 1 <= int(response.headers["retry-after"]) <= 60
    assert sum(used) >= 40 > sum(used[:-1]), f"admitted while under 40 tokens, refused after: {used}"


def test_max_in_flight(governed):
    g = governed()
    secret, key_id = g.create_key(max_in_flight=2)
    model = f"fake/{unique('inflight')}+latency-1500"
    with ThreadPoolExecutor(6) as pool:
        clients = [g.gw.client(secret) for _ in range(6)]
        for c in clients:  # connect first, so the six requests really start together
            c.get("/v1/models")
        responses = list(pool.map(lambda c: c.post("/v1/chat/completions", json=chat_body(model)), clients))
    statuses = Counter(r.status_code for r in responses)
    assert statuses == Counter({200: 2, 429: 4}), statuses
    for r in responses:
        if r.status_code == 429:
            assert 1 <= int(r.headers["retry-after"]) <= 60
    assert g.settled(key_id)["requests_in_flight"] == 0
    assert g.chat(secret, f"fake/{unique('inflight')}").status_code == 200, "the slots are released"


# ---- 6. revocation -----------------------------------------------------------------------------------------

@pytest.mark.anyio
@pytest.mark.parametrize("mode", ["legacy", "auto"])
async def test_revoked_key_is_refused_on_both_faces(governed, mode):
    g = governed()
    secret, key_id = g.create_key()
    name = unique("revoke")
    statuses: list[int] = []
    with anyio.fail_after(30):
        async with mcp_client(g.gw.url, secret, mode=mode, statuses=statuses) as client:
            assert (await tool_ok(client, "chat", {"prompt": "hi", "model": f"fake/{name}"}))["model"] == f"fake/{name}"
            assert g.chat(secret, f"fake/{name}").status_code == 200
            deleted = g.admin_http.delete(f"/v1/keys/{key_id}")
            assert deleted.status_code == 200, deleted.text
            revoked_at = time.monotonic()
            wait_until(lambda: g.chat(secret, f"fake/{name}").status_code == 401, 1,
                       "the revoked key still works over HTTP after a second")
            assert time.monotonic() - revoked_at < 1
            before = len(statuses)
            with pytest.raises(MCPError):
                await client.list_tools(cache_mode="bypass")
            assert statuses[before:] and statuses[before] == 401, statuses[before:]
            before = len(statuses)
            with pytest.raises(MCPError):
                await client.call_tool("chat", {"prompt": "hi", "model": f"fake/{name}"})
            assert 401 in statuses[before:], statuses[before:]
    assert g.admin_http.get(f"/v1/keys/{key_id}").status_code == 404
    assert g.admin_http.delete(f"/v1/keys/{key_id}").status_code == 404
    with anyio.fail_after(30):
        with pytest.raises(Exception):
            async with mcp_client(g.gw.url, secret, mode=mode) as client:
                await client.list_tools()


@pytest.mark.anyio
async def test_prod_and_mcp_revocation(governed):
    g = governed()
    a, a_id = g.create_key()
    b, b_id = g.create_key()
    response = g.admin_http.post("/prod/deleteServiceKey", json={"api_key_id_hash": a_id})
    assert response.status_code == 200, response.text
    assert g.chat(a, f"fake/{unique('rv')}").status_code == 401
    with anyio.fail_after(30):
        async with mcp_client(g.gw.url, g.admin) as client:
            await tool_ok(client, "keys_revoke", {"id": b_id})
            gone = await client.call_tool("keys_revoke", {"id": b_id})
            assert gone.is_error, "revoking an unknown key says so"
    assert g.chat(b, f"fake/{unique('rv')}").status_code == 401


# ---- 7. per-key tools and models ---------------------------------------------------------------------------

@pytest.mark.anyio
@pytest.mark.parametrize("mode", ["legacy", "auto"])
async def test_allowed_tools_and_models(governed, fake_provider, mode):
    g = governed()
    secret, key_id = g.create_key(allowed_tools=["chat", "models_list"], allowed_models=["fake/*"])
    ok_name, denied_name = unique("allowed"), unique("denied")
    with anyio.fail_after(30):
        async with mcp_client(g.gw.url, secret, mode=mode) as client:
            assert await tool_names(client) == {"chat", "models_list"}
            for tool in ("servers_list", "keys_list", "alias_set", "compare_models"):
                refused = await client.call_tool(tool, {})
                assert refused.is_error, f"{tool} is not allowed for this key"
            denied = await client.call_tool("chat", {"prompt": "hi", "model": f"fakeant/{denied_name}"})
            assert denied.is_error and "403" in tool_text(denied), tool_text(denied)
            allowed = await tool_ok(client, "chat", {"prompt": "hi", "model": f"fake/{ok_name}"})
            assert allowed["text"] == fake_answer(ok_name, "hi")
            assert (await tool_ok(client, "models_list"))
    http = g.chat(secret, f"fakeant/{denied_name}")
    assert http.status_code == 403, http.text
    assert error_of(http)["type"] == "permission_error"
    for body in (chat_body("pool"), chat_body(f"fake/{ok_name}", models=[f"fakeant/{denied_name}"])):
        refused = g.http(secret).post("/v1/chat/completions", json=body)
        assert refused.status_code == 403, f"{body}: {refused.status_code} {refused.text}"
    assert g.chat(secret, f"fake/{ok_name}").status_code == 200
    embeddings = g.http(secret).post("/v1/embeddings", json={"model": f"fakegem/{denied_name}", "input": "hi"})
    assert embeddings.status_code == 403, embeddings.text
    assert fake_provider.count(denied_name) == 0
    rows = wait_usage_rows(g.gw.db_path, 6, "key_id = ? AND http_status = 403", (key_id,))
    assert len(rows) == 6, "one row per refused model call (chat and the compare_models tool over MCP, 4 over HTTP)"
    assert {r["face"] for r in rows} == {"http", "mcp"}


# ---- 8. persistence ----------------------------------------------------------------------------------------

def test_keys_and_spend_survive_a_restart(governed, tmp_path):
    workdir = tmp_path / "restart"
    admin = new_secret()
    g = governed(workdir, admin=admin)
    secret, key_id = g.create_key(credit_limit=5.0, rpm_limit=1000, allowed_models=["fake/*"])
    revoked, revoked_id = g.create_key()
    disabled, disabled_id = g.create_key()
    for _ in range(3):
        assert g.chat(secret, PRICED).status_code == 200
    assert g.admin_http.patch(f"/v1/keys/{key_id}", json={"name": "renamed", "tags": ["t1"]}).status_code == 200
    assert g.admin_http.patch(f"/v1/keys/{disabled_id}", json={"disabled": True}).status_code == 200
    assert g.admin_http.delete(f"/v1/keys/{revoked_id}").status_code == 200
    before = g.settled(key_id)
    assert before["spend"] > 0
    g.gw.close()
    assert g.gw.proc.returncode == 0, g.gw.stderr.tail()

    g = governed(workdir, admin=admin)
    listed = {k["id"]: k for k in g.admin_http.get("/v1/keys").json()["data"]}
    assert key_id in listed, "a key created before the restart must still exist after it"
    assert revoked_id not in listed, "a key revoked before the restart stays revoked"
    after = listed[key_id]
    for field in ("spend", "total_spend", "credit_limit", "remaining", "rpm_limit", "allowed_models", "name",
                  "tags", "created_at"):
        assert after[field] == before[field], f"{field}: {before[field]} before the restart, {after[field]} after"
    assert listed[disabled_id]["disabled"] is True
    assert g.chat(revoked, PRICED).status_code == 401
    assert g.chat(disabled, PRICED).status_code == 401
    response = g.chat(secret, PRICED)
    assert response.status_code == 200, response.text
    assert g.settled(key_id)["spend"] == pytest.approx(before["spend"] + response.json()["usage"]["cost"], abs=1e-12)
    assert g.chat(secret, "fakeant/x").status_code == 403, "the key's limits survive too"


def test_stdio_serves_a_stored_key(governed, stdio_gateway, tmp_path):
    """A key created over HTTP opens a stdio session on the same database (needs keys in SQLite)."""
    workdir = tmp_path / "shared-db"
    admin = new_secret()
    g = governed(workdir, admin=admin)
    secret, key_id = g.create_key(allowed_tools=["chat"])
    g.gw.close()
    client = stdio_gateway("--config", str(g.gw.config),
                           env={"SWITCHYARD_ADMIN_KEY": admin, "SWITCHYARD_API_KEY": secret, "FAKE_KEY": FAKE_KEY},
                           initialize=False)
    wait_until(lambda: client.proc.poll() is not None or client.stderr.lines, 10, "stdio said nothing")
    assert client.proc.poll() is None, f"stdio refused a stored key:\n{client.stderr.tail()}"
    client.initialize()
    assert client.tool_names() == {"chat"}


# ---- 9. bad input ------------------------------------------------------------------------------------------

@pytest.mark.anyio
async def test_bad_fields_are_refused_and_change_nothing(governed):
    g = governed()
    before_ids = {k["id"] for k in g.admin_http.get("/v1/keys").json()["data"]}
    for fields, field in (({"name": "x", "rpm_limit": -1}, "rpm_limit"), ({"name": "x", "bogus": 1}, "bogus"),
                          ({"name": "x", "kind": "admin"}, "kind"), ({"name": "x", "credit_limit": "ten"}, "credit_limit"),
                          ({"name": "x", "reset_budget_interval": "hourly"}, "reset_budget_interval"),
                          ({"name": "x", "allowed_models": "fake/*"}, "allowed_models"), ({"rpm_limit": 5}, "name"),
                          ({"name": "x", "tags": [1]}, "tags"), ({"name": "x", "max_in_flight": 1.5}, "max_in_flight"),
                          ({"name": "x", "disabled": "yes"}, "disabled"), ({"name": "x", "expires_at": "soon"}, "expires_at"),
                          ({"name": ""}, "name")):
        for path in ("/v1/keys", "/prod/createServiceKey"):
            response = g.admin_http.post(path, json=fields)
            assert response.status_code == 400, f"{path} {fields}: {response.status_code} {response.text}"
            error = error_of(response)
            param = (error.get("param") or "").split("[")[0]  # `tags[0]` names the field too
            assert field in error["message"] and param == field, f"{fields}: {error}"
    assert {k["id"] for k in g.admin_http.get("/v1/keys").json()["data"]} == before_ids, "no key was half-created"

    secret, key_id = g.create_key(name="steady", rpm_limit=7)
    original = g.key(key_id)
    for path, body in ((f"/v1/keys/{key_id}", {"name": "renamed", "rpm_limit": -1}),
                       ("/prod/updateServiceKey", {"api_key_id_hash": key_id, "name": "renamed", "tpm_limit": 0})):
        response = g.admin_http.request("PATCH" if path.startswith("/v1") else "POST", path, json=body)
        assert response.status_code == 400, f"{path}: {response.status_code} {response.text}"
        assert g.key(key_id) == original, f"{path}: a refused update changed the key"
    assert g.admin_http.patch("/v1/keys/key_0000000000000000", json={"name": "x"}).status_code == 404
    missing_id = g.admin_http.post("/prod/updateServiceKey", json={"name": "x"})
    assert missing_id.status_code == 400 and error_of(missing_id).get("param") == "api_key_id_hash", missing_id.text
    for raw in (b"{not json", b"[1, 2]"):
        response = g.admin_http.post("/v1/keys", content=raw, headers={"Content-Type": "application/json"})
        assert response.status_code == 400, f"{raw!r}: {response.status_code} {response.text}"

    with anyio.fail_after(30):
        async with mcp_client(g.gw.url, g.admin) as client:
            for arguments in ({"fields": {"name": "x", "rpm_limit": -1}}, {"fields": {"bogus": True}}, {}):
                with pytest.raises(MCPError) as raised:
                    await client.call_tool("keys_create", arguments)
                assert raised.value.code == -32602, raised.value
            with pytest.raises(MCPError) as raised:
                await client.call_tool("keys_update", {"id": key_id, "fields": {"name": "renamed", "max_in_flight": 0}})
            assert raised.value.code == -32602 and "max_in_flight" in raised.value.message
            listed = await tool_ok(client, "keys_list")
    assert [k["name"] for k in listed["keys"]] == ["steady"]
    assert g.key(key_id) == original
    assert g.chat(secret, f"fake/{unique('steady')}").status_code == 200


# ---- 10. stdio ---------------------------------------------------------------------------------------------

def test_stdio_needs_a_key_when_governed(stdio_gateway, fake_provider, tmp_path):
    admin = new_secret()
    config = tmp_path / "stdio" / "switchyard.json"
    config.parent.mkdir()
    config.write_text(json.dumps(routing_settings(fake_provider, models=MODELS)))
    env = {"SWITCHYARD_ADMIN_KEY": admin, "FAKE_KEY": FAKE_KEY}

    for key in ("", "sk-sy-wrong"):
        refused = stdio_gateway("--config", str(config), env={**env, "SWITCHYARD_API_KEY": key}, initialize=False)
        wait_until(lambda: refused.proc.poll() is not None, 10, "stdio kept running without a valid key")
        assert refused.proc.returncode != 0
        message = "\n".join(refused.stderr.lines)
        assert "SWITCHYARD_API_KEY" in message, message
        assert admin not in message

    served = stdio_gateway("--config", str(config), env={**env, "SWITCHYARD_API_KEY": admin})
    names = served.tool_names()
    assert MANAGEMENT_TOOLS | {"chat"} <= names
    name = unique("stdio")
    answer = served.call_tool("chat", {"prompt": "hi", "model": f"fake/{name}"})
    assert not answer.get("isError") and answer["structuredContent"]["text"] == fake_answer(name, "hi")
    made = served.call_tool("keys_create", {"fields": {"name": "from-stdio"}})
    assert made["structuredContent"]["key"].startswith("sk-sy-")


# ---- more: downstream servers, session binding, every way of spending, shutdown --------------------------------

def governed_with_alpha_and_beta(governed, tmp_path):
    """A governed gateway with two fixture servers, alpha and beta, downstream."""
    workdir = tmp_path / "downstream"
    servers = ServersDir(workdir / "servers.d")
    servers.write("alpha", fake_config())
    servers.write("beta", fake_config())
    return governed(workdir)


ADMINISTRATION_TOOLS = {"servers_add", "servers_remove", "servers_restart", "alias_set", "alias_delete"}


@pytest.mark.anyio
@pytest.mark.parametrize("kind", ["api", "provisioning"])
async def test_only_the_admin_changes_the_gateway(governed, tmp_path, kind):
    """servers_add runs a command on the host and servers_remove/alias_set change everyone's gateway: an API or
    provisioning key neither sees nor calls them, and servers_list shows a key only the servers it may use."""
    g = governed_with_alpha_and_beta(governed, tmp_path)
    secret, _ = g.create_key(kind=kind, allowed_servers=["alpha"])
    marker = tmp_path / "ran"
    with anyio.fail_after(60):
        async with mcp_client(g.gw.url, g.admin) as admin:
            assert ADMINISTRATION_TOOLS <= await tool_names(admin)
        async with mcp_client(g.gw.url, secret) as client:
            assert not ADMINISTRATION_TOOLS & await tool_names(client)
            attempts = {
                "servers_add": {"name": "x", "config": {"command": "/bin/sh", "args": ["-c", f"touch {marker}"]}},
                "servers_remove": {"name": "beta"},
                "servers_restart": {"name": "beta"},
                "alias_set": {"name": "hijack", "definition": {"targets": ["fake/evil"]}},
                "alias_delete": {"name": "pool"},
            }
            for tool, arguments in attempts.items():
                result = await client.call_tool(tool, arguments)
                assert result.is_error and "403" in tool_text(result), (tool, tool_text(result))
            if kind == "api":
                listing = await tool_ok(client, "servers_list")
                assert [s["name"] for s in listing["servers"]] == ["alpha"], listing
    await anyio.sleep(0.5)
    assert not marker.exists(), "a key ran a command on the host"
    assert (tmp_path / "downstream" / "servers.d" / "beta.json").exists()


@pytest.mark.anyio
async def test_allowed_servers_and_tool_globs_filter_downstream_tools(governed, tmp_path):
    g = governed_with_alpha_and_beta(governed, tmp_path)
    only_alpha, _ = g.create_key(allowed_servers=["alpha"])
    echo_only, _ = g.create_key(allowed_tools=["beta__echo", "models_*"])
    with anyio.fail_after(30):
        async with mcp_client(g.gw.url, g.admin) as admin:
            async def both_listed():
                names = await tool_names(admin)
                return {"alpha__echo", "beta__echo"} <= names
            while not await both_listed():
                await anyio.sleep(0.05)
        async with mcp_client(g.gw.url, only_alpha) as client:
            names = await tool_names(client)
            assert "alpha__echo" in names and "chat" in names, names
            assert not any(n.startswith("beta__") for n in names), names
            assert not (MANAGEMENT_TOOLS & names)
            echoed = await client.call_tool("alpha__echo", {"text": "hi"})
            assert not echoed.is_error, tool_text(echoed)
            refused = await client.call_tool("beta__echo", {"text": "hi"})
            assert refused.is_error and "403" in tool_text(refused), tool_text(refused)
        async with mcp_client(g.gw.url, echo_only) as client:
            assert await tool_names(client) == {"beta__echo", "models_list"}
            assert not (await client.call_tool("beta__echo", {"text": "hi"})).is_error
            assert (await client.call_tool("beta__add", {"a": 1, "b": 2})).is_error
            assert (await client.call_tool("alpha__echo", {"text": "hi"})).is_error


@pytest.mark.anyio
async def test_allowed_servers_filter_resources_and_prompts(governed, tmp_path):
    """Resources, templates and prompts belong to their server: a key limited to some servers sees and uses only
    theirs. Both servers list fixture://readme; each key reads it from a server it may use."""
    g = governed_with_alpha_and_beta(governed, tmp_path)
    only_alpha, _ = g.create_key(allowed_servers=["alpha"])
    only_beta, _ = g.create_key(allowed_servers=["b*"])
    with anyio.fail_after(30):
        async with mcp_client(g.gw.url, g.admin) as admin:
            while {p.name for p in (await admin.list_prompts()).prompts} != {"alpha__greet", "beta__greet"}:
                await anyio.sleep(0.05)
            assert [r.name for r in (await admin.list_resources()).resources] == ["alpha__readme"]
            # The same URI template from both: listed once, like resources, under the server its reads go to.
            assert [t.name for t in (await admin.list_resource_templates()).resource_templates] == ["alpha__item"]
        for key, mine, other in ((only_alpha, "alpha", "beta"), (only_beta, "beta", "alpha")):
            async with mcp_client(g.gw.url, key) as client:
                assert [p.name for p in (await client.list_prompts()).prompts] == [f"{mine}__greet"]
                assert [r.name for r in (await client.list_resources()).resources] == [f"{mine}__readme"]
                assert [t.name for t in (await client.list_resource_templates()).resource_templates] == [f"{mine}__item"]
                readme = await client.read_resource("fixture://readme")
                assert readme.contents[0].text == "This is the fake server readme."
                item = await client.read_resource("fixture://items/7")
                assert item.contents[0].text == "item 7"
                greeting = await client.get_prompt(f"{mine}__greet", {"name": "Ada"})
                assert greeting.messages[0].content.text == "Hello, Ada!"
                with pytest.raises(MCPError) as refused:
                    await client.get_prompt(f"{other}__greet", {"name": "Ada"})
                assert "403" in str(refused.value) and other in str(refused.value), str(refused.value)


def test_an_mcp_session_stays_with_its_key(governed):
    """A legacy session opened with key A cannot be used with key B (nor with the admin key)."""
    g = governed()
    a, _ = g.create_key()
    b, _ = g.create_key()
    opened = g.http(a).post("/mcp", json=MCP_INIT, headers=MCP_HEADERS)
    assert opened.status_code == 200, opened.text
    session = opened.headers["mcp-session-id"]
    headers = {**MCP_HEADERS, "Mcp-Session-Id": session, "MCP-Protocol-Version": "2025-11-25"}
    g.http(a).post("/mcp", json={"jsonrpc": "2.0", "method": "notifications/initialized"}, headers=headers)
    listing = {"jsonrpc": "2.0", "id": 2, "method": "tools/list"}
    assert g.http(a).post("/mcp", json=listing, headers=headers).status_code == 200
    for other in (b, g.admin):
        hijack = g.http(other).post("/mcp", json=listing, headers=headers)
        assert hijack.status_code == 403, f"{hijack.status_code} {hijack.text}"


@pytest.mark.anyio
async def test_streams_and_mcp_calls_are_charged_like_plain_calls(governed):
    g = governed()
    secret, key_id = g.create_key(credit_limit=10.0)
    costs: list[float] = []
    plain = g.chat(secret, PRICED, "one two three")
    assert plain.status_code == 200
    costs.append(plain.json()["usage"]["cost"])
    with g.http(secret).stream("POST", "/v1/chat/completions",
                               json=chat_body(PRICED, "four five", stream=True,
                                              stream_options={"include_usage": True})) as response:
        assert response.status_code == 200
        assert float(response.headers["x-switchyard-budget-remaining"]) <= 10.0
        events = [json.loads(e) for e in sse_data(response.iter_lines()) if e != "[DONE]"]
    stream_id = events[0]["id"]
    usage = [e["usage"] for e in events if e.get("usage")]
    assert usage and usage[-1].get("cost") is not None, f"the stream reports its cost: {events[-1]}"
    costs.append(usage[-1]["cost"])
    with anyio.fail_after(30):
        async with mcp_client(g.gw.url, secret) as client:
            answer = await tool_ok(client, "chat", {"prompt": "six seven", "model": PRICED})
    mcp_cost = answer.get("cost", answer.get("usage", {}).get("cost"))
    assert mcp_cost is not None, f"the chat tool reports its cost: {answer}"
    costs.append(mcp_cost)
    key = g.settled(key_id)
    assert all(c > 0 for c in costs)
    assert math.isclose(key["spend"], math.fsum(costs), abs_tol=1e-9), (key["spend"], costs)
    assert key["remaining"] == pytest.approx(10.0 - key["spend"])
    rows = wait_usage_rows(g.gw.db_path, 3, "key_id = ?", (key_id,))
    assert math.isclose(math.fsum(r["cost"] for r in rows), key["spend"], abs_tol=1e-9)
    assert {r["face"] for r in rows} == {"http", "mcp"}
    assert [r["stream"] for r in rows if r["id"] == stream_id] == [1]


def test_spend_is_not_lost_at_shutdown(governed, tmp_path):
    """Spend counters are written in batches: SIGTERM right after a burst must still store every cent."""
    workdir = tmp_path / "shutdown"
    admin = new_secret()
    g = governed(workdir, admin=admin)
    secret, key_id = g.create_key(credit_limit=100.0)
    with ThreadPoolExecutor(16) as pool:
        responses = list(pool.map(lambda i: g.gw.client(secret).post(
            "/v1/chat/completions", json=chat_body(SLOW_PRICED, f"request {i}")), range(40)))
    assert all(r.status_code == 200 for r in responses)
    spent = math.fsum(r.json()["usage"]["cost"] for r in responses)
    g.gw.close()  # at once: no waiting for batches
    assert g.gw.proc.returncode == 0, g.gw.stderr.tail()
    stored = key_rows(g.gw.db_path, key_id)
    assert stored and math.isclose(stored[0]["spend"], spent, abs_tol=1e-9), (stored, spent)
    g = governed(workdir, admin=admin)
    assert math.isclose(g.key(key_id)["spend"], spent, abs_tol=1e-9)
    assert g.key(key_id)["remaining"] == pytest.approx(100.0 - spent)


def test_null_clears_a_limit_and_unknown_ids_are_404(governed):
    g = governed()
    secret, key_id = g.create_key(rpm_limit=1, credit_limit=1.0)
    name = unique("null")
    assert g.chat(secret, f"fake/{name}").status_code == 200
    assert g.chat(secret, f"fake/{name}").status_code == 429
    patched = g.admin_http.patch(f"/v1/keys/{key_id}", json={"rpm_limit": None, "credit_limit": None})
    assert patched.status_code == 200, patched.text
    assert patched.json()["data"]["rpm_limit"] is None and patched.json()["data"]["credit_limit"] is None
    assert g.chat(secret, f"fake/{name}").status_code == 200
    assert "x-switchyard-budget-remaining" not in g.chat(secret, f"fake/{name}").headers
    for method in ("GET", "PATCH", "DELETE"):
        response = g.admin_http.request(method, "/v1/keys/key_0123456789abcdef", json={} if method == "PATCH" else None)
        assert response.status_code == 404, f"{method}: {response.status_code} {response.text}"
    response = g.admin_http.post("/prod/updateServiceKey", json={"api_key_id_hash": "key_0123456789abcdef", "name": "x"})
    assert response.status_code == 404, response.text


@pytest.mark.anyio
async def test_compare_models_checks_every_model(governed, fake_provider):
    g = governed()
    secret, _ = g.create_key(allowed_models=["fake/*"])
    allowed, denied = unique("cmp"), unique("cmp")
    with anyio.fail_after(30):
        async with mcp_client(g.gw.url, secret) as client:
            result = await client.call_tool("compare_models", {"prompt": "hi",
                                                               "models": [f"fake/{allowed}", f"fakeant/{denied}"]})
    text = tool_text(result) + json.dumps(result.structured_content)
    assert "403" in text or "not_allowed" in text or "may not use" in text, text
    assert fake_provider.count(denied) == 0, "a model the key may not use was called"


def test_budget_header_is_the_remaining_budget_after_the_request(governed):
    g = governed()
    secret, key_id = g.create_key(credit_limit=5.0)
    for prompt in ("one", "one two three four five six seven eight"):
        response = g.chat(secret, PRICED, prompt)
        assert response.status_code == 200
        key = g.settled(key_id)
        header = float(response.headers["x-switchyard-budget-remaining"])
        assert header == pytest.approx(5.0 - key["spend"], abs=1e-6), \
            f"header {header}, but {5.0 - key['spend']} is left after the request (spend {key['spend']})"


def test_failed_and_abandoned_requests_release_their_claims(governed, fake_provider):
    g = governed()
    secret, key_id = g.create_key(credit_limit=5.0, max_in_flight=1)
    failing = g.chat(secret, f"fake/{unique('fail')}+status-500")
    assert failing.status_code >= 500, failing.text
    key = g.settled(key_id)
    assert key["spend"] == 0 and key["remaining"] == 5.0, key
    # A client that gives up on a request that never ends: its slot must come back.
    hung = unique("hung") + "+hang"
    with pytest.raises(httpx2.TimeoutException):
        g.gw.client(secret, timeout=1).post("/v1/chat/completions", json=chat_body(f"fake/{hung}"))
    assert fake_provider.count(hung) == 1
    g.settled(key_id)
    assert g.chat(secret, PRICED).status_code == 200
    assert 0 < g.settled(key_id)["spend"] < 0.1


def test_rpm_is_shared_by_both_faces(governed):
    g = governed()
    secret, _ = g.create_key(rpm_limit=3)
    name = unique("faces")
    assert g.chat(secret, f"fake/{name}").status_code == 200

    async def over_mcp() -> list:
        async with mcp_client(g.gw.url, secret) as client:
            return [await client.call_tool("chat", {"prompt": "hi", "model": f"fake/{name}"}) for _ in range(3)]
    results = anyio.run(over_mcp)
    assert [r.is_error for r in results] == [False, False, True], "two more over MCP, the third is the 4th this minute"
    assert "429" in tool_text(results[2]) and "Retry after" in tool_text(results[2]), tool_text(results[2])
    assert g.chat(secret, f"fake/{name}").status_code == 429


@pytest.mark.anyio
async def test_usage_summary_of_an_api_key_shows_only_its_own_usage(governed):
    g = governed()
    a, a_id = g.create_key()
    b, b_id = g.create_key()
    assert g.chat(a, PRICED).status_code == 200
    assert g.chat(b, PRICED).status_code == 200
    wait_usage_rows(g.gw.db_path, 2, "key_id IN (?, ?)", (a_id, b_id))
    with anyio.fail_after(30):
        async with mcp_client(g.gw.url, a) as client:
            summary = await tool_ok(client, "usage_summary", {"group_by": "key", "hours": 1})
    groups = {r["group"] for r in summary["rows"]}
    assert b_id not in groups, f"key {a_id} sees key {b_id}'s usage: {summary['rows']}"


@pytest.mark.anyio
async def test_a_key_that_expires_mid_session_is_refused_on_every_face(governed, stdio_gateway, tmp_path):
    """A key expiring while its sessions are open: the next HTTP request, the next request of an open MCP session
    and the next call of a running stdio session (same database) are all refused."""
    workdir = tmp_path / "expiring"
    admin = new_secret()
    g = governed(workdir, admin=admin)
    expires = time.time() + 2.5
    secret, _ = g.create_key(expires_at=expires)
    stdio = stdio_gateway("--config", str(g.gw.config),
                          env={"SWITCHYARD_ADMIN_KEY": admin, "SWITCHYARD_API_KEY": secret, "FAKE_KEY": FAKE_KEY})
    name = unique("expiring")
    statuses: list[int] = []
    with anyio.fail_after(30):
        async with mcp_client(g.gw.url, secret, statuses=statuses) as client:
            assert not (await client.call_tool("chat", {"prompt": "hi", "model": f"fake/{name}"})).is_error
            assert not stdio.call_tool("chat", {"prompt": "hi", "model": f"fake/{name}"}).get("isError")
            assert g.chat(secret, f"fake/{name}").status_code == 200
            while time.time() < expires + 0.2:
                await anyio.sleep(0.05)
            assert g.chat(secret, f"fake/{name}").status_code == 401
            before = len(statuses)
            with pytest.raises(MCPError):
                await client.call_tool("chat", {"prompt": "hi", "model": f"fake/{name}"})
            assert 401 in statuses[before:], statuses[before:]
    late = stdio.call_tool("chat", {"prompt": "hi", "model": f"fake/{name}"})
    assert late.get("isError"), f"an expired key still calls models over stdio: {late}"


@pytest.mark.anyio
async def test_a_spent_budget_refuses_every_kind_of_call(governed, fake_provider):
    g = governed()
    secret, key_id = g.create_key(credit_limit=1e-6)
    assert g.chat(secret, PRICED).status_code == 200, "admitted while budget is left"
    assert g.settled(key_id)["spend"] > 1e-6
    name = unique("spent")
    with g.http(secret).stream("POST", "/v1/chat/completions", json=chat_body(PRICED, stream=True)) as response:
        response.read()
        assert response.status_code == 402, response.text
    assert g.http(secret).post("/v1/embeddings", json={"model": f"fake/{name}", "input": "hi"}).status_code == 402
    with anyio.fail_after(30):
        async with mcp_client(g.gw.url, secret) as client:
            refused = await client.call_tool("chat", {"prompt": "hi", "model": f"fake/{name}"})
    assert refused.is_error and "402" in tool_text(refused), tool_text(refused)
    assert fake_provider.count(name) == 0
    rows = wait_usage_rows(g.gw.db_path, 3, "key_id = ? AND http_status = 402", (key_id,))
    assert len(rows) == 3


def test_two_processes_on_one_database_keep_one_budget(governed, stdio_gateway, tmp_path):
    """`switchyard serve` and a `switchyard stdio` (what an MCP client launches) on the same database, one key:
    the stored spend counter is the sum of both processes' usage rows, and the budget is one budget.

    Each process adds its spend to the stored counters and reads the keys again every second, so it sees the
    other's spend and key changes within about a second; until then it may overspend by what the other spent in
    that second. The test never races that second: each side starts spending only once it can be seen to have
    reloaded. stdio cannot be asked what it knows, so it is first kept off its model by `allowed_models` and
    polled (refused calls cost nothing) until it has reloaded a change made after serve's spend was stored; serve
    shows its view of the key on `GET /v1/keys/{id}`."""
    workdir = tmp_path / "two-processes"
    admin = new_secret()
    g = governed(workdir, admin=admin)
    limit = 0.05  # about six calls of fake/priced with chat_body's prompt
    secret, key_id = g.create_key(credit_limit=limit, allowed_models=[PRICED])
    stdio = stdio_gateway("--config", str(g.gw.config),
                          env={"SWITCHYARD_ADMIN_KEY": admin, "SWITCHYARD_API_KEY": secret, "FAKE_KEY": FAKE_KEY})

    def stdio_chat() -> dict[str, Any]:
        return stdio.call_tool("chat", {"prompt": "hello world", "model": SLOW_PRICED})

    def usage_spend() -> float:
        return math.fsum(r["cost"] for r in usage_rows(g.gw.db_path, "key_id = ? AND http_status = 200", (key_id,)))

    def stored_spend() -> float:
        return key_rows(g.gw.db_path, key_id)[0]["spend"]

    # serve spends the budget, and its spend reaches the database.
    served = 0
    while g.chat(secret, PRICED, "hello world").status_code == 200:
        served += 1
        assert served < 20
    assert served > 0
    wait_until(lambda: math.isclose(stored_spend(), usage_spend(), abs_tol=1e-9), 10,
               lambda: f"serve's spend is not stored: {stored_spend()} stored, {usage_spend()} in usage rows")

    # A larger budget that stdio may use: once stdio calls its model, it has read the keys after this change,
    # so after serve's spend too, and only the rest of the budget is left to it.
    response = g.admin_http.patch(f"/v1/keys/{key_id}", json={"credit_limit": 2 * limit,
                                                               "allowed_models": [PRICED, SLOW_PRICED]})
    assert response.status_code == 200, response.text
    first = wait_until(lambda: (r := stdio_chat()) and not r.get("isError") and r, 10,
                       "stdio never picked up the key change made by serve")
    assert first
    served_stdio = 1
    while not stdio_chat().get("isError"):
        served_stdio += 1
        assert served_stdio < 20, "the stdio process never ran out of budget"

    # serve reads stdio's spend within about a second and refuses too.
    wait_until(lambda: math.isclose(g.key(key_id)["spend"], usage_spend(), abs_tol=1e-9), 10,
               lambda: f"serve never saw stdio's spend: {g.key(key_id)['spend']} vs {usage_spend()} in usage rows")
    refused = g.chat(secret, PRICED, "hello world")
    assert refused.status_code == 402, refused.text

    stdio.close()
    g.gw.close()
    rows = usage_rows(g.gw.db_path, "key_id = ? AND http_status = 200", (key_id,))
    assert len(rows) == served + served_stdio
    spent = math.fsum(r["cost"] for r in rows)
    assert math.isclose(stored_spend(), spent, abs_tol=1e-9), f"stored spend {stored_spend()}, usage rows {spent}"
    one = max(r["cost"] for r in rows)
    # Each side stops once the shared spend reaches the limit it knows: past it by less than one call.
    assert 2 * limit <= spent < 2 * limit + one, \
        f"{served} + {served_stdio} calls spent {spent} on a budget of {2 * limit}"


def test_refused_requests_are_logged_with_the_client_address_never_the_key(governed):
    """An operator sees who knocks with a wrong key (address, path, reason) on the API and on /mcp; the key itself
    never reaches the log."""
    g = governed()
    wrong = "sk-sy-" + uuid.uuid4().hex + uuid.uuid4().hex
    assert g.http(wrong).post("/v1/chat/completions", json=chat_body("fake/x", "hi")).status_code == 401
    assert g.http(wrong).post("/mcp", json=MCP_INIT, headers=MCP_HEADERS).status_code == 401

    def refusals() -> list[str]:
        return [line for line in g.gw.stderr.lines if "refused a request" in line]
    wait_until(lambda: len(refusals()) >= 2, 5, "the refusals were not logged")
    assert all("client=127.0.0.1:" in line and "status=401" in line for line in refusals()), refusals()
    assert {p for p in ("path=/v1/chat/completions", "path=/mcp") if any(p in line for line in refusals())} == {
        "path=/v1/chat/completions", "path=/mcp"}, refusals()
    assert wrong not in "\n".join(g.gw.stderr.lines + g.gw.stdout.lines)
