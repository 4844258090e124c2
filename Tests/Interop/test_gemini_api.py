"""The Gemini face of `switchyard serve` (`POST /v1beta/models/{model}:generateContent` and
`:streamGenerateContent`) driven over raw HTTP (there is no Gemini SDK in the venv), with `fake-provider` as every
upstream: the three provider kinds, both stream framings, function calling, fallback, aliases in the path, keys
sent as `?key=`, and errors in Gemini's shape.
"""

from __future__ import annotations

import json
from urllib.parse import quote

import httpx2
import pytest

from routing_support import fake_answer, requires_fake_provider, sse_data, unique, wait_usage_rows
from support import requires_binary

pytestmark = [requires_binary, requires_fake_provider]
PROVIDERS = ["fake", "fakeant", "fakegem"]
PROMPT = "hello   gemini\nworld"
WEATHER = {"functionDeclarations": [{
    "name": "get_weather", "description": "Weather in a city",
    "parameters": {"type": "OBJECT", "properties": {"city": {"type": "STRING"}, "days": {"type": "INTEGER"}},
                   "required": ["city", "days"]}}]}


def path(model: str, method: str, prefix: str = "/v1beta") -> str:
    """The URL path for `model` (a Switchyard id, percent-encoded as Google's SDKs encode path segments)."""
    return f"{prefix}/models/{quote(model, safe='')}:{method}"


def request(text: str = PROMPT, **extra) -> dict:
    return {"contents": [{"role": "user", "parts": [{"text": text}]}], **extra}


def text_of(response: dict) -> str:
    return "".join(p.get("text", "") for c in response.get("candidates", []) for p in c["content"]["parts"]
                   if not p.get("thought"))


@pytest.mark.parametrize("provider", PROVIDERS)
def test_generate_and_both_stream_framings_agree(shared_gateway, fake_provider, provider):
    name = unique("gem")
    model = f"{provider}/{name}"
    response = shared_gateway.http.post(path(model, "generateContent"), json=request())
    assert response.status_code == 200, response.text
    plain = response.json()
    assert text_of(plain) == fake_answer(name, PROMPT)
    (candidate,) = plain["candidates"]
    assert candidate["content"]["role"] == "model" and candidate["finishReason"] == "STOP"
    assert plain["modelVersion"] == model and plain["responseId"].startswith("gen-")
    usage = plain["usageMetadata"]
    assert usage["candidatesTokenCount"] == 7 and usage["promptTokenCount"] == len(PROMPT.encode()) // 4
    assert usage["totalTokenCount"] == usage["promptTokenCount"] + usage["candidatesTokenCount"]
    row = shared_gateway.generation(plain["responseId"])
    assert row["model"] == model and row["status"] == "ok" and row["face"] == "http"

    with httpx2.stream("POST", shared_gateway.base + path(model, "streamGenerateContent") + "?alt=sse",
                       json=request(), timeout=20) as streamed:
        assert streamed.headers["content-type"].startswith("text/event-stream")
        events = [json.loads(e) for e in sse_data(streamed.iter_lines())]
    assert "".join(text_of(e) for e in events) == text_of(plain) and len(events) >= 6
    assert [c.get("finishReason") for e in events for c in e["candidates"] if c.get("finishReason")] == ["STOP"]
    assert events[-1]["usageMetadata"]["candidatesTokenCount"] == 7
    assert {e["responseId"] for e in events} == {events[0]["responseId"]} != {plain["responseId"]}

    array = shared_gateway.http.post(path(model, "streamGenerateContent"), json=request())
    assert array.headers["content-type"].startswith("application/json")
    elements = array.json()
    assert isinstance(elements, list) and "".join(text_of(e) for e in elements) == text_of(plain)
    assert fake_provider.count(name) == 3


@pytest.mark.parametrize("provider", PROVIDERS)
def test_function_calling_round_trip(shared_gateway, provider):
    name = unique("fn")
    model = f"{provider}/{name}+tools"
    body = request("weather in Paris?", tools=[WEATHER], toolConfig={"functionCallingConfig": {"mode": "AUTO"}})
    answer = shared_gateway.http.post(path(model, "generateContent"), json=body).json()
    (part,) = answer["candidates"][0]["content"]["parts"]
    call = part["functionCall"]
    # Gemini's upper-case schema types reached every upstream as JSON Schema: the fake fills in typed defaults.
    assert call["name"] == "get_weather" and call["args"] == {"city": "fake", "days": 0}
    assert answer["candidates"][0]["finishReason"] == "STOP"

    events = [json.loads(e) for e in sse_data(shared_gateway.http.post(
        path(model, "streamGenerateContent") + "?alt=sse", json=body).iter_lines())]
    calls = [p["functionCall"] for e in events for c in e["candidates"] for p in c["content"]["parts"]
             if "functionCall" in p]
    assert [(c["name"], c["args"]) for c in calls] == [("get_weather", {"city": "fake", "days": 0})]

    follow_up = request("weather in Paris?", tools=[WEATHER])
    follow_up["contents"] += [
        {"role": "model", "parts": [part]},
        {"role": "user", "parts": [{"functionResponse": {"name": "get_weather", "response": {"forecast": "sunny"}}},
                                   {"text": "thanks"}]},
    ]
    response = shared_gateway.http.post(path(f"{provider}/{name}", "generateContent"), json=follow_up)
    assert response.status_code == 200, response.text
    text = text_of(response.json())
    assert text.startswith(f"Fake answer from {name}:") and text.endswith("thanks")


def test_snake_case_fields_generation_config_and_prefix(shared_gateway):
    name = unique("snake")
    body = {"system_instruction": {"parts": [{"text": "be brief"}]},
            "contents": [{"role": "user", "parts": [{"text": PROMPT}]}],
            "generation_config": {"max_output_tokens": 3, "temperature": 0.2}}
    response = shared_gateway.http.post(path(f"fake/{name}", "generateContent", "/gemini/v1beta"), json=body).json()
    assert text_of(response) == "Fake answer from"
    assert response["candidates"][0]["finishReason"] == "MAX_TOKENS"
    count = shared_gateway.http.post(path(f"fake/{name}", "countTokens"), json=body).json()
    assert 0 < count["totalTokens"] < 100


def test_fallback_and_alias_in_the_path(shared_gateway, fake_provider):
    first, second = unique("first") + "+status-429+retry-after-1", unique("second")
    response = shared_gateway.http.post(path(f"fake/{first}", "generateContent"),
                                        json=request(models=[f"fakegem/{second}"]))
    assert response.status_code == 200 and response.headers["x-switchyard-attempts"] == "2"
    answer = response.json()
    assert answer["modelVersion"] == f"fakegem/{second}" and text_of(answer) == fake_answer(second, PROMPT)
    row = shared_gateway.generation(answer["responseId"])
    assert [a["outcome"] for a in row["attempts"]] == ["rate_limited", "ok"]
    # `pool` is an alias (fake/m1+status-429, then fakeant/claude-x): its name works as the path's model.
    pooled = shared_gateway.http.post(path("pool", "generateContent"), json=request()).json()
    assert pooled["modelVersion"] == "fakeant/claude-x"


def test_errors_in_gemini_shape(shared_gateway):
    def error_of(response):
        error = response.json()["error"]
        assert set(error) >= {"code", "message", "status"} and error["code"] == response.status_code, error
        return error

    unknown = shared_gateway.http.post(path("no-such-model", "generateContent"), json=request())
    assert unknown.status_code == 404 and error_of(unknown)["status"] == "NOT_FOUND"
    limited = shared_gateway.http.post(path(f"fake/{unique('rl')}+status-429+retry-after-3", "generateContent"),
                                       json=request())
    error = error_of(limited)
    assert limited.status_code == 429 and error["status"] == "RESOURCE_EXHAUSTED"
    assert limited.headers["retry-after"] == "3"
    assert {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "3s"} in error["details"]
    empty = shared_gateway.http.post(path("fake/x", "generateContent"), json={"contents": []})
    assert empty.status_code == 400 and error_of(empty)["status"] == "INVALID_ARGUMENT"
    search = shared_gateway.http.post(path("fake/x", "generateContent"), json=request(tools=[{"googleSearch": {}}]))
    assert search.status_code == 400 and "googleSearch" in error_of(search)["message"]
    wrong = shared_gateway.http.post("/v1beta/models/fake%2Fx:embedEverything", json=request())
    assert wrong.status_code == 404 and error_of(wrong)["status"] == "NOT_FOUND"


def test_stream_cut_after_tokens_ends_with_an_error_object(shared_gateway):
    name = unique("cut") + "+cut-after-2"
    events = [json.loads(e) for e in sse_data(shared_gateway.http.post(
        path(f"fake/{name}", "streamGenerateContent") + "?alt=sse", json=request()).iter_lines())]
    assert "".join(text_of(e) for e in events[:-1]) == "Fake answer"
    assert events[-1]["error"]["status"] in ("INTERNAL", "UNAVAILABLE") and events[-1]["error"]["message"]


def test_keys_as_query_parameter_or_header(routing_gateway):
    admin = "sk-sy-admin-for-gemini-face"
    gw = routing_gateway(env={"SWITCHYARD_ADMIN_KEY": admin, "SWITCHYARD_API_KEY": ""})
    refused = gw.http.post(path("fake/cheap", "generateContent"), json=request(), params={"key": "wrong"})
    assert refused.status_code == 401 and refused.json()["error"]["status"] == "UNAUTHENTICATED"
    (row,) = wait_usage_rows(gw.db_path, 1, "http_status = 401")
    assert row["requested_model"] == "fake/cheap" and row["status"] == "error", "a refused call has its usage row"
    by_query = gw.http.post(path("fake/cheap", "generateContent"), json=request(), params={"key": admin})
    assert by_query.status_code == 200, by_query.text
    by_header = gw.http.post(path("fake/cheap", "generateContent"), json=request(), headers={"x-goog-api-key": admin})
    assert by_header.status_code == 200 and text_of(by_header.json()) == text_of(by_query.json())
