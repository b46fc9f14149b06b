"""A local fake Cohere API built from the spec, for tests and offline development.

    import cohere_dyn
    from cohere_dyn.mock import serve

    with serve() as url:                       # 127.0.0.1, a free port
        client = cohere_dyn.ClientV2(api_key="any", base_url=url)
        client.chat(model="command-a-03-2025", messages=[{"role": "user", "content": "hi"}])

Every request is checked against the spec by openapi-core (an implementation independent of
the client's own validation): without an `Authorization` header the answer is 401, an invalid
request gets 400 with `{"message": ..., "problems": [{"location", "path", "message"}, ...]}`.
Valid requests get answers built from the spec's response schemas, made plausible where it
matters (chat replies that refer to the message, one embedding per input, rerank ordered by
relevance, tokenize/detokenize round trips, paging, datasets and embed jobs that move through
their statuses) and streams as real event sequences, `delay` seconds apart.

The same server answers the Amazon Bedrock and SageMaker runtime routes (`/model/{model}/invoke`,
`/endpoints/{name}/invocations` and their stream twins) for the AWS clients: SigV4 checked with
botocore against the test credentials of `cohere_dyn.mock._aws`, Bedrock's token-count headers,
streams as real event-stream frames (see `_aws`).

It answers OCI Generative AI's inference routes too (`/20231130/actions/chat`, `/embedText`) for
the OCI clients, checking each request's HTTP signature against keys it trusts:
`oci_test_credentials()` makes one and returns an OciClient's keywords (see `_oci`).

`MockServer` gives more control (`.url`, `.requests`, `start()`/`stop()`); `run()` serves until
Ctrl-C. Importing this package does not import openapi-core; starting a server does.
"""

from __future__ import annotations

from typing import Any

from ._app import Received
from ._server import MockServer, run, serve

__all__ = ["serve", "run", "MockServer", "Received", "oci_test_credentials", "trust_oci_key"]


def __getattr__(name: str) -> Any:
    if name in ("oci_test_credentials", "trust_oci_key"):  # loaded on first use, like the routes themselves
        from . import _oci

        return getattr(_oci, name)
    raise AttributeError(f"module 'cohere_dyn.mock' has no attribute {name!r}")
