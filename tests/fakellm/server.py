"""The fake LLM server. It answers the real SDKs over real HTTP on 127.0.0.1, records every request (the prompts
the service sent), and can be told, per artifact, to misbehave:

    valid      the JSON object, as asked
    fenced     the object inside a Markdown code fence
    prose      the object with chatter before and after
    truncated  half the object, finish reason "length" / MAX_TOKENS
    invalid    well-formed JSON that breaks the artifact's contract
    refusal    a safety refusal
    rate_limit 429 with Retry-After
    error      500
    slow       valid, after ``latency`` seconds
    short      valid, but a podcast of 60% of the words its prompt asks for
    reworded   valid, but each item's quotes reworded (not in the source word for word)
    invented   valid, but each item's quotes invented
    half       valid, with every second item's quotes invented

Where the schema asks for ``quotes`` on items, a valid answer quotes sentences of the source verbatim.

``script = {"faq": ["invalid", "valid"]}`` plays modes in order per artifact; the last one repeats.

Prompt caching is played as the providers do it: a request whose system prompt and messages begin with the same
text as an earlier one reports that shared prefix as cached input tokens (OpenAI's
``prompt_tokens_details.cached_tokens``, Gemini's ``cachedContentTokenCount``), once it holds at least
``cache_min_tokens`` (1,024, OpenAI's minimum). Gemini's explicit context caches are kept too: ``cachedContents``
creates one (refused with a 400 below ``explicit_min_tokens``, as Gemini refuses a small one), a request naming it
reads as the cache's text followed by its own, and reports the cache's tokens as cached; ``drop_caches()`` plays
a cache that lapsed (the next request naming it is a 403). ``DELETE`` removes one.

    python -m tests.fakellm --port 8099 --mode valid --latency 0.5     # for load tests
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from enum import StrEnum
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from tests.fakellm.content import artifact_of, build, pinned_count


class Mode(StrEnum):
    VALID = "valid"
    FENCED = "fenced"
    PROSE = "prose"
    TRUNCATED = "truncated"
    INVALID = "invalid"
    REFUSAL = "refusal"
    RATE_LIMIT = "rate_limit"
    ERROR = "error"
    SLOW = "slow"
    SHORT = "short"
    REWORDED = "reworded"
    INVENTED = "invented"
    HALF = "half"


@dataclass
class Received:
    api: str  # "openai" or "gemini"
    artifact: str
    mode: Mode
    system: str
    prompt: str  # every message of the request, joined
    input_tokens: int = 0
    output_tokens: int = 0
    cached_tokens: int = 0
    cache: str | None = None  # the explicit context cache the request named
    sent: str = ""  # the messages as sent: without the cache's text, where a cache was named
    thinking_budget: int | None = None
    max_output_tokens: int | None = None


@dataclass
class FakeLLM:
    port: int = 0
    latency: float = 0.5
    retry_after: float = 1.0
    default: Mode = Mode.VALID
    script: dict[str, list[Mode | str]] = field(default_factory=dict)
    cache_min_tokens: int = 1024
    explicit_min_tokens: int = 1024
    received: list[Received] = field(default_factory=list)
    caches: dict[str, tuple[str, str]] = field(default_factory=dict)  # name: (system, text)
    cache_requests: list[str] = field(default_factory=list)  # "create name", "refuse", "delete name"
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _server: ThreadingHTTPServer | None = None

    # --- lifecycle -------------------------------------------------------------------------------------------

    def __enter__(self) -> FakeLLM:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> None:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))) or b"{}")
                status, payload, headers = fake.answer(self.path, body)
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)

            def do_DELETE(self) -> None:
                with fake._lock:
                    name = "cachedContents/" + self.path.rsplit("/", 1)[-1]
                    found = fake.caches.pop(name, None)
                    fake.cache_requests.append(f"delete {name}")
                self.send_response(200 if found else 404)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"{}")

            def log_message(self, format: str, *args: Any) -> None:
                return

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    @property
    def openai_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    @property
    def gemini_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    # --- what tests read -------------------------------------------------------------------------------------

    def calls(self, artifact: str | None = None) -> int:
        with self._lock:
            return sum(1 for r in self.received if artifact is None or r.artifact == artifact)

    def by_artifact(self) -> Counter[str]:
        with self._lock:
            return Counter(r.artifact for r in self.received)

    def tokens(self) -> tuple[int, int]:
        """Input and output tokens reported for answered (non-error) calls."""
        with self._lock:
            return sum(r.input_tokens for r in self.received), sum(r.output_tokens for r in self.received)

    # --- answering -------------------------------------------------------------------------------------------

    def _next_mode(self, artifact: str) -> Mode:
        with self._lock:
            plan = self.script.get(artifact) or self.script.get("*")
            if not plan:
                return self.default
            mode = Mode(plan[0])
            if len(plan) > 1:
                plan.pop(0)
            return mode

    def drop_caches(self) -> None:
        with self._lock:
            self.caches.clear()

    def _create_cache(self, body: dict[str, Any]) -> tuple[int, dict[str, Any], dict[str, str]]:
        system = " ".join(p.get("text", "") for p in body.get("systemInstruction", {}).get("parts", []))
        text = "\n".join(p.get("text", "") for c in body.get("contents", []) for p in c.get("parts", []))
        tokens = (len(system) + len(text)) // 4 + 1
        with self._lock:
            if tokens < self.explicit_min_tokens:
                self.cache_requests.append("refuse")
                message = f"Cached content is too small. total_token_count={tokens}, min_total_token_count=1024"
                return 400, {"error": {"code": 400, "message": message, "status": "INVALID_ARGUMENT"}}, {}
            name = f"cachedContents/fake{len(self.cache_requests)}"
            self.caches[name] = (system, text)
            self.cache_requests.append(f"create {name}")
        expires = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 600))
        return (
            200,
            {
                "name": name,
                "model": body.get("model"),
                "expireTime": expires,
                "usageMetadata": {"totalTokenCount": tokens},
            },
            {},
        )

    def answer(self, path: str, body: dict[str, Any]) -> tuple[int, dict[str, Any], dict[str, str]]:
        cache: str | None = None
        cached_prefix = ""
        config = body.get("generationConfig", {})
        if path.endswith("/cachedContents"):
            return self._create_cache(body)
        if path.endswith("/chat/completions"):
            api, schema = "openai", body.get("response_format", {}).get("json_schema", {}).get("schema", {})
            system = "\n".join(m["content"] for m in body.get("messages", []) if m["role"] == "system")
            prompt = "\n".join(m["content"] for m in body.get("messages", []) if m["role"] != "system")
        elif path.endswith(":generateContent"):
            api = "gemini"
            schema = config.get("responseSchema") or config.get("responseJsonSchema") or {}
            system = " ".join(p.get("text", "") for p in body.get("systemInstruction", {}).get("parts", []))
            prompt = "\n".join(p.get("text", "") for c in body.get("contents", []) for p in c.get("parts", []))
            cache = body.get("cachedContent")
            if cache is not None:
                with self._lock:
                    held = self.caches.get(cache)
                if held is None:
                    message = "CachedContent not found (or permission denied)"
                    return 403, {"error": {"code": 403, "message": message, "status": "PERMISSION_DENIED"}}, {}
                if system:
                    message = "CachedContent can not be used with GenerateContent request setting system_instruction"
                    return 400, {"error": {"code": 400, "message": message, "status": "INVALID_ARGUMENT"}}, {}
                system, cached_prefix = held
                prompt = cached_prefix + prompt
        else:
            return 404, {"error": {"message": f"no route {path}"}}, {}
        artifact = artifact_of(schema)
        mode = self._next_mode(artifact)
        record = Received(api, artifact, mode, system, prompt, cache=cache, sent=prompt[len(cached_prefix) :])
        thinking = config.get("thinkingConfig", {})  # proto JSON: either spelling of a field is accepted
        record.thinking_budget = thinking.get("thinkingBudget", thinking.get("thinking_budget"))
        record.max_output_tokens = config.get("maxOutputTokens")
        with self._lock:
            self.received.append(record)
        if mode is Mode.RATE_LIMIT:
            return 429, _error(api, 429, "Resource exhausted: rate limit"), {"Retry-After": f"{self.retry_after:g}"}
        if mode is Mode.ERROR:
            return 500, _error(api, 500, "Internal error"), {}
        if mode is Mode.SLOW:
            time.sleep(self.latency)
        asked = _words(prompt)
        if mode is Mode.SHORT and asked:
            asked = int(asked * 0.6)
        content = build(artifact, _subject(prompt), pinned_count(schema, 8), _source(prompt), asked)
        quoted = _quoted_list(schema)
        if quoted is not None and isinstance(content.get(quoted), list):
            _add_quotes(content[quoted], _source(prompt), mode)
        if mode is Mode.INVALID:
            content = {"unexpected": "shape", **{k: [] for k in list(content)[:1]}}
        text = json.dumps(content, ensure_ascii=False)
        finish = "stop"
        if mode is Mode.FENCED:
            text = f"```json\n{text}\n```"
        elif mode is Mode.PROSE:
            text = f"Sure! Here is the {artifact} you asked for:\n{text}\nLet me know if you need changes."
        elif mode is Mode.TRUNCATED:
            text, finish = text[: len(text) // 2], "length"
        elif mode is Mode.REFUSAL:
            text, finish = "", "refusal"
        record.input_tokens = (len(system) + len(prompt)) // 4 + 1
        record.output_tokens = len(text) // 4 + 1
        record.cached_tokens = (len(system) + len(cached_prefix)) // 4 + 1 if cache else self._cached(record)
        return 200, _completion(api, text, finish, record), {}

    def _cached(self, record: Received) -> int:
        """Tokens of the longest prefix this request shares with an earlier one, if long enough to be cached."""
        text = f"{record.system}\n{record.prompt}"
        with self._lock:
            earlier = [f"{r.system}\n{r.prompt}" for r in self.received if r is not record and r.api == record.api]
        shared = max((_common_prefix(text, other) for other in earlier), default=0) // 4
        return min(shared, record.input_tokens) if shared >= self.cache_min_tokens else 0


def _quoted_list(schema: dict[str, Any]) -> str | None:
    """The list whose items the schema asks to carry ``quotes``."""
    for name, prop in schema.get("properties", {}).items():
        if "quotes" in ((prop or {}).get("items") or {}).get("properties", {}):
            return str(name)
    return None


def _add_quotes(items: list[dict[str, Any]], source: str, mode: Mode) -> None:
    sentences = [s for s in re.split(r"(?<=[.!?])\s+", source) if len(s.split()) >= 4] or ["(no source)"]
    for i, item in enumerate(items):
        verbatim = sentences[i % len(sentences)]
        if mode is Mode.INVENTED or (mode is Mode.HALF and i % 2 == 1):
            quote = f"Nothing in the source says that item {i} is made of green cheese."
        elif mode is Mode.REWORDED:
            words = verbatim.split()
            quote = " ".join(["In other words,", *reversed(words)])  # the same words, not the same sentence
        else:
            quote = verbatim
        item["quotes"] = [quote]


def _words(prompt: str) -> int | None:
    """The spoken words a prompt asks for (v2 podcast prompts, and re-asks with a word target); the last wins."""
    asked = re.findall(r"about (\d+) (?:spoken )?words", prompt)
    return int(asked[-1]) if asked else None


def _common_prefix(a: str, b: str) -> int:
    n = min(len(a), len(b))
    low, high = 0, n  # the longest common prefix, by bisection on slices
    while low < high:
        mid = (low + high + 1) // 2
        if a[:mid] == b[:mid]:
            low = mid
        else:
            high = mid - 1
    return low


def _subject(prompt: str) -> str:
    """What the materials are about: the topic line, else the first words of the source."""
    topic = re.search(r"^Topic: (.+)$", prompt, re.MULTILINE)
    if topic:
        return topic.group(1).strip()[:60]
    source = _source(prompt)
    return " ".join(source.split()[:3]) or "the subject"


def _source(prompt: str) -> str:
    fenced = re.search(r"<<<SOURCE MATERIAL\n(.*?)\nEND OF SOURCE MATERIAL>>>", prompt, re.DOTALL) or re.search(
        r"<source-([0-9a-f]{16})>\n(.*?)\n</source-\1>", prompt, re.DOTALL
    )
    return fenced.group(fenced.lastindex or 1) if fenced else ""


def _error(api: str, code: int, message: str) -> dict[str, Any]:
    if api == "gemini":
        status = "RESOURCE_EXHAUSTED" if code == 429 else "INTERNAL"
        return {"error": {"code": code, "message": message, "status": status}}
    return {"error": {"message": message, "type": "server_error" if code >= 500 else "rate_limit", "code": None}}


def _completion(api: str, text: str, finish: str, record: Received) -> dict[str, Any]:
    if api == "gemini":
        reason = {"stop": "STOP", "length": "MAX_TOKENS", "refusal": "SAFETY"}[finish]
        return {
            "candidates": [{"content": {"role": "model", "parts": [{"text": text}]}, "finishReason": reason}],
            "usageMetadata": {
                "promptTokenCount": record.input_tokens,
                "cachedContentTokenCount": record.cached_tokens,
                "candidatesTokenCount": record.output_tokens,
                "totalTokenCount": record.input_tokens + record.output_tokens,
            },
            "modelVersion": "fake",
        }
    message: dict[str, Any] = {"role": "assistant", "content": text or None}
    if finish == "refusal":
        message["refusal"] = "I can't help with that."
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": "fake",
        "choices": [{"index": 0, "message": message, "finish_reason": "stop" if finish == "refusal" else finish}],
        "usage": {
            "prompt_tokens": record.input_tokens,
            "prompt_tokens_details": {"cached_tokens": record.cached_tokens},
            "completion_tokens": record.output_tokens,
            "total_tokens": record.input_tokens + record.output_tokens,
        },
    }
