"""The Anthropic Messages face of `switchyard serve` (`POST /v1/messages`) driven by the official `anthropic` SDK (and
raw HTTP where the SDK hides the wire), with `fake-provider` as every upstream: plain and streamed answers from the
three provider kinds, tools, fallback, errors mapped to the SDK's exception classes, and the usage row of a message.

One gateway per module (`shared_gateway`); model names are unique per test (`unique()`), so the fake's per-model
counters and Switchyard's per-model health never leak between tests.
"""

from __future__ import annotations

import json

import anthropic
import httpx2
import pytest

from routing_support import fake_answer, requires_fake_provider, unique, wait_usage_rows
from support import requires_binary

pytestmark = [requires_binary, requires_fake_provider]
PROVIDERS = ["fake", "fakeant", "fakegem"]
PROMPT = "hello   routed\nworld"
WEATHER_TOOL = {"name": "get_weather", "description": "Weather in a city",
                "input_schema": {"type": "object", "properties": {"city": {"type": "string"}, "days": {"type": "integer"}},
                                 "required": ["city", "days"]}}


def client(gw, prefix: str = "", **options) -> anthropic.Anthropic:
    """The SDK on the gateway (it appends `/v1/messages`). No retries: a test must see what Switchyard answered."""
    options.setdefault("api_key", "unused")
    return anthropic.Anthropic(base_url=gw.base + prefix, max_retries=0, timeout=20, **options)


def user(text: str = PROMPT) -> list[dict]:
    return [{"role": "user", "content": text}]


def sse_events(lines) -> list[tuple[str, dict]]:
    """(event name, parsed data) for each event of an SSE body given as lines."""
    events, name, data = [], None, []
    for line in lines:
        if line.startswith("event:"):
            name = line[6:].strip()
        elif line.startswith("data:"):
            data.append(line[5:].lstrip(" "))
        elif line == "" and data:
            events.append((name, json.loads("\n".join(data))))
            name, data = None, []
    return events


# ---- answers through the SDK ---------------------------------------------------------------------------------

def test_plain_message_has_routing_fields_cost_and_usage_row(shared_gateway):
    response = client(shared_gateway).messages.with_raw_response.create(
        model="fake/cheap", max_tokens=100, system="Answer briefly.", messages=user())
    message = response.parse()
    assert message.type == "message" and message.role == "assistant"
    assert [b.type for b in message.content] == ["text"]
    assert message.content[0].text == fake_answer("cheap", PROMPT)
    assert message.stop_reason == "end_turn" and message.stop_sequence is None
    assert message.model == "fake/cheap"
    assert message.id.startswith("gen-")
    assert response.headers["x-switchyard-generation-id"] == message.id
    assert response.headers["request-id"] == message.id and message._request_id == message.id
    # The fake counts prompt bytes (system included) / 4 and one token per word; fake/cheap costs $1 / $2 per 1M.
    prompt_tokens = len(("Answer briefly." + PROMPT).encode()) // 4
    assert (message.usage.input_tokens, message.usage.output_tokens) == (prompt_tokens, 7)
    assert message.usage.cache_read_input_tokens == 0
    expected_cost = (prompt_tokens * 1 + 7 * 2) / 1e6
    assert message.usage.model_extra["cost"] == pytest.approx(expected_cost)
    row = shared_gateway.generation(message.id)
    assert row["model"] == "fake/cheap" and row["status"] == "ok" and row["face"] == "http"
    assert (row["tokens_prompt"], row["tokens_completion"]) == (prompt_tokens, 7)
    assert row["total_cost"] == pytest.approx(expected_cost)


@pytest.mark.parametrize("provider", PROVIDERS)
def test_plain_and_stream_agree_for_each_provider_kind(shared_gateway, fake_provider, provider):
    name = unique("ant")
    model = f"{provider}/{name}"
    sdk = client(shared_gateway)
    plain = sdk.messages.create(model=model, max_tokens=200, messages=user())
    assert plain.content[0].text == fake_answer(name, PROMPT)
    assert plain.model == model and plain.stop_reason == "end_turn"

    with sdk.messages.stream(model=model, max_tokens=200, messages=user()) as stream:
        pieces = list(stream.text_stream)
        final = stream.get_final_message()
    assert "".join(pieces) == plain.content[0].text and len(pieces) >= 5, "one delta per word"
    assert final.content[0].text == plain.content[0].text
    assert final.id.startswith("gen-") and final.id != plain.id
    assert final.model == model and final.stop_reason == "end_turn"
    assert final.usage.output_tokens == plain.usage.output_tokens
    assert final.usage.input_tokens == plain.usage.input_tokens, "message_delta carries the input count"
    assert fake_provider.count(name) == 2
    row = shared_gateway.generation(final.id)
    assert row["streamed"] is True and row["status"] == "ok" and row["tokens_completion"] == final.usage.output_tokens


def test_stream_event_sequence_on_the_wire(shared_gateway):
    name = unique("wire")
    with httpx2.stream("POST", f"{shared_gateway.base}/v1/messages", timeout=20,
                       json={"model": f"fake/{name}", "max_tokens": 50, "stream": True, "messages": user()}) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        events = sse_events(response.iter_lines())
    names = [n for n, _ in events]
    assert names[0] == "message_start" and names[1] == "content_block_start"
    assert names[-3:] == ["content_block_stop", "message_delta", "message_stop"]
    assert set(names[2:-3]) == {"content_block_delta"}
    assert all(name == data["type"] for name, data in events), "event name and data type agree"
    start = events[0][1]["message"]
    assert start["id"].startswith("gen-") and start["model"] == f"fake/{name}" and start["content"] == []
    assert events[1][1]["content_block"] == {"type": "text", "text": ""}
    deltas = [d["delta"] for n, d in events if n == "content_block_delta"]
    assert {d["type"] for d in deltas} == {"text_delta"}
    assert "".join(d["text"] for d in deltas) == fake_answer(name, PROMPT)
    delta = events[-2][1]
    assert delta["delta"]["stop_reason"] == "end_turn" and delta["usage"]["output_tokens"] == 7


@pytest.mark.parametrize("provider", PROVIDERS)
def test_tool_use_round_trip(shared_gateway, provider):
    name = unique("tools")
    sdk = client(shared_gateway)
    question = user("weather in Paris?")
    message = sdk.messages.create(model=f"{provider}/{name}+tools", max_tokens=200, messages=question,
                                  tools=[WEATHER_TOOL], tool_choice={"type": "auto"})
    assert message.stop_reason == "tool_use"
    (call,) = [b for b in message.content if b.type == "tool_use"]
    assert call.name == "get_weather" and call.id
    assert call.input == {"city": "fake", "days": 0}

    # Streamed: the SDK assembles the input from input_json_delta events.
    with sdk.messages.stream(model=f"{provider}/{name}+tools", max_tokens=200, messages=question,
                             tools=[WEATHER_TOOL]) as stream:
        final = stream.get_final_message()
    (streamed,) = [b for b in final.content if b.type == "tool_use"]
    assert streamed.name == "get_weather" and streamed.input == {"city": "fake", "days": 0}
    assert final.stop_reason == "tool_use"

    # The answer goes back as a tool_result; the model (without the tools directive) answers in text.
    follow_up = question + [
        {"role": "assistant", "content": [b.model_dump(exclude_none=True) for b in message.content]},
        {"role": "user", "content": [{"type": "tool_result", "tool_use_id": call.id, "content": "sunny, 21 C"},
                                     {"type": "text", "text": "thanks"}]},
    ]
    answer = sdk.messages.create(model=f"{provider}/{name}", max_tokens=200, messages=follow_up, tools=[WEATHER_TOOL])
    assert answer.stop_reason == "end_turn"
    # What the fake echoes depends on where each format puts the tool result; the text always ends the turn.
    assert answer.content[0].text.startswith(f"Fake answer from {name}:") and answer.content[0].text.endswith("thanks")


def test_max_tokens_and_prefixes(shared_gateway):
    name = unique("short")
    for prefix in ("", "/api", "/anthropic"):
        message = client(shared_gateway, prefix).messages.create(model=f"fake/{name}", max_tokens=3, messages=user())
        assert message.content[0].text == "Fake answer from", prefix
        assert message.stop_reason == "max_tokens" and message.usage.output_tokens == 3


def test_count_tokens_is_an_estimate(shared_gateway):
    count = client(shared_gateway).messages.count_tokens(model="fake/cheap", messages=user(), system="be brief")
    assert 0 < count.input_tokens < 100


# ---- fallback and errors ----------------------------------------------------------------------------------------

def test_fallback_after_rate_limit(shared_gateway, fake_provider):
    first, second = unique("first") + "+status-429+retry-after-1", unique("second")
    response = client(shared_gateway).messages.with_raw_response.create(
        model=f"fake/{first}", max_tokens=100, messages=user(), extra_body={"models": [f"fakeant/{second}"]})
    message = response.parse()
    assert message.model == f"fakeant/{second}"
    assert message.content[0].text == fake_answer(second, PROMPT)
    assert response.headers["x-switchyard-attempts"] == "2"
    row = shared_gateway.generation(message.id)
    assert row["requested_model"] == f"fake/{first}" and row["model"] == f"fakeant/{second}"
    assert [(a["model"], a["outcome"], a.get("status")) for a in row["attempts"]] == [
        (f"fake/{first}", "rate_limited", 429), (f"fakeant/{second}", "ok", 200)]
    assert (fake_provider.count(first), fake_provider.count(second)) == (1, 1)


@pytest.mark.parametrize("directive,error_class,status,error_type", [
    ("status-429+retry-after-2", anthropic.RateLimitError, 429, "rate_limit_error"),
    ("status-503", anthropic.OverloadedError, 529, "overloaded_error"),
    ("status-500", anthropic.InternalServerError, 502, "api_error"),
])
def test_failures_map_to_the_sdk_exception(shared_gateway, directive, error_class, status, error_type):
    name = f"{unique('fail')}+{directive}"
    with pytest.raises(error_class) as caught:
        client(shared_gateway).messages.create(model=f"fake/{name}", max_tokens=100, messages=user())
    error = caught.value
    assert error.status_code == status
    assert error.body["type"] == "error" and error.body["error"]["type"] == error_type
    assert error.body["error"]["message"]
    assert error.body["switchyard"]["attempts"][0]["model"] == f"fake/{name}"
    if status == 429:
        assert error.response.headers.get("retry-after") == "2", "the provider's Retry-After is passed on"
    (row,) = wait_usage_rows(shared_gateway.db_path, 1, "requested_model = ?", (f"fake/{name}",))
    assert row["status"] == "error"


def test_request_errors_in_anthropic_shape(shared_gateway):
    sdk = client(shared_gateway)
    with pytest.raises(anthropic.NotFoundError) as caught:
        sdk.messages.create(model="no-such-model", max_tokens=10, messages=user())
    assert caught.value.body["error"]["type"] == "not_found_error"

    def post(body, **headers):
        response = shared_gateway.http.post("/v1/messages", json=body, headers=headers)
        payload = response.json()
        assert payload["type"] == "error" and set(payload["error"]) >= {"type", "message"}, payload
        return response.status_code, payload["error"]

    status, error = post({"model": "fake/x", "messages": user()})
    assert (status, error["type"]) == (400, "invalid_request_error") and "max_tokens" in error["message"]
    status, error = post({"model": "fake/x", "max_tokens": 5, "messages": [{"role": "system", "content": "x"}]})
    assert status == 400 and "messages.0.role" in error["message"]
    status, error = post({"model": "fake/x", "max_tokens": 5, "messages": user()}, Origin="https://evil.example")
    assert (status, error["type"]) == (403, "permission_error")
    response = shared_gateway.http.post("/v1/messages", content=b"{", headers={"Content-Type": "application/json"})
    assert response.status_code == 400 and response.json()["error"]["type"] == "invalid_request_error"


def test_keys_are_checked_on_the_anthropic_face(routing_gateway):
    admin = "sk-sy-admin-for-anthropic-face"
    gw = routing_gateway(env={"SWITCHYARD_ADMIN_KEY": admin, "SWITCHYARD_API_KEY": ""})
    with pytest.raises(anthropic.AuthenticationError) as caught:
        client(gw, api_key="wrong").messages.create(model="fake/cheap", max_tokens=10, messages=user())
    assert caught.value.body["error"]["type"] == "authentication_error"
    (row,) = wait_usage_rows(gw.db_path, 1, "http_status = 401")
    assert row["requested_model"] == "fake/cheap" and row["status"] == "error", "a refused call has its usage row"
    message = client(gw, api_key=admin).messages.create(model="fake/cheap", max_tokens=10, messages=user())
    assert message.content[0].text.startswith("Fake answer")


def test_stream_cut_after_tokens_ends_with_an_error_event(shared_gateway, fake_provider):
    name = unique("cut") + "+cut-after-2"
    fallback = unique("never")
    with pytest.raises(anthropic.APIStatusError) as caught:
        with client(shared_gateway).messages.stream(model=f"fake/{name}", max_tokens=100, messages=user(),
                                                    extra_body={"models": [f"fake/{fallback}"]}) as stream:
            "".join(stream.text_stream)
    assert "api_error" in str(caught.value) or "broke" in str(caught.value)

    with httpx2.stream("POST", f"{shared_gateway.base}/v1/messages", timeout=20,
                       json={"model": f"fake/{name}", "max_tokens": 100, "stream": True, "messages": user(),
                             "models": [f"fake/{fallback}"]}) as response:
        gen_id = response.headers["x-switchyard-generation-id"]
        events = sse_events(response.iter_lines())
    name_, last = events[-1]
    assert name_ == "error" and last["type"] == "error" and last["error"]["type"] == "api_error", last
    assert "message_stop" not in [n for n, _ in events]
    text = "".join(d["delta"].get("text", "") for n, d in events if n == "content_block_delta")
    assert text == "Fake answer"
    assert fake_provider.count(fallback) == 0, "a stream that already sent tokens must not fail over"
    assert shared_gateway.generation(gen_id)["status"] == "error"
