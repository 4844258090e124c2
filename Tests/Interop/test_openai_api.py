"""The OpenAI-compatible HTTP API of `switchyard serve` driven by the official `openai` SDK (and raw HTTP where the
SDK hides what matters), with `fake-provider` as every upstream: the three provider kinds, fallback, errors, stream
failure before and after the first token, the model list, embeddings, and usage rows surviving SIGTERM under load.

One gateway per module (`shared_gateway`) serves the tests that do not restart it; model names are unique per test
(`unique()`), so the fake's per-model counters and Switchyard's per-model health never leak between tests.
"""

from __future__ import annotations

import base64
import http.client
import json
import signal
import struct
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import httpx2
import openai
import pytest

from routing_support import (FAKE_KEY, chat_body, fake_answer, requires_fake_provider, sse_data, unique,
                             usage_rows, wait_exit, wait_usage_rows)
from support import requires_binary, wait_until

pytestmark = [requires_binary, requires_fake_provider]
PROVIDERS = ["fake", "fakeant", "fakegem"]
PROMPT = "hello   routed\nworld"
WEATHER_TOOL = {"type": "function", "function": {
    "name": "get_weather", "description": "Weather in a city",
    "parameters": {"type": "object", "properties": {"city": {"type": "string"}, "days": {"type": "integer"}},
                   "required": ["city", "days"]}}}
PERSON_FORMAT = {"type": "json_schema", "json_schema": {"name": "person", "strict": True, "schema": {
    "type": "object", "properties": {"name": {"type": "string"}, "age": {"type": "integer"},
                                     "tags": {"type": "array", "items": {"type": "string"}}},
    "required": ["name", "age", "tags"], "additionalProperties": False}}}


def user(text: str = PROMPT) -> list[dict]:
    return [{"role": "user", "content": text}]


def collect_stream(stream) -> tuple[str, list]:
    """The concatenated content deltas and every chunk of an SDK stream."""
    chunks = list(stream)
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    return text, chunks


# ---- completions through the SDK ---------------------------------------------------------------------------

def test_plain_completion_has_routing_fields_and_cost(shared_gateway, fake_provider):
    client = shared_gateway.openai()
    response = client.chat.completions.with_raw_response.create(model="fake/cheap", messages=user())
    completion = response.parse()
    assert completion.choices[0].message.content == fake_answer("cheap", PROMPT)
    assert completion.choices[0].finish_reason == "stop"
    assert completion.model == "fake/cheap"
    assert completion.id.startswith("gen-")
    assert completion.model_extra.get("provider") == "fake"
    assert response.headers["x-switchyard-model"] == "fake/cheap"
    assert response.headers["x-switchyard-generation-id"] == completion.id
    # The fake counts prompt bytes / 4 and one token per word; fake/cheap costs $1 / $2 per million tokens.
    usage = completion.usage
    assert (usage.prompt_tokens, usage.completion_tokens) == (len(PROMPT.encode()) // 4, 7)
    assert usage.total_tokens == usage.prompt_tokens + usage.completion_tokens
    expected_cost = (usage.prompt_tokens * 1 + usage.completion_tokens * 2) / 1e6
    assert usage.model_extra["cost"] == pytest.approx(expected_cost)
    row = shared_gateway.generation(completion.id)
    assert row["model"] == "fake/cheap" and row["status"] == "ok" and row["face"] == "http"
    assert row["total_cost"] == pytest.approx(expected_cost)
    assert (row["tokens_prompt"], row["tokens_completion"]) == (usage.prompt_tokens, usage.completion_tokens)


def test_openai_kind_usage_reaches_the_client_as_the_provider_sent_it(shared_gateway):
    """The fake reports usage as OpenAI does, with audio and prediction details: an OpenAI-kind upstream's `usage`
    goes on whole, plain and streamed, with Switchyard's cost added."""
    client = shared_gateway.openai()
    plain = client.chat.completions.create(model="fake/cheap", messages=user())
    _, chunks = collect_stream(client.chat.completions.create(
        model="fake/cheap", messages=user(), stream=True, stream_options={"include_usage": True}))
    for usage in (plain.usage, chunks[-1].usage):
        assert usage.prompt_tokens_details.cached_tokens == 0
        assert usage.prompt_tokens_details.audio_tokens == 0
        details = usage.completion_tokens_details
        assert (details.reasoning_tokens, details.audio_tokens) == (0, 0)
        assert (details.accepted_prediction_tokens, details.rejected_prediction_tokens) == (0, 0)
        assert usage.model_extra["cost"] == pytest.approx((usage.prompt_tokens * 1 + usage.completion_tokens * 2) / 1e6)


@pytest.mark.parametrize("provider", PROVIDERS)
def test_plain_and_stream_agree_for_each_provider_kind(shared_gateway, fake_provider, provider):
    name = unique("kind")
    model = f"{provider}/{name}"
    client = shared_gateway.openai()
    plain = client.chat.completions.create(model=model, messages=user())
    plain_path = fake_provider.stats()["last_path"]
    assert plain.choices[0].message.content == fake_answer(name, PROMPT)
    assert plain.model == model and plain.model_extra.get("provider") == provider

    text, chunks = collect_stream(client.chat.completions.create(
        model=model, messages=user(), stream=True, stream_options={"include_usage": True}))
    stats = fake_provider.stats()
    assert text == plain.choices[0].message.content
    assert len([c for c in chunks if c.choices and c.choices[0].delta.content]) >= 5, "one event per word"
    assert {c.id for c in chunks} == {chunks[0].id} and chunks[0].id.startswith("gen-") and chunks[0].id != plain.id
    assert {c.model for c in chunks} == {model}
    assert [c.choices[0].finish_reason for c in chunks if c.choices and c.choices[0].finish_reason] == ["stop"]
    final = chunks[-1]
    assert final.choices == [] and final.usage is not None, "include_usage: a last chunk with usage and no choices"
    assert final.usage.completion_tokens == plain.usage.completion_tokens
    assert final.usage.prompt_tokens == plain.usage.prompt_tokens
    assert fake_provider.count(name) == 2

    # Each kind reached the fake through its own native API, with the key from api_key_env.
    if provider == "fake":
        assert plain_path == stats["last_path"] == "/v1/chat/completions"
    elif provider == "fakeant":
        assert plain_path == stats["last_path"] == "/v1/messages"
        assert stats["last_headers"].get("x-api-key") == FAKE_KEY
        assert stats["last_headers"].get("anthropic-version")
        assert stats["last_request"]["stream"] is True
    else:
        assert plain_path == f"/v1beta/models/{name}:generateContent"
        assert stats["last_path"] == f"/v1beta/models/{name}:streamGenerateContent"
    assert "unused" not in json.dumps(stats["last_headers"]), "the client's own key must never go upstream"


@pytest.mark.parametrize("provider", PROVIDERS)
def test_tool_calls_parsed_by_the_sdk(shared_gateway, provider):
    model = f"{provider}/{unique('tools')}+tools"
    client = shared_gateway.openai()
    completion = client.chat.completions.create(model=model, messages=user("weather in Paris?"), tools=[WEATHER_TOOL])
    choice = completion.choices[0]
    assert choice.finish_reason == "tool_calls"
    (call,) = choice.message.tool_calls
    assert call.type == "function" and call.id
    assert call.function.name == "get_weather"
    assert json.loads(call.function.arguments) == {"city": "fake", "days": 0}

    # Streamed: the SDK's chunks carry the call in fragments that concatenate to the same arguments.
    chunks = list(client.chat.completions.create(model=model, messages=user("weather in Paris?"),
                                                 tools=[WEATHER_TOOL], stream=True))
    fragments = [tc for c in chunks if c.choices for tc in (c.choices[0].delta.tool_calls or [])]
    assert fragments and fragments[0].function.name == "get_weather" and fragments[0].id
    assert {f.index for f in fragments} == {0}
    assert json.loads("".join(f.function.arguments or "" for f in fragments)) == {"city": "fake", "days": 0}
    assert [c.choices[0].finish_reason for c in chunks if c.choices and c.choices[0].finish_reason] == ["tool_calls"]


@pytest.mark.parametrize("provider", PROVIDERS)
def test_json_schema_response_format(shared_gateway, provider):
    # Anthropic has no schema-constrained text: Switchyard forces a tool whose input is the answer, and the fake
    # calls a tool only when scripted to (`+tools`).
    model = f"{provider}/{unique('json')}" + ("+tools" if provider == "fakeant" else "")
    client = shared_gateway.openai()
    completion = client.chat.completions.create(model=model, messages=user("describe someone"),
                                                response_format=PERSON_FORMAT)
    message = completion.choices[0].message
    assert not message.tool_calls, "the emulation tool must not leak to the client"
    assert json.loads(message.content) == {"name": "fake", "age": 0, "tags": []}
    text, _ = collect_stream(client.chat.completions.create(model=model, messages=user("describe someone"),
                                                            response_format=PERSON_FORMAT, stream=True))
    assert json.loads(text) == {"name": "fake", "age": 0, "tags": []}


@pytest.mark.parametrize("provider", PROVIDERS)
def test_max_tokens_finishes_with_length(shared_gateway, provider):
    model = f"{provider}/{unique('short')}"
    client = shared_gateway.openai()
    completion = client.chat.completions.create(model=model, messages=user(), max_tokens=3)
    assert completion.choices[0].message.content == "Fake answer from"
    assert completion.choices[0].finish_reason == "length"
    assert completion.usage.completion_tokens == 3
    text, chunks = collect_stream(client.chat.completions.create(model=model, messages=user(), max_tokens=3,
                                                                 stream=True))
    assert text == "Fake answer from"
    assert [c.choices[0].finish_reason for c in chunks if c.choices and c.choices[0].finish_reason] == ["length"]


@pytest.mark.parametrize("prefix", ["/api/v1", "/openai/v1"])
def test_other_api_prefixes(shared_gateway, prefix):
    name = unique("prefix")
    client = openai.OpenAI(base_url=f"{shared_gateway.base}{prefix}", api_key="unused", max_retries=0, timeout=20)
    completion = client.chat.completions.create(model=f"fake/{name}", messages=user())
    assert completion.choices[0].message.content == fake_answer(name, PROMPT)
    text, _ = collect_stream(client.chat.completions.create(model=f"fake/{name}", messages=user(), stream=True))
    assert text == fake_answer(name, PROMPT)
    shared_gateway.generation(completion.id)  # written by now
    row = shared_gateway.http.get(f"{prefix}/generation", params={"id": completion.id})
    assert row.status_code == 200 and row.json()["data"]["id"] == completion.id


# ---- fallback ------------------------------------------------------------------------------------------------

def test_fallback_after_rate_limit(shared_gateway, fake_provider):
    first, second = unique("first") + "+status-429+retry-after-1", unique("second")
    client = shared_gateway.openai()
    response = client.chat.completions.with_raw_response.create(
        model=f"fake/{first}", messages=user(), extra_body={"models": [f"fake/{second}"]})
    completion = response.parse()
    assert completion.model == f"fake/{second}"
    assert completion.choices[0].message.content == fake_answer(second, PROMPT)
    assert response.headers["x-switchyard-attempts"] == "2"
    row = shared_gateway.generation(completion.id)
    assert row["requested_model"] == f"fake/{first}" and row["model"] == f"fake/{second}" and row["status"] == "ok"
    attempts = [(a["model"], a["outcome"], a.get("status")) for a in row["attempts"]]
    assert attempts == [(f"fake/{first}", "rate_limited", 429), (f"fake/{second}", "ok", 200)]
    assert (fake_provider.count(first), fake_provider.count(second)) == (1, 1)


@pytest.mark.parametrize("statuses,error_class,status", [
    (["429+retry-after-1", "429+retry-after-2"], openai.RateLimitError, 429),
    (["500", "502"], openai.InternalServerError, 502),
])
def test_all_candidates_fail(shared_gateway, fake_provider, statuses, error_class, status):
    names = [f"{unique('fail')}+status-{s}" for s in statuses]
    client = shared_gateway.openai()
    with pytest.raises(error_class) as caught:
        client.chat.completions.create(model=f"fake/{names[0]}", messages=user(),
                                       extra_body={"models": [f"fake/{n}" for n in names[1:]]})
    error = caught.value
    assert error.status_code == status
    body = error.body  # the SDK hands over the `error` object
    assert set(body) >= {"message", "type", "code", "param"}
    attempts = body["metadata"]["attempts"]
    assert [a["model"] for a in attempts] == [f"fake/{n}" for n in names]
    assert [a["status"] for a in attempts] == [int(s.split("+")[0]) for s in statuses]
    assert all(a["outcome"] in ("rate_limited", "server_error") for a in attempts)
    if status == 429:
        assert error.response.headers.get("retry-after") == "2", "the last provider's Retry-After is passed on"
    assert [fake_provider.count(n) for n in names] == [1, 1]
    (row,) = wait_usage_rows(shared_gateway.db_path, 1, "requested_model = ?", (f"fake/{names[0]}",))
    assert row["status"] == "error" and row["http_status"] == status
    assert [a["model"] for a in json.loads(row["attempts"])] == [f"fake/{n}" for n in names]


# ---- errors on the wire ----------------------------------------------------------------------------------------

def test_request_errors_keep_the_connection(shared_gateway):
    conn = http.client.HTTPConnection("127.0.0.1", shared_gateway.port, timeout=10)
    sockets = []

    def call(method: str, path: str, body: bytes | None = None, headers: dict | None = None):
        h = {"Content-Type": "application/json", **(headers or {})}
        conn.request(method, path, body=body, headers=h)
        response = conn.getresponse()
        data = response.read()
        assert not response.will_close, f"{method} {path}: the server closed the connection after {response.status}"
        sockets.append(conn.sock)
        return response, json.loads(data) if data else None

    def error_of(response, payload, status):
        assert response.status == status, payload
        assert response.getheader("Content-Type", "").startswith("application/json")
        assert set(payload["error"]) >= {"message", "type", "code", "param"}, payload
        return payload["error"]

    error = error_of(*call("POST", "/v1/chat/completions", b'{"model": "fake/x", "messages": [}'), 400)
    assert error["code"] == "invalid_json" and error["type"] == "invalid_request_error"

    error = error_of(*call("POST", "/v1/chat/completions", b"model=x", {"Content-Type": "text/plain"}), 415)
    assert error["code"] == "unsupported_media_type"
    # `curl -d` labels JSON as a form: a body that parses is taken as JSON whatever its label.
    error = error_of(*call("POST", "/v1/chat/completions", b"{}", {"Content-Type": "application/x-www-form-urlencoded"}), 400)
    assert error["param"] == "messages"

    error = error_of(*call("POST", "/v1/chat/completions", json.dumps({"model": "fake/x"}).encode()), 400)
    assert error["param"] == "messages" and "messages" in error["message"]

    error = error_of(*call("POST", "/v1/chat/completions", json.dumps(chat_body("no-such-model")).encode()), 404)
    assert error["code"] == "model_not_found" and "no-such-model" in error["message"]

    response, payload = call("GET", "/v1/chat/completions")
    assert error_of(response, payload, 405)["code"] == "method_not_allowed"
    assert response.getheader("Allow") == "POST"

    error = error_of(*call("GET", "/v1/no/such/route"), 404)
    assert error["code"] == "unknown_url"
    error = error_of(*call("POST", "/v1/no/such/route", json.dumps(chat_body("fake/x")).encode()), 404)
    assert error["code"] == "unknown_url"
    error = error_of(*call("GET", "/v1/generation"), 400)
    assert error["param"] == "id"
    error = error_of(*call("GET", "/v1/generation?id=gen-doesnotexist"), 404)

    name = unique("after-errors")
    response, payload = call("POST", "/v1/chat/completions", json.dumps(chat_body(f"fake/{name}")).encode())
    assert response.status == 200 and payload["choices"][0]["message"]["content"] == fake_answer(name, "hello world")
    # A chunked request body (what streaming uploaders send) on the same connection.
    body = json.dumps(chat_body(f"fake/{name}", "chunked " * 2000)).encode()
    conn.request("POST", "/v1/chat/completions", body=iter([body[:100], body[100:4000], body[4000:]]),
                 headers={"Content-Type": "application/json"}, encode_chunked=True)
    response = conn.getresponse()
    payload = json.loads(response.read())
    assert response.status == 200, payload
    assert payload["choices"][0]["message"]["content"] == fake_answer(name, "chunked " * 2000)
    sockets.append(conn.sock)
    assert all(s is sockets[0] for s in sockets), "every request must have used the same keep-alive connection"
    conn.close()


def test_unknown_provider_is_model_not_found(shared_gateway):
    """`provider/model` at a provider that is not configured is an unknown model: 404 `model_not_found`, like a
    bare name nobody offers, so SDKs raise NotFoundError for both."""
    client = shared_gateway.openai()
    for model in ("no-such-model", "nosuchprovider/some-model"):
        with pytest.raises(openai.NotFoundError) as caught:
            client.chat.completions.create(model=model, messages=user())
        assert caught.value.body["code"] == "model_not_found", model
        assert caught.value.body["param"] == "model"


# ---- streams that break ------------------------------------------------------------------------------------------

def test_stream_cut_after_tokens_is_an_error_not_an_end(shared_gateway, fake_provider):
    name = unique("cut") + "+cut-after-2"
    client = shared_gateway.openai()
    seen = []
    with pytest.raises(openai.APIError) as caught:
        for chunk in client.chat.completions.create(model=f"fake/{name}", messages=user(), stream=True,
                                                    extra_body={"models": [f"fake/{unique('never')}"]}):
            seen.append(chunk.choices[0].delta.content if chunk.choices else None)
    assert "".join(s or "" for s in seen) == "Fake answer", "the two tokens before the cut reach the client"
    assert "broke" in str(caught.value) or "stream" in str(caught.value)

    # The same at the byte level: an error event and no [DONE], and no failover once tokens went out.
    fallback = unique("never")
    with httpx2.stream("POST", f"{shared_gateway.api}/chat/completions", timeout=20,
                       json=chat_body(f"fake/{name}", PROMPT, stream=True, models=[f"fake/{fallback}"])) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        gen_id = response.headers["x-switchyard-generation-id"]
        events = sse_data(response.iter_lines())
    assert "[DONE]" not in events
    last = json.loads(events[-1])
    assert set(last) == {"error"} and last["error"]["message"], last
    assert last["error"]["metadata"]["attempts"][-1]["model"] == f"fake/{name}"
    contents = [json.loads(e)["choices"][0]["delta"].get("content") for e in events[:-1]]
    assert "".join(c or "" for c in contents) == "Fake answer"
    assert fake_provider.count(fallback) == 0, "a stream that already sent tokens must not fail over"
    row = shared_gateway.generation(gen_id)
    assert row["status"] == "error" and row["model"] == f"fake/{name}"


@pytest.mark.parametrize("directive", ["status-500", "cut-after-0", "invalid-json", "status-429+retry-after-1"])
def test_stream_fails_over_before_the_first_token(shared_gateway, fake_provider, directive):
    first, second = f"{unique('a')}+{directive}", unique("b")
    client = shared_gateway.openai()
    text, chunks = collect_stream(client.chat.completions.create(
        model=f"fake/{first}", messages=user(), stream=True, extra_body={"models": [f"fake/{second}"]}))
    assert text == fake_answer(second, PROMPT)
    assert {c.model for c in chunks} == {f"fake/{second}"}
    assert (fake_provider.count(first), fake_provider.count(second)) == (1, 1)
    row = shared_gateway.generation(chunks[0].id)
    assert [a["outcome"] for a in row["attempts"]][-1] == "ok" and len(row["attempts"]) == 2
    assert row["status"] == "ok" and row["streamed"] is True


def test_client_leaving_mid_stream_cancels_the_upstream(shared_gateway, fake_provider):
    name = unique("slow") + "+chunk-delay-200+chunks-50"
    before = fake_provider.stats()["cancelled"]
    with httpx2.stream("POST", f"{shared_gateway.api}/chat/completions", timeout=20,
                       json=chat_body(f"fake/{name}", PROMPT, stream=True)) as response:
        gen_id = response.headers["x-switchyard-generation-id"]
        lines = response.iter_lines()
        assert next(line for line in lines if line.startswith("data:"))
    # Closing the response closed the socket: Switchyard must hang up on the fake too, long before the 10 s the
    # 50 chunks would take, and record the request as cancelled.
    wait_until(lambda: fake_provider.stats()["cancelled"] > before, 5, "the upstream stream was never cancelled")
    row = shared_gateway.generation(gen_id)
    assert row["status"] == "cancelled" and row["attempts"][-1]["outcome"] == "cancelled"


def test_client_timeout_on_a_hanging_upstream_cancels_it(shared_gateway, fake_provider):
    name = unique("hang") + "+hang"
    before = fake_provider.stats()["cancelled"]
    with pytest.raises(openai.APITimeoutError):
        shared_gateway.openai(timeout=1).chat.completions.create(model=f"fake/{name}", messages=user())
    wait_until(lambda: fake_provider.stats()["cancelled"] > before, 5, "the hanging upstream call was never cancelled")
    (row,) = wait_usage_rows(shared_gateway.db_path, 1, "requested_model = ?", (f"fake/{name}",))
    assert row["status"] == "cancelled"


# ---- models and embeddings ----------------------------------------------------------------------------------------

def test_models_list_shape(shared_gateway):
    listing = shared_gateway.http.get("/v1/models").json()
    assert listing["object"] == "list"
    by_id = {m["id"]: m for m in listing["data"]}
    models = [m for m in listing["data"] if m.get("owned_by") != "switchyard"]
    assert {"fake/cheap", "fake/toolful", "fake/gpt-fake", "fakeant/claude-fake", "fakegem/gemini-fake"} <= set(by_id)
    for m in models:
        assert m["object"] == "model" and "/" in m["id"]
        assert "context_length" in m and isinstance(m["is_active"], bool)
        assert isinstance(m["architecture"]["input_modalities"], list) and m["architecture"]["input_modalities"]
        assert "max_completion_tokens" in m["top_provider"]
    cheap = by_id["fake/cheap"]
    assert cheap["context_length"] == 32000 and cheap["top_provider"]["max_completion_tokens"] == 4096
    assert float(cheap["pricing"]["prompt"]) == pytest.approx(1e-6)
    assert float(cheap["pricing"]["completion"]) == pytest.approx(2e-6)
    pool = by_id["pool"]
    assert pool["owned_by"] == "switchyard" and pool["switchyard"]["alias"] is True
    assert pool["switchyard"]["targets"] == ["fake/m1+status-429", "fakeant/claude-x"]
    for prefix in ("/api/v1", "/openai/v1"):
        assert shared_gateway.http.get(f"{prefix}/models").json() == listing, prefix

    sdk_ids = {m.id for m in shared_gateway.openai().models.list()}
    assert sdk_ids == set(by_id)


def test_models_list_prices_cache_writes(routing_gateway):
    """A `cache_write` price in settings is listed per token as OpenRouter's `input_cache_write`; a model without
    one lists none (its cache writes cost the input price)."""
    gw = routing_gateway(models={
        "fakeant/claude-cachey": {"pricing": {"input": 2, "output": 10, "cached_input": 0.2, "cache_write": 2.5}},
        "fake/cheap": {"pricing": {"input": 1, "output": 2}},
    })
    by_id = {m["id"]: m for m in gw.http.get("/v1/models").json()["data"]}
    assert by_id["fakeant/claude-cachey"]["pricing"] == {
        "prompt": "0.000002", "completion": "0.00001", "input_cache_read": "0.0000002",
        "input_cache_write": "0.0000025"}
    assert by_id["fake/cheap"]["pricing"] == {"prompt": "0.000001", "completion": "0.000002"}


def test_model_retrieve_through_the_sdk(shared_gateway):
    """The SDK percent-encodes the `/` of `provider/model` in the path (`/v1/models/fake%2Fcheap`)."""
    model = shared_gateway.openai().models.retrieve("fake/cheap")
    assert model.id == "fake/cheap"
    assert shared_gateway.http.get("/v1/models/fake/cheap").json()["id"] == "fake/cheap"


def _float32_vector(b64: str) -> list[float]:
    raw = base64.b64decode(b64)
    return list(struct.unpack(f"<{len(raw) // 4}f", raw))


@pytest.mark.parametrize("provider", ["fake", "fakegem"])
def test_embeddings(shared_gateway, provider):
    client = shared_gateway.openai()
    model = f"{provider}/text-embedding-fake"
    result = client.embeddings.create(model=model, input=["hello", "routed world", "hello"])
    assert result.model == model
    vectors = [d.embedding for d in result.data]
    assert [d.index for d in result.data] == [0, 1, 2]
    assert len(vectors[0]) == 8 and all(-1 <= x < 1 for x in vectors[0])
    assert vectors[0] == vectors[2] != vectors[1], "deterministic: equal texts, equal vectors"
    if provider == "fake":  # Gemini's batchEmbedContents reports no token counts
        assert result.usage.prompt_tokens >= 1
    # The same texts through the other provider kind and as floats give the same numbers (the fake's vectors
    # depend only on the text), so nothing was lost in translation.
    other = "fakegem" if provider == "fake" else "fake"
    floats = client.embeddings.create(model=f"{other}/text-embedding-fake", input=["hello", "routed world"],
                                      encoding_format="float")
    assert [d.embedding for d in floats.data] == vectors[:2]
    raw = shared_gateway.http.post("/v1/embeddings", json={"model": model, "input": "hello",
                                                           "encoding_format": "base64"}).json()
    embedding = raw["data"][0]["embedding"]
    assert (_float32_vector(embedding) if isinstance(embedding, str) else embedding) == vectors[0]
    assert raw["id"].startswith("gen-")
    assert shared_gateway.generation(raw["id"])["model"] == model


def test_embeddings_beyond_geminis_batch_limit(shared_gateway, fake_provider):
    """Gemini's batchEmbedContents takes at most 100 requests (the fake refuses more with Gemini's 400, as Gemini
    does); 250 inputs go up in three batches and come back as one list in input order, the same vectors an
    OpenAI-kind provider (no such limit) gives for the same texts."""
    texts = [f"input number {i}" for i in range(250)]
    refused = fake_provider.http.post(
        f"/v1beta/models/{unique('direct')}:batchEmbedContents", headers={"x-goog-api-key": FAKE_KEY},
        json={"requests": [{"content": {"parts": [{"text": text}]}} for text in texts]})
    assert refused.status_code == 400, refused.text
    assert refused.json()["error"]["status"] == "INVALID_ARGUMENT"
    assert "at most 100 requests" in refused.json()["error"]["message"]

    client = shared_gateway.openai()
    name = unique("embed")
    result = client.embeddings.create(model=f"fakegem/{name}", input=texts, encoding_format="float")
    assert fake_provider.count(name) == 3
    assert [d.index for d in result.data] == list(range(250))
    reference = client.embeddings.create(model=f"fake/{name}", input=texts, encoding_format="float")
    assert [d.embedding for d in result.data] == [d.embedding for d in reference.data]
    # A few inputs ask for the same vector as their own single request: nothing shifted between batches.
    for i in (0, 99, 100, 199, 249):
        single = client.embeddings.create(model=f"fakegem/{name}", input=texts[i], encoding_format="float")
        assert single.data[0].embedding == result.data[i].embedding, i
    row = shared_gateway.generation(shared_gateway.http.post(
        "/v1/embeddings", json={"model": f"fakegem/{name}", "input": texts}).json()["id"])
    assert row["status"] == "ok" and [a["outcome"] for a in row["attempts"]] == ["ok"]


def test_embeddings_where_the_provider_has_none(shared_gateway):
    with pytest.raises(openai.NotFoundError) as caught:
        shared_gateway.openai().embeddings.create(model="fakeant/claude-fake", input="hello")
    assert caught.value.body["metadata"]["attempts"][0]["model"] == "fakeant/claude-fake"


# ---- shutdown under load -------------------------------------------------------------------------------------------

def test_sigterm_under_load_loses_no_usage_row(routing_gateway, fake_provider):
    gw = routing_gateway()
    count = 50
    names = [f"{unique('load')}+latency-200" for _ in range(count)]
    results: dict[int, tuple[str, object]] = {}
    start = threading.Barrier(count + 1)

    def one(i: int) -> None:
        start.wait()
        try:
            with httpx2.Client(timeout=15) as client:
                r = client.post(f"{gw.api}/chat/completions", json=chat_body(f"fake/{names[i]}", f"request {i}"))
            results[i] = ("response", (r.status_code, r.json() if r.content else None))
        except (httpx2.HTTPError, ValueError) as error:
            results[i] = ("transport", repr(error))

    with ThreadPoolExecutor(count) as pool:
        futures = [pool.submit(one, i) for i in range(count)]
        start.wait()
        # SIGTERM once half of them are waiting on the fake's 200 ms latency: some in flight, some maybe not sent.
        arrived = lambda: len(set(names) & fake_provider.stats()["requests"].keys())  # noqa: E731
        wait_until(lambda: arrived() >= count // 2, 10, "the requests never reached the fake")
        gw.proc.send_signal(signal.SIGTERM)
        code = wait_exit(gw.proc, 15)
        for f in futures:
            f.result(timeout=20)
    assert code == 0, f"switchyard exited {code} on SIGTERM:\n{gw.stderr.tail()}"

    counts = fake_provider.stats()["requests"]
    rows = {r["requested_model"]: r for r in usage_rows(gw.db_path, "requested_model LIKE 'fake/load-%'")}
    reached = [i for i in range(count) if counts.get(names[i])]
    answered = {i: value[1] for i, (kind, value) in results.items() if kind == "response" and value[0] == 200}
    routed_errors = [i for i, (kind, value) in results.items()
                     if kind == "response" and value[0] != 200 and value[1] and "error" in value[1]]
    assert len(reached) >= count // 2
    missing = [names[i] for i in sorted(set(reached) | set(answered) | set(routed_errors))
               if f"fake/{names[i]}" not in rows]
    assert not missing, f"{len(missing)} requests that reached the router have no usage row: {missing[:5]}"
    for i, body in answered.items():
        row = rows[f"fake/{names[i]}"]
        assert row["id"] == body["id"] and row["status"] == "ok", row
    for row in rows.values():
        assert row["status"] in ("ok", "error", "cancelled"), row
    assert len(rows) >= len(reached)
    print(f"SIGTERM under load: {len(reached)} reached the fake, {len(answered)} answered 200, "
          f"{len(routed_errors)} routed errors, {Counter(kind for kind, _ in results.values())['transport']} "
          f"dropped connections; rows by status {dict(Counter(r['status'] for r in rows.values()))}")
