"""Model calls that end without an answer, seen by the `openai` SDK against `switchyard serve` on `fake-provider`:
every failure names its usage row (`X-Switchyard-Generation-Id`, `error.metadata.generation_id`) and blames the model
that failed last; a stream cut after tokens is charged what the provider generated; a key with a budget cannot call
a model whose price is unknown; calls still running when a shutdown's grace period ends get a retryable 503.
"""
from __future__ import annotations

import signal
import threading

import httpx2
import openai
import pytest

from routing_support import (RoutingGateway, chat_body, requires_fake_provider, routing_settings, sse_data, unique,
                             wait_exit)
from support import requires_binary, wait_until

pytestmark = [requires_binary, requires_fake_provider]

PRICE = {"input": 1000, "output": 1000}  # $0.001 a token
ADMIN = "sk-admin-ended-calls-0123456789"


def test_a_failed_request_names_its_usage_row(routing_gateway):
    gw = routing_gateway()
    first, second = f"{unique('down')}+status-503", f"{unique('busy')}+status-429"
    client = gw.openai()
    with pytest.raises(openai.RateLimitError) as caught:
        client.chat.completions.create(model=f"fake/{first}", messages=[{"role": "user", "content": "hi"}],
                                       extra_body={"models": [f"fake/{second}"]})
    gen_id = caught.value.response.headers["x-switchyard-generation-id"]
    assert caught.value.body["metadata"]["generation_id"] == gen_id
    row = gw.generation(gen_id)
    assert row["status"] == "error" and row["http_status"] == 429
    assert row["model"] == f"fake/{second}", "a failure is reported under the model that failed last"


def priced_gateway(routing_gateway, model: str):
    return routing_gateway(env={"SWITCHYARD_ADMIN_KEY": ADMIN, "SWITCHYARD_API_KEY": ""},
                           models={f"fake/{model}": {"pricing": PRICE}})


def create_key(gw, **fields) -> tuple[str, str]:
    """POST /v1/keys as the admin: (secret, id)."""
    response = gw.client(ADMIN).post("/v1/keys", json={"name": unique("key"), **fields})
    assert response.status_code == 201, response.text
    return response.json()["key"], response.json()["api_key_id_hash"]


def spend(gw, key_id: str) -> float:
    return gw.client(ADMIN).get(f"/v1/keys/{key_id}").json()["data"]["spend"]


def test_a_cut_stream_is_charged_what_was_generated(routing_gateway):
    model = unique("cut") + "+chunks-200+cut-after-150"
    gw = priced_gateway(routing_gateway, model)
    secret, key_id = create_key(gw, credit_limit=10.0)
    client = gw.openai(api_key=secret)
    words = []
    with pytest.raises(openai.APIError):
        for chunk in client.chat.completions.create(model=f"fake/{model}", stream=True,
                                                    messages=[{"role": "user", "content": "tell me"}]):
            if chunk.choices and chunk.choices[0].delta.content:
                words.append(chunk.choices[0].delta.content)
    assert len(words) >= 100, "the tokens before the cut reached the client"
    charged = wait_until(lambda: spend(gw, key_id) or None, 10, "the cut stream was never charged")
    # 150 streamed words at $0.001 a token (estimated from their bytes), plus the prompt.
    assert charged > 0.1, charged


def test_a_budget_cannot_reach_a_model_without_a_price(routing_gateway, fake_provider):
    gw = priced_gateway(routing_gateway, "priced")
    secret, _ = create_key(gw, credit_limit=1.0)
    unlisted = unique("unlisted")
    with pytest.raises(openai.PermissionDeniedError) as caught:
        gw.openai(api_key=secret).chat.completions.create(model=f"fake/{unlisted}",
                                                          messages=[{"role": "user", "content": "hi"}])
    assert caught.value.body["code"] == "model_price_unknown"
    assert "pricing" in caught.value.body["message"] and f"fake/{unlisted}" in caught.value.body["message"]
    assert fake_provider.count(unlisted) == 0
    unlimited, _ = create_key(gw)
    answer = gw.openai(api_key=unlimited).chat.completions.create(model=f"fake/{unlisted}",
                                                                  messages=[{"role": "user", "content": "hi"}])
    assert answer.model == f"fake/{unlisted}", "a key without a budget may use it"


def test_calls_outliving_the_shutdown_grace_get_a_retryable_503(fake_provider, tmp_path):
    gw = RoutingGateway(tmp_path / "gw", routing_settings(fake_provider), "--shutdown-grace", "1")
    try:
        shut_down_with_calls_in_flight(gw, fake_provider)
    finally:
        gw.close()


def shut_down_with_calls_in_flight(gw: RoutingGateway, fake_provider) -> None:
    # Both outlive the 1 s grace: a 5 s wait for a plain answer, and a 10 s stream.
    slow = unique("slow") + "+latency-5000"
    streaming = unique("drip") + "+chunks-100+chunk-delay-100"
    results: dict[str, object] = {}

    def plain() -> None:
        try:
            gw.openai(timeout=30).chat.completions.create(model=f"fake/{slow}",
                                                          messages=[{"role": "user", "content": "hi"}])
            results["plain"] = "answered"
        except openai.APIStatusError as error:
            results["plain"] = error

    def stream() -> None:
        with httpx2.stream("POST", f"{gw.api}/chat/completions", timeout=30,
                           json=chat_body(f"fake/{streaming}", stream=True)) as response:
            results["stream"] = (response.status_code, sse_data(response.iter_lines()))

    threads = [threading.Thread(target=plain), threading.Thread(target=stream)]
    for thread in threads:
        thread.start()
    wait_until(lambda: fake_provider.count(slow) and fake_provider.count(streaming), 10, "calls never reached the fake")
    gw.proc.send_signal(signal.SIGTERM)
    assert wait_exit(gw.proc, 20) == 0
    for thread in threads:
        thread.join(10)
    error = results["plain"]
    assert isinstance(error, openai.APIStatusError) and error.status_code == 503, error
    assert error.body["code"] == "shutting_down" and "shutting down" in error.body["message"]
    assert error.response.headers["retry-after"] == "1"
    status, events = results["stream"]
    assert status == 200 and "[DONE]" not in events
    assert "shutting down" in events[-1], events[-1]


def test_requests_refused_by_an_open_circuit_are_reported_under_their_model(routing_gateway):
    gw = routing_gateway(health={"failure_threshold": 2, "cooldown_seconds": 60})
    model = f"fake/{unique('down')}+status-503"
    ids = []
    for _ in range(4):
        response = gw.http.post("/v1/chat/completions", json=chat_body(model))
        assert response.status_code == 503, response.text
        ids.append(response.headers["x-switchyard-generation-id"])
    refused = gw.http.post("/v1/chat/completions", json=chat_body(model)).json()["error"]
    assert refused["code"] == "no_available_candidates"
    assert refused["metadata"]["attempts"][0]["outcome"] == "skipped", "the open circuit is named as the reason"
    rows = [gw.generation(gen_id) for gen_id in ids]
    assert [row["model"] for row in rows] == [model] * 4, "circuit refusals must not be reported under no model"
