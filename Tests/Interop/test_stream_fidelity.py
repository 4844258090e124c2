"""What an upstream's SSE stream becomes through Switchyard, seen by the `openai` SDK: a scripted OpenAI-compatible
upstream on loopback sends exact bytes, split into separate writes, and the client must get the same answer whether
Switchyard forwarded an event as the provider's bytes (the pass-through path) or wrote it anew (the object path).

The cases are the ones a QA pass found broken in the pass-through path: JSON spread over several `data:` lines (its
line feed was copied into the client's stream), `"error": null` on ordinary chunks (read as an error), invalid UTF-8
(copied raw, so the SDK could not decode the stream), an empty `data:` keep-alive, and a complete stream that never
reports usage (charged nothing, less than a broken one).
"""
from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from routing_support import requires_fake_provider, routing_settings
from support import requires_binary

pytestmark = [requires_binary, requires_fake_provider]


def chunk(content: str | None = None, finish: str | None = None, **extra) -> bytes:
    delta = {} if content is None else {"content": content}
    event = {"id": "up-1", "object": "chat.completion.chunk", "created": 1, "model": "up",
             "choices": [{"index": 0, "delta": delta, "finish_reason": finish}], **extra}
    return b"data: " + json.dumps(event).encode() + b"\n\n"


DONE = b"data: [DONE]\n\n"
USAGE = (b'data: {"id":"up-1","object":"chat.completion.chunk","created":1,"model":"up","choices":[],'
         b'"usage":{"prompt_tokens":9,"completion_tokens":2,"total_tokens":11}}\n\n')

# Each script is the list of writes the upstream makes, in order, for the model of that name.
SCRIPTS: dict[str, list[bytes]] = {
    # One event's JSON over two data: lines (the SSE spec joins them with a line feed), split between writes.
    "multiline": [b'data: {"id":"up-1","choices":\ndata: [{"index":0,"delta":{"content":"Hel', b'lo"},',
                  b'"finish_reason":null}]}\n\n', chunk(finish="stop"), USAGE, DONE],
    "error-null": [chunk("Hello", error=None), chunk(" world", error=None), chunk(finish="stop", error=None),
                   USAGE, DONE],
    "invalid-utf8": [b'data: {"id":"up-1","choices":[{"index":0,"delta":{"content":"bad\xff\xfebyte"},'
                     b'"finish_reason":null}]}\n\n', chunk(finish="stop"), USAGE, DONE],
    "empty-data": [b"data:\n\n", chunk("Hi"), b": keep-alive\n\n", b"data:\r\n\r\n", chunk(finish="stop"), USAGE,
                   DONE],
    "crlf-split": [piece for event in (chunk("h\u00e9llo \U0001F600"), chunk(finish="stop"), USAGE, DONE)
                   for piece in (event.replace(b"\n", b"\r\n")[:9], event.replace(b"\n", b"\r\n")[9:])],
    "no-usage": [chunk("Hello there, friend"), chunk(finish="stop"), DONE],
}


class ScriptedUpstream(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):  # noqa: N802 (http.server's naming)
        request = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        writes = SCRIPTS[request["model"]]
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        for piece in writes:
            self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
            self.wfile.flush()
            time.sleep(0.005)  # separate reads on the gateway's side
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def upstream():
    server = ThreadingHTTPServer(("127.0.0.1", 0), ScriptedUpstream)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    server.shutdown()
    server.server_close()


@pytest.fixture
def gateway(routing_gateway, fake_provider, upstream):
    providers = routing_settings(fake_provider)["providers"]
    return routing_gateway(providers={**providers, "up": {"kind": "openai", "base_url": upstream}})


def stream(gateway, model: str) -> tuple[str, list, str]:
    """The streamed text, the chunks and the response id, through the openai SDK (which raises on anything it
    cannot parse)."""
    chunks = list(gateway.openai().chat.completions.create(
        model=f"up/{model}", messages=[{"role": "user", "content": "say it"}], stream=True,
        stream_options={"include_usage": True}))
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    return text, chunks, chunks[0].id


@pytest.mark.parametrize("model, expected", [
    ("multiline", "Hello"),
    ("error-null", "Hello world"),
    ("invalid-utf8", "bad\ufffd\ufffdbyte"),
    ("empty-data", "Hi"),
    ("crlf-split", "h\u00e9llo \U0001F600"),
])
def test_the_client_gets_what_the_upstream_meant(gateway, model, expected):
    text, chunks, gen_id = stream(gateway, model)
    assert text == expected
    assert chunks[-1].usage is not None and chunks[-1].usage.total_tokens == 11
    assert all(c.id == gen_id and c.model == f"up/{model}" for c in chunks)
    row = gateway.generation(gen_id)
    assert row["status"] == "ok" and row["tokens_prompt"] == 9 and row["tokens_completion"] == 2


def test_a_complete_stream_without_usage_is_charged_an_estimate_and_says_so(gateway):
    text, chunks, gen_id = stream(gateway, "no-usage")
    assert text == "Hello there, friend"
    usage = chunks[-1].usage
    assert usage is not None and usage.completion_tokens == 5 and usage.prompt_tokens > 0  # 19 bytes ≈ 5 tokens
    row = gateway.generation(gen_id)
    assert row["status"] == "ok"
    assert row["tokens_completion"] == 5
    assert "tokens estimated" in row["error"]
