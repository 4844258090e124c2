"""What browser pages and oversized requests meet on `switchyard serve`: CORS for allowed origins on the model APIs
and `/mcp` (preflights answered, Switchyard's headers exposed; foreign origins refused), and a 413 the `openai` and
`anthropic` SDKs can explain, with the option that raises the limit.
"""
from __future__ import annotations

import anthropic
import httpx2
import openai
import pytest

from routing_support import FAKE_KEY, RoutingGateway, chat_body, requires_fake_provider, routing_settings, unique
from support import requires_binary

pytestmark = [requires_binary, requires_fake_provider]

APP = "http://app.example"
INIT = {"jsonrpc": "2.0", "id": 1, "method": "initialize",
        "params": {"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "page", "version": "0"}}}


@pytest.fixture
def gateway(fake_provider, tmp_path):
    gw = RoutingGateway(tmp_path / "gw", routing_settings(fake_provider), "--allow-origin", APP, "--max-body-mb", "1")
    yield gw
    gw.close()


@pytest.mark.parametrize("path", ["/v1/chat/completions", "/mcp", "/v1/messages"])
def test_a_preflight_from_an_allowed_origin_is_answered(gateway, path):
    response = gateway.http.options(path, headers={
        "Origin": APP, "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization, content-type, mcp-session-id"})
    assert response.status_code == 204, response.text
    assert response.headers["access-control-allow-origin"] == APP
    assert "POST" in response.headers["access-control-allow-methods"]
    assert "mcp-session-id" in response.headers["access-control-allow-headers"].lower()
    refused = gateway.http.options(path, headers={"Origin": "http://evil.example",
                                                  "Access-Control-Request-Method": "POST"})
    assert refused.status_code == 403 and "--allow-origin" in refused.text
    assert "access-control-allow-origin" not in refused.headers


def test_responses_to_an_allowed_page_carry_cors_headers(gateway):
    answer = gateway.http.post("/v1/chat/completions", headers={"Origin": APP},
                               json=chat_body(f"fake/{unique('page')}"))
    assert answer.status_code == 200
    assert answer.headers["access-control-allow-origin"] == APP
    assert "X-Switchyard-Generation-Id" in answer.headers["access-control-expose-headers"]
    session = gateway.http.post("/mcp", json=INIT, headers={
        "Origin": APP, "Accept": "application/json, text/event-stream"})
    assert session.status_code == 200 and session.headers["access-control-allow-origin"] == APP
    assert "Mcp-Session-Id" in session.headers["access-control-expose-headers"]
    foreign = gateway.http.post("/v1/chat/completions", headers={"Origin": "http://evil.example"},
                                json=chat_body(f"fake/{unique('page')}"))
    assert foreign.status_code == 403 and "access-control-allow-origin" not in foreign.headers


def test_an_oversized_body_is_a_413_the_sdks_can_explain(gateway):
    big = "x" * (1 << 20)
    with pytest.raises(openai.APIStatusError) as caught:
        gateway.openai().chat.completions.create(model="fake/big", messages=[{"role": "user", "content": big}])
    assert caught.value.status_code == 413
    assert "exceeds 1048576 bytes" in caught.value.message and "--max-body-mb" in caught.value.message
    client = anthropic.Anthropic(base_url=gateway.base, api_key=FAKE_KEY, max_retries=0)
    with pytest.raises(anthropic.APIStatusError) as refused:
        client.messages.create(model="fakeant/big", max_tokens=10, messages=[{"role": "user", "content": big}])
    assert refused.value.status_code == 413 and "exceeds 1048576 bytes" in refused.value.message
    # Under the limit all is well on the same gateway.
    small = gateway.openai().chat.completions.create(model=f"fake/{unique('small')}",
                                                     messages=[{"role": "user", "content": "x" * 1000}])
    assert small.choices[0].message.content
    with httpx2.Client(base_url=gateway.base, timeout=10) as raw:
        response = raw.post("/mcp", content=b"{" + b" " * (1 << 20) + b"}",
                            headers={"Content-Type": "application/json", "Accept": "application/json"})
    assert response.status_code == 413 and response.json()["error"]["code"] == "request_too_large"
