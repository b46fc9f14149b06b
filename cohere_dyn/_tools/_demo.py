"""`cohere-dyn demo`: the main job, end to end, in a few seconds.

With no API key it runs against the embedded mock server, started in-process; with CO_API_KEY
set it runs the same tour against the real API. `--deployment bedrock` (or `sagemaker`) runs it
through the AWS client: against the mock's runtime routes with its test credentials, or against
AWS when credentials and a region are configured. `--deployment oci` runs it through
OciClientV2: against the mock's OCI routes with a key made for the run, or against OCI when
~/.oci/config exists and OCI_COMPARTMENT_ID names the compartment.
"""

from __future__ import annotations

import contextlib
import os
import sys
from typing import Any, Iterator

__all__ = ["run_demo"]

CHAT_MODEL = "command-a-03-2025"
EMBED_MODEL = "embed-v4.0"
RERANK_MODEL = "rerank-v3.5"
REASONING_MODEL = "command-a-reasoning-08-2025"
QUESTION = "What is the capital of France?"
TEXTS = ["Paris is the capital of France.", "Berlin is the capital of Germany."]


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


# The models each deployment names: (chat, embed, rerank).
AWS_MODELS = {
    "bedrock": ("cohere.command-r-plus-v1:0", "cohere.embed-english-v3", "cohere.rerank-v3-5:0"),
    "sagemaker": ("cohere-command-endpoint", "cohere-embed-endpoint", "cohere-rerank-endpoint"),
}


@contextlib.contextmanager
def _aws_client(deployment: str, endpoint: str | None) -> Iterator[tuple[Any, tuple[str, str, str]]]:
    import cohere_dyn

    client_class = cohere_dyn.BedrockClientV2 if deployment == "bedrock" else cohere_dyn.SagemakerClientV2
    models = AWS_MODELS[deployment] if endpoint is None else (endpoint, endpoint, endpoint)
    if _aws_configured():
        print(f"AWS credentials and a region are configured: the tour runs against {deployment} on AWS.")
        if deployment == "sagemaker" and endpoint is None:
            raise SystemExit("name your SageMaker endpoint: cohere-dyn demo --deployment sagemaker --endpoint NAME")
        with client_class() as client:
            yield client, models
        return
    from ..mock import serve
    from ..mock._aws import MOCK_ACCESS_KEY, MOCK_SECRET_KEY

    with serve(delay=0.03) as url:
        print(f"No AWS credentials: the tour runs against the mock's {deployment} routes at {url} (requests signed, checked).")
        client = client_class(aws_access_key=MOCK_ACCESS_KEY, aws_secret_key=MOCK_SECRET_KEY, aws_region="us-east-1", base_url=url)
        with client:
            yield client, models


@contextlib.contextmanager
def _oci_client() -> Iterator[Any]:
    import cohere_dyn

    compartment = os.environ.get("OCI_COMPARTMENT_ID")
    if compartment and os.path.isfile(os.path.expanduser(os.path.join("~", ".oci", "config"))):
        print("An OCI config and OCI_COMPARTMENT_ID are set: the tour runs against OCI Generative AI.")
        with cohere_dyn.OciClientV2(oci_compartment_id=compartment, oci_profile=os.environ.get("OCI_CLI_PROFILE")) as client:
            yield client
        return
    from ..mock import serve
    from ..mock._oci import oci_test_credentials

    with serve(delay=0.03) as url:
        print(f"No OCI config (or no OCI_COMPARTMENT_ID): the tour runs against the mock's OCI routes at {url} (requests signed, checked).")
        with cohere_dyn.OciClientV2(base_url=url, **oci_test_credentials()) as client:
            yield client


def _oci_tour(client: Any) -> None:
    """Chat, a streamed chat, embed, and a field OCI doesn't define refused before sending (OCI
    names Cohere's models cohere.<name>; the client adds the prefix to a bare name)."""
    import cohere_dyn

    reply = _chat(client, CHAT_MODEL)
    print(f"(finish reason {reply.finish_reason}; {reply.usage.tokens.input_tokens} input and {reply.usage.tokens.output_tokens} output tokens)")
    _streamed_chat(client, CHAT_MODEL, "v2 chat, streamed: OCI's server-sent events become Cohere's, as they arrive")

    _say(f"v2 embed: {len(TEXTS)} texts, float and int8 embeddings")
    embedded = client.embed(model=EMBED_MODEL, input_type="search_document", embedding_types=["float", "int8"], texts=TEXTS)
    print(f"{len(embedded.embeddings.float)} vectors of dimension {len(embedded.embeddings.float[0])}, as float and int8")

    _say("a Cohere field OCI doesn't define is refused before sending: embed(..., priority=1)")
    try:
        client.embed(model=EMBED_MODEL, input_type="search_document", texts=TEXTS, priority=1)
    except cohere_dyn.ValidationError as exc:
        print(exc)


def _aws_configured() -> bool:
    try:
        import botocore.session
    except ImportError:
        from .._deployments._aws import INSTALL_HINT
        from .._errors import CohereError

        raise CohereError(INSTALL_HINT) from None

    session = botocore.session.Session()
    return session.get_credentials() is not None and bool(session.get_config_variable("region") or os.environ.get("AWS_REGION"))


def run_demo(api_key: str | None, deployment: str = "cohere", endpoint: str | None = None) -> int:
    import cohere_dyn

    if deployment == "oci":
        with _oci_client() as client:
            _oci_tour(client)
            _say("OCI serves chat and embed: rerank is refused before sending")
            try:
                client.rerank(model=RERANK_MODEL, query="q", documents=["d"])
            except cohere_dyn.NotServedError as exc:
                print(exc)
        print("\nDone.")
        return 0
    if deployment != "cohere":
        with _aws_client(deployment, endpoint) as (client, models):
            _tour(client, *models)
            _say(f"{type(client).__name__} serves only what the service does: models.list is refused before sending")
            try:
                client.models.list()
            except cohere_dyn.NotServedError as exc:
                print(exc)
        print("\nDone.")
        return 0
    with _target(api_key) as (key, base_url), cohere_dyn.ClientV2(api_key=key, base_url=base_url) as client:
        _tour(client, CHAT_MODEL, EMBED_MODEL, RERANK_MODEL)
        _reasoning(client)
    print("\nDone.")
    return 0


def _tour(client: Any, chat_model: str, embed_model: str, rerank_model: str) -> None:
    """Chat, a streamed chat, embed, rerank and an offline validation error, printed."""
    import cohere_dyn

    reply = _chat(client, chat_model)
    print(f"(finish reason {reply.finish_reason})")
    _streamed_chat(client, chat_model, "v2 chat, streamed: client.chat_stream(...) prints tokens as they arrive")

    _say(f"v2 embed: {len(TEXTS)} texts, float embeddings")
    embedded = client.embed(model=embed_model, input_type="search_document", embedding_types=["float"], texts=TEXTS)
    vectors = embedded.embeddings.float
    print(f"{len(vectors)} vectors of dimension {len(vectors[0])}")

    documents = ["Carson City is the capital of Nevada.", "Paris is the capital of France.", "Cats sleep a lot."]
    _say(f"v2 rerank: which of {len(documents)} documents answers {QUESTION!r}?")
    ranked = client.rerank(model=rerank_model, query=QUESTION, documents=documents, top_n=2)
    for result in ranked.results:
        print(f"  {result.relevance_score:.3f}  {documents[result.index]}")

    _say("offline validation: a message with role 'bot' is refused before anything is sent")
    try:
        client.chat(model=chat_model, messages=[{"role": "bot", "content": "hi"}])
    except cohere_dyn.ValidationError as exc:
        print(exc)


def _chat(client: Any, model: str) -> Any:
    """A chat asking QUESTION, its answer printed; the reply."""
    _say(f"v2 chat: client.chat(model={model!r}, messages=[user: {QUESTION!r}])")
    reply = client.chat(model=model, messages=[{"role": "user", "content": QUESTION}])
    print(reply.message.content[0].text)
    return reply


def _streamed_chat(client: Any, model: str, title: str) -> None:
    """A streamed chat, its text printed as it arrives."""
    _say(title)
    with client.chat_stream(model=model, messages=[{"role": "user", "content": "Tell me about Paris in one line."}]) as stream:
        for piece in stream.text():
            sys.stdout.write(piece)
            sys.stdout.flush()
        final = stream.final()
    print(f"\n({len(stream.events)} events, finish reason {final.finish_reason})")


def _reasoning(client: Any) -> None:
    """A reasoning model's reply: its thinking, then its answer."""
    _say(f"v2 chat with reasoning: {REASONING_MODEL}, thinking={{'type': 'enabled', 'token_budget': 512}}")
    question = "Is 221 a prime number?"
    reply = client.chat(
        model=REASONING_MODEL,
        messages=[{"role": "user", "content": question}],
        thinking={"type": "enabled", "token_budget": 512},
    )
    for part in reply.message.content:
        print(f"[{part.type}] {part.thinking if part.type == 'thinking' else part.text}")
