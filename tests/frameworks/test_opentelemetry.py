"""OpenTelemetry's Cohere instrumentor on cohere_dyn: it checks the `cohere` version, wraps the clients'
methods at their SDK module paths (wrapt) and makes a span per call."""

from __future__ import annotations

from typing import Iterator

import pytest

from cohere_dyn.mock import MockServer

pytest.importorskip("opentelemetry.instrumentation.cohere")
import cohere  # noqa: E402  # cohere_dyn, see conftest
from opentelemetry.instrumentation.cohere import CohereInstrumentor  # noqa: E402
from opentelemetry.sdk.trace import TracerProvider  # noqa: E402
from opentelemetry.sdk.trace.export import SimpleSpanProcessor  # noqa: E402
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter  # noqa: E402

MESSAGES = [{"role": "user", "content": "hello there"}]


@pytest.fixture
def spans() -> Iterator[InMemorySpanExporter]:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    instrumentor = CohereInstrumentor()
    instrumentor.instrument(tracer_provider=provider)  # the version check passes: no skip_dep_check
    yield exporter
    instrumentor.uninstrument()


def test_every_call_makes_a_span_with_the_model_and_usage(spans: InMemorySpanExporter, mock: MockServer) -> None:
    client = cohere.ClientV2(api_key="k", base_url=mock.url)
    client.chat(model="command-a-03-2025", messages=MESSAGES)
    client.embed(model="embed-v4.0", texts=["a"], input_type="search_document", embedding_types=["float"])
    client.rerank(model="rerank-v3.5", query="q", documents=["a", "b"])
    cohere.Client(api_key="k", base_url=mock.url).chat(message="hi")
    finished = spans.get_finished_spans()
    assert [span.name for span in finished] == ["cohere.chat", "cohere.embed", "cohere.rerank", "cohere.chat"]
    chat = finished[0].attributes
    assert chat["gen_ai.request.model"] == "command-a-03-2025"
    assert chat["gen_ai.usage.prompt_tokens"] > 0 and chat["gen_ai.usage.completion_tokens"] > 0
    assert "You said" in chat["gen_ai.completion.0.content"]


def test_a_stream_is_one_span(spans: InMemorySpanExporter, mock: MockServer) -> None:
    client = cohere.ClientV2(api_key="k", base_url=mock.url)
    events = list(client.chat_stream(model="command-a-03-2025", messages=MESSAGES))
    assert events[-1].type == "message-end"
    assert [span.name for span in spans.get_finished_spans()] == ["cohere.chat"]


def test_uninstrumenting_puts_the_methods_back(mock: MockServer) -> None:
    original = cohere.ClientV2.chat
    instrumentor = CohereInstrumentor()
    instrumentor.instrument()
    assert cohere.ClientV2.chat is not original
    instrumentor.uninstrument()
    assert cohere.ClientV2.chat is original
