"""Every message the gateway writes in a stdio session validates against the MCP JSON schema of its version.

Schemas: Tests/fixtures/mcp-schema/<version>/schema.json (or $MCP_SCHEMA_DIR). 2025-06-18 is a draft-07 document
with `definitions`; 2025-11-25 and 2026-07-28 are draft 2020-12 with `$defs`.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

import pytest
from jsonschema.validators import validator_for

from support import fake_config, requires_binary, schema_dir, wait_until

pytestmark = requires_binary
ERROR_DEF = {"2025-06-18": "JSONRPCError"}  # renamed JSONRPCErrorResponse later
RESULT_DEFS = {
    "initialize": "InitializeResult", "ping": "EmptyResult", "tools/list": "ListToolsResult",
    "tools/call": "CallToolResult", "resources/list": "ListResourcesResult",
    "resources/templates/list": "ListResourceTemplatesResult", "resources/read": "ReadResourceResult",
    "prompts/list": "ListPromptsResult", "prompts/get": "GetPromptResult", "server/discover": "DiscoverResult",
}
META = {"io.modelcontextprotocol/protocolVersion": "2026-07-28", "io.modelcontextprotocol/clientCapabilities": {},
        "io.modelcontextprotocol/clientInfo": {"name": "schema-test", "version": "0"}}


@cache
def validator(version: str, name: str):
    root = json.loads((schema_dir() / version / "schema.json").read_text())
    defs_key = "$defs" if "$defs" in root else "definitions"
    assert name in root[defs_key], f"{name} is not defined in the {version} schema"
    schema = {"$schema": root["$schema"], defs_key: root[defs_key], "$ref": f"#/{defs_key}/{name}"}
    cls = validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def check(version: str, name: str, instance: Any, context: str) -> None:
    errors = sorted(validator(version, name).iter_errors(instance), key=lambda e: list(e.path))
    assert not errors, f"{context}: not a valid {name} ({version}): " + "; ".join(
        f"{'/'.join(map(str, e.path)) or '<root>'}: {e.message}" for e in errors[:5])


def check_session(gw, version: str) -> None:
    """Validate every message received, by kind (results by the method of the request they answer)."""
    sent = gw.sent
    error_def = ERROR_DEF.get(version, "JSONRPCErrorResponse")
    assert gw.received, "nothing received"
    for msg in gw.received:
        if "method" in msg and "id" not in msg:
            check(version, "ServerNotification", msg, msg["method"])
        elif "method" in msg:
            check(version, "ServerRequest", msg, f"server-to-client request {msg['method']}")
        elif "error" in msg:
            if msg.get("id") is None:
                # JSON-RPC 2.0 §5 requires `id: null` when the id could not be read, which the MCP schema's
                # RequestId (string | integer) does not admit: check the rest of the envelope with a stand-in id.
                assert "id" in msg and msg["id"] is None, msg
                msg = {**msg, "id": 0}
            check(version, error_def, msg, f"error for {sent.get(msg.get('id'))}")
        else:
            assert msg.get("jsonrpc") == "2.0" and "result" in msg and msg.get("id") in sent, msg
            method = sent[msg["id"]]
            check(version, RESULT_DEFS[method], msg["result"], method)
            if version != "2025-06-18":
                check(version, "JSONRPCResultResponse", msg, method)


def run_session(gw, meta: dict | None = None) -> None:
    def req(method: str, params: dict | None = None, expect_error: bool = False) -> dict:
        params = dict(params or {})
        if meta:
            params["_meta"] = {**meta, **params.get("_meta", {})}
        rid = gw.start_request(method, params)
        response = gw.wait_response(rid, timeout=15)
        assert ("error" in response) == expect_error, response
        return response

    tools = req("tools/list")["result"]["tools"]
    assert {"fake__echo", "servers_list"} <= {t["name"] for t in tools}
    req("tools/call", {"name": "fake__echo", "arguments": {"text": "schema"}})
    req("tools/call", {"name": "fake__add", "arguments": {"a": 1, "b": 2}})
    req("tools/call", {"name": "fake__fail", "arguments": {}})
    req("tools/call", {"name": "servers_list", "arguments": {}})
    req("tools/call", {"name": "fake__progress", "arguments": {}, "_meta": {"progressToken": "p1"}})
    req("tools/call", {"name": "fake__no_such_tool", "arguments": {}}, expect_error=True)
    req("no/such/method", expect_error=True)
    resources = req("resources/list")["result"]["resources"]
    req("resources/templates/list")
    if resources:
        req("resources/read", {"uri": resources[0]["uri"]})
    prompts = req("prompts/list")["result"]["prompts"]
    if prompts:
        args = {a["name"]: "x" for a in prompts[0].get("arguments", [])}
        req("prompts/get", {"name": prompts[0]["name"], "arguments": args})
    if not meta:  # legacy: list_changed arrives unsolicited on the session
        seen = len(gw.notifications)
        req("ping")
        req("tools/call", {"name": "fake__change_tools", "arguments": {}})
        gw.wait_notification("notifications/tools/list_changed", since=seen)
    gw.send_raw(b"{this is not json\n")
    gw.wait_response(None, timeout=5)


@pytest.mark.parametrize("version", ["2025-11-25", "2025-06-18"])
def test_legacy_session_messages_match_schema(servers_dir, stdio_gateway, version):
    servers_dir.write("fake", fake_config())
    gw = stdio_gateway(initialize=False)
    init = gw.request("initialize", {"protocolVersion": version, "capabilities": {},
                                     "clientInfo": {"name": "schema-test", "version": "0"}})
    assert init["protocolVersion"] == version, "the gateway must accept the client's supported version"
    gw.notify("notifications/initialized")
    wait_until(lambda: "fake__echo" in gw.tool_names(), 20, "fake server tools never appeared")
    run_session(gw)
    kinds = {m.get("method") for m in gw.notifications}
    assert {"notifications/progress", "notifications/tools/list_changed"} <= kinds
    check_session(gw, version)


def test_modern_requests_match_2026_schema(servers_dir, stdio_gateway):
    """The stateless generation on the same stdio endpoint: server/discover, then per-request `_meta`."""
    servers_dir.write("fake", fake_config())
    gw = stdio_gateway(initialize=False)
    discover = gw.request("server/discover", {"_meta": META})
    assert "2026-07-28" in discover["supportedVersions"]

    def listed():
        return "fake__echo" in {t["name"] for t in gw.request("tools/list", {"_meta": META})["tools"]}
    wait_until(listed, 20, "fake server tools never appeared")
    run_session(gw, meta=META)
    check_session(gw, "2026-07-28")
