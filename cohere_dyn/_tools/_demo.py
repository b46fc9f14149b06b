"""`cohere-dyn demo`: the main job, end to end, in a few seconds.

With no API key it runs against the embedded mock server, started in-process; with CO_API_KEY
set it runs the same tour against the real API.
"""

from __future__ import annotations

import contextlib
import sys
from typing import Iterator

__all__ = ["run_demo"]

CHAT_MODEL = "command-a-03-2025"
EMBED_MODEL = "embed-v4.0"
RERANK_MODEL = "rerank-v3.5"


def _say(text: str) -> None:
    print(f"\n== {text}", flush=True)


@contextlib.contextmanager
def _target(api_key: str | None) -> Iterator[tuple[str, str | None]]:
    if api_key:
        print("CO_API_KEY is set: the tour runs against the real Cohere API.")
        yield api_key, None
        return
    from ..mock import serve

    with serve(delay=0.03) as url:
        print(f"No CO_API_KEY: the tour runs against the embedded mock server at {url}.")
        yield "demo-key", url


def run_demo(api_key: str | None) -> int:
    import cohere_dyn

    with _target(api_key) as (key, base_url), cohere_dyn.ClientV2(api_key=key, base_url=base_url) as client:
        question = "What is the capital of France?"
        _say(f"v2 chat: client.chat(model={CHAT_MODEL!r}, messages=[user: {question!r}])")
        reply = client.chat(model=CHAT_MODEL, messages=[{"role": "user", "content": question}])
        print(reply.message.content[0].text)
        print(f"(finish reason {reply.finish_reason})")

        _say("v2 chat, streamed: client.chat_stream(...) prints tokens as they arrive")
        stream = client.chat_stream(model=CHAT_MODEL, messages=[{"role": "user", "content": "Tell me about Paris in one line."}])
        with stream:
            for piece in stream.text():
                sys.stdout.write(piece)
                sys.stdout.flush()
            final = stream.final()
        print(f"\n({len(stream.events)} events, finish reason {final.finish_reason})")

        texts = ["Paris is the capital of France.", "Berlin is the capital of Germany."]
        _say(f"v2 embed: {len(texts)} texts, float embeddings")
        embedded = client.embed(model=EMBED_MODEL, input_type="search_document", embedding_types=["float"], texts=texts)
        vectors = embedded.embeddings.float
        print(f"{len(vectors)} vectors of dimension {len(vectors[0])}")

        documents = ["Carson City is the capital of Nevada.", "Paris is the capital of France.", "Cats sleep a lot."]
        _say(f"v2 rerank: which of {len(documents)} documents answers {question!r}?")
        ranked = client.rerank(model=RERANK_MODEL, query=question, documents=documents, top_n=2)
        for result in ranked.results:
            print(f"  {result.relevance_score:.3f}  {documents[result.index]}")

        _say("offline validation: a message with role 'bot' is refused before anything is sent")
        try:
            client.chat(model=CHAT_MODEL, messages=[{"role": "bot", "content": "hi"}])
        except cohere_dyn.ValidationError as exc:
            print(exc)
    print("\nDone.")
    return 0
