"""Vectors copied out as the server wrote them (`numbers_as_text`, used by `cohere-dyn embed`),
and an answer that isn't plain numbers decoded as usual."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import cohere_dyn
from cohere_dyn._bulk._embed_stream import JSONText, numbers_as_text
from cohere_dyn._bulk._output import encode_line
from cohere_dyn._tools._cli import main as cli
from tests import faults
from tests.faults import FaultServer

ARGS = {"model": "embed-v4.0", "input_type": "search_document", "embedding_types": ["float"]}
MODEL = ("--model", "embed-v4.0", "--input-type", "search_document")


def answer(vectors: str) -> faults.Fault:
    """A v2 embed answer for two texts whose `float` vectors are the JSON text `vectors`."""
    return faults.ok(f'{{"id":"e","embeddings":{{"float":{vectors}}},"texts":["a","b"]}}'.encode())


def embeddings(server: FaultServer) -> list[object]:
    client = cohere_dyn.ClientV2(api_key="k", base_url=server.url)
    return [result.embedding for result in client.embed_stream(texts=["a", "b"], **ARGS)]


def test_within_numbers_as_text_a_vector_is_the_servers_own_json() -> None:
    with FaultServer([answer("[[1.50,-2e-3,0],[7,0.1E+2,-0.0]]")]) as server, numbers_as_text():
        vectors = embeddings(server)
    assert vectors == ["[1.50,-2e-3,0]", "[7,0.1E+2,-0.0]"]
    assert all(isinstance(vector, JSONText) for vector in vectors)


def test_outside_it_vectors_are_lists_of_numbers() -> None:
    with FaultServer([answer("[[1.50,-2e-3,0],[7,0.1E+2,-0.0]]")]) as server:
        assert embeddings(server) == [[1.5, -0.002, 0], [7, 10.0, -0.0]]


@pytest.mark.parametrize("vectors", ['[[1.5,"2"],[3,4]]', "[[1.5,null],[3,4]]", "[[1.5,[2]],[3,4]]", "[[1.5, 2],[3, 4]]"])
def test_a_vector_holding_anything_but_plain_numbers_decodes_as_usual(vectors: str) -> None:
    with FaultServer([answer(vectors)]) as server, numbers_as_text():
        found = embeddings(server)
    assert found == json.loads(vectors)
    assert not any(isinstance(vector, JSONText) for vector in found)


def test_a_line_is_the_same_json_whether_vectors_come_as_numbers_or_as_text() -> None:
    floats = [0.25, -1e-05, 3.0]
    text = JSONText("[0.25,-1e-05,3.0]")
    for ident in (None, "doc-é"):
        assert encode_line(4, ident, {"float": floats}, False) == encode_line(4, ident, {"float": text}, False)
        several = {"float": floats, "base64": "AAEC"}
        assert encode_line(4, ident, several, True) == encode_line(4, ident, {**several, "float": text}, True)
    line = json.loads(encode_line(4, "doc-é", {"float": floats, "int8": [1, -2]}, True))
    assert line == {"index": 4, "id": "doc-é", "embedding": {"float": floats, "int8": [1, -2]}}


def test_the_cli_writes_each_vector_as_the_server_wrote_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "in.txt").write_text("a\nb\n")
    with FaultServer([answer('[[1.50,"2"],[7,1]]'), answer("[[1.50,-2e-3],[7,0.1E+2]]")]) as server:
        monkeypatch.setenv("CO_API_KEY", "k")
        monkeypatch.setenv("CO_API_URL", server.url)
        for name in ("decoded.jsonl", "copied.jsonl"):
            assert cli(["embed", str(tmp_path / "in.txt"), "-o", str(tmp_path / name), *MODEL]) == 0
    decoded = (tmp_path / "decoded.jsonl").read_text().splitlines()
    assert decoded == ['{"index":0,"embedding":[1.5,"2"]}', '{"index":1,"embedding":[7,1]}']
    copied = (tmp_path / "copied.jsonl").read_text().splitlines()
    assert copied == ['{"index":0,"embedding":[1.50,-2e-3]}', '{"index":1,"embedding":[7,0.1E+2]}']
