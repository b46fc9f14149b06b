"""The client's behaviour on a small spec: construction, methods, the request it builds, errors."""

from __future__ import annotations

import inspect
import json
import pickle

import pytest
import responses

import cohere_dyn
from cohere_dyn import errors
from tests.conftest import TINY_SPEC

BASE = "http://api.test/base"


def test_key_comes_from_argument_then_co_api_key_then_cohere_api_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COHERE_API_KEY", "from-cohere-env")
    assert cohere_dyn.Client(spec=TINY_SPEC)._api_key == "from-cohere-env"
    monkeypatch.setenv("CO_API_KEY", "from-co-env")
    assert cohere_dyn.Client(spec=TINY_SPEC)._api_key == "from-co-env"
    assert cohere_dyn.Client("explicit", spec=TINY_SPEC)._api_key == "explicit"
    assert cohere_dyn.Client(token="token", spec=TINY_SPEC)._api_key == "token"


def test_no_key_at_all_fails_at_construction() -> None:
    with pytest.raises(cohere_dyn.CohereError, match="CO_API_KEY"):
        cohere_dyn.Client(spec=TINY_SPEC)


def test_base_url_comes_from_co_api_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CO_API_URL", "http://elsewhere.test/")
    assert cohere_dyn.Client("k", spec=TINY_SPEC)._base_url == "http://elsewhere.test"


@pytest.mark.parametrize("client_class", [cohere_dyn.Client, cohere_dyn.AsyncClient])
@pytest.mark.parametrize(
    "url", ["file:///etc/passwd", "htps://api.cohere.com", "api.cohere.com", "http://", "https:///v1", "ftp://x.test"]
)
def test_a_base_url_that_is_not_http_with_a_host_is_a_value_error_at_construction(client_class: type, url: str) -> None:
    with pytest.raises(ValueError, match="base_url must be an http:// or https:// URL"):
        client_class("k", base_url=url, spec=TINY_SPEC)


def test_a_bad_co_api_url_is_a_value_error_at_construction(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CO_API_URL", "file:///tmp/cohere")
    with pytest.raises(ValueError, match="file:///tmp/cohere"):
        cohere_dyn.Client("k", spec=TINY_SPEC)


def test_a_base_url_with_credentials_is_not_echoed() -> None:
    with pytest.raises(ValueError) as caught:
        cohere_dyn.Client("k", base_url="ftp://user:hunter2@x.test", spec=TINY_SPEC)
    assert "hunter2" not in str(caught.value)


@pytest.mark.parametrize("client_class", [cohere_dyn.Client, cohere_dyn.AsyncClient])
@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("https://api.test/v1#top", "fragment"),
        ("https://api.test/v1?region=eu", "query"),
        ("https://api.test?", "query"),
        ("https://user:hunter2@api.test", "credentials"),
        ("https://hunter2@api.test/v1", "credentials"),
        ("https://user:hun/ter2@api.test", "credentials"),
        ("https://api.test/v1 ", "whitespace"),
        (" https://api.test", "whitespace"),
        ("http://a b.test", "whitespace"),
        ("https://api.test\r\nX-Injected: 1", "whitespace"),
        ("https://api.test/v1\n", "whitespace"),
        ("https://api.test/\x00", "control"),
        ("https://api.test:99999", "port"),
        ("https://api.test:https", "port"),
    ],
)
def test_a_base_url_that_would_be_sent_mangled_is_refused_at_construction(client_class: type, url: str, problem: str) -> None:
    with pytest.raises(ValueError, match="base_url") as caught:
        client_class("k", base_url=url, spec=TINY_SPEC)
    message = str(caught.value)
    assert problem in message or (problem == "credentials" and "port" in message)
    assert "hunter2" not in message and "hun/ter2" not in message


@pytest.mark.parametrize("url", ["https://user:hunter2@api.test", "https://api.test/v1#x"])
def test_a_bad_co_api_url_or_aws_endpoint_is_refused_too(monkeypatch: pytest.MonkeyPatch, url: str) -> None:
    monkeypatch.setenv("CO_API_URL", url)
    with pytest.raises(ValueError, match="base_url"):
        cohere_dyn.Client("k", spec=TINY_SPEC)
    with pytest.raises(ValueError) as caught:
        cohere_dyn.BedrockClient(aws_access_key="A", aws_secret_key="S", aws_region="us-east-1", base_url=url)
    assert "hunter2" not in str(caught.value)


@pytest.mark.parametrize("url", ["https://api.test", "http://127.0.0.1:8080/base/", "http://[::1]:8080", "https://api.test/v1/@team"])
def test_a_base_url_with_a_host_port_and_path_is_taken(url: str) -> None:
    assert cohere_dyn.Client("k", base_url=url, spec=TINY_SPEC)._base_url == url.rstrip("/")


@pytest.mark.parametrize("region", ["us-east-1.evil.test#", "us-east-1/x", "us east 1"])
def test_an_aws_region_that_would_change_the_host_is_refused(region: str) -> None:
    with pytest.raises(ValueError, match="region"):
        cohere_dyn.BedrockClient(aws_access_key="A", aws_secret_key="S", aws_region=region)


@pytest.mark.parametrize("value", [0, -1, 2.5, True, "10"])
def test_max_connections_must_be_a_positive_int(value: object) -> None:
    with pytest.raises((TypeError, ValueError), match="max_connections"):
        cohere_dyn.Client("k", spec=TINY_SPEC, max_connections=value)  # type: ignore[arg-type]


@responses.activate
def test_base_url_path_prefix_is_kept(tiny_client: cohere_dyn.Client) -> None:
    responses.post(f"{BASE}/echo", json={"message": "hi"})
    tiny_client.echo_test(message="hi")
    assert responses.calls[0].request.url == f"{BASE}/echo"


@responses.activate
def test_callable_key_is_called_for_every_request() -> None:
    keys = iter(["first", "second"])
    client = cohere_dyn.Client(lambda: next(keys), base_url=BASE, spec=TINY_SPEC)
    responses.post(f"{BASE}/echo", json={})
    client.echo_test(message="a")
    client.echo_test(message="b")
    assert [c.request.headers["Authorization"] for c in responses.calls] == ["Bearer first", "Bearer second"]


@responses.activate
def test_request_carries_auth_user_agent_client_name_and_compact_json() -> None:
    client = cohere_dyn.Client("k", base_url=BASE, spec=TINY_SPEC, client_name="my-app")
    responses.post(f"{BASE}/echo", json={})
    client.echo_test(message="héllo")
    request = responses.calls[0].request
    assert request.headers["Authorization"] == "Bearer k"
    assert request.headers["X-Client-Name"] == "my-app"
    assert request.headers["User-Agent"] == f"cohere-dyn/{cohere_dyn.__version__}"
    assert request.headers["Content-Type"] == "application/json"
    assert request.body == '{"message":"héllo"}'.encode()


@responses.activate
def test_get_sends_no_content_type_and_no_client_name_unless_set(tiny_client: cohere_dyn.Client) -> None:
    responses.get(f"{BASE}/items/x", json={})
    tiny_client.items.get(item_id="x")
    request = responses.calls[0].request
    assert "Content-Type" not in request.headers
    assert "X-Client-Name" not in request.headers
    assert request.body is None


@responses.activate
def test_none_means_not_set(tiny_client: cohere_dyn.Client) -> None:
    responses.post(f"{BASE}/echo", json={})
    responses.get(f"{BASE}/items/x", json={})
    tiny_client.echo_test(message="m", shapes=None)
    tiny_client.items.get(item_id="x", include_deleted=None)
    assert json.loads(responses.calls[0].request.body) == {"message": "m"}
    assert responses.calls[1].request.url == f"{BASE}/items/x"


@pytest.mark.parametrize(
    "value, segment",
    [
        ("a/b", "a%2Fb"),
        ("a?x=1", "a%3Fx%3D1"),
        ("a#b", "a%23b"),
        ("a b", "a%20b"),
        ("...", "..."),
        ("é", "%C3%A9"),
    ],
)
@responses.activate
def test_path_parameter_stays_one_segment(tiny_client: cohere_dyn.Client, value: str, segment: str) -> None:
    responses.get(f"{BASE}/items/{segment}", json={})
    tiny_client.items.get(item_id=value)
    assert responses.calls[0].request.path_url == f"/base/items/{segment}"


@pytest.mark.parametrize("value", ["", ".", ".."])
@responses.activate
def test_path_parameter_that_would_name_another_resource_is_refused_before_sending(
    tiny_client: cohere_dyn.Client, value: str
) -> None:
    with pytest.raises(cohere_dyn.ValidationError, match="can't be a path parameter"):
        tiny_client.items.get(item_id=value)
    assert not responses.calls


@responses.activate
def test_query_booleans_and_lists(tiny_client: cohere_dyn.Client) -> None:
    responses.get(f"{BASE}/items/x", json={})
    tiny_client.items.get(item_id="x", include_deleted=True, tags=["a", "b"])
    assert responses.calls[0].request.url.endswith("/items/x?includeDeleted=true&tags=a&tags=b")


@responses.activate
def test_request_options_add_headers_query_and_body_and_override_auth(tiny_client: cohere_dyn.Client) -> None:
    responses.post(f"{BASE}/echo", json={})
    tiny_client.echo_test(
        message="m",
        request_options={
            "additional_headers": {"authorization": "Bearer other", "X-Trace": "1"},
            "additional_query_parameters": {"debug": True},
            "additional_body_parameters": {"priority": 5},
        },
    )
    request = responses.calls[0].request
    assert request.headers["Authorization"] == "Bearer other"
    assert request.headers["X-Trace"] == "1"
    assert request.url.endswith("/echo?debug=true")
    assert json.loads(request.body) == {"message": "m", "priority": 5}


def test_unknown_request_option_is_a_type_error(tiny_client: cohere_dyn.Client) -> None:
    with pytest.raises(TypeError, match="timeout_in_seconds"):
        tiny_client.echo_test(message="m", request_options={"timeout_in_second": 3})


def test_methods_have_signatures_docs_and_names(tiny_client: cohere_dyn.Client) -> None:
    method = tiny_client.echo_test
    parameters = inspect.signature(method).parameters
    assert list(parameters) == ["message", "shapes", "tree", "request_options"]
    assert all(p.kind is inspect.Parameter.KEYWORD_ONLY for p in parameters.values())
    assert parameters["message"].default is inspect.Parameter.empty
    assert parameters["shapes"].default is None
    assert method.__name__ == "echo_test"
    assert "What to echo." in method.__doc__
    assert "Route: POST /echo" in method.__doc__


def test_dir_lists_groups_and_methods(tiny_client: cohere_dyn.Client) -> None:
    assert {"echo_test", "items", "close"} <= set(dir(tiny_client))
    assert "get" in dir(tiny_client.items)


def test_operation_without_naming_extension_is_named_from_its_operation_id(tiny_client: cohere_dyn.Client) -> None:
    assert callable(tiny_client.echo_test)


def test_misspelt_method_suggests_the_right_one(tiny_client: cohere_dyn.Client) -> None:
    with pytest.raises(AttributeError, match="Did you mean 'echo_test'"):
        tiny_client.echo_tset
    with pytest.raises(AttributeError, match="Did you mean 'get'"):
        tiny_client.items.gte


@responses.activate
def test_misspelt_or_missing_keyword_is_a_type_error_and_sends_nothing(tiny_client: cohere_dyn.Client) -> None:
    with pytest.raises(TypeError, match="Did you mean 'message'"):
        tiny_client.echo_test(mesage="m")
    with pytest.raises(TypeError, match="missing 1 required keyword-only argument: 'message'"):
        tiny_client.echo_test()
    with pytest.raises(TypeError):
        tiny_client.echo_test("positional")
    assert len(responses.calls) == 0


@responses.activate
def test_invalid_payload_raises_validation_error_naming_every_problem(tiny_client: cohere_dyn.Client) -> None:
    with pytest.raises(cohere_dyn.ValidationError) as caught:
        tiny_client.echo_test(message=1, shapes=[{"kind": "triangle"}, {"kind": "circle", "radius": "big"}])
    text = str(caught.value)
    assert text.startswith("echo_test: 3 problems")
    assert "message: 1 is not of type 'string'" in text
    assert "shapes[0].kind: 'triangle' is not one of ['circle', 'square']" in text
    assert "shapes[1].radius: 'big' is not of type 'number'" in text
    assert isinstance(caught.value, ValueError)
    assert [p["path"] for p in caught.value.details] == ["message", "shapes[0].kind", "shapes[1].radius"]
    assert len(responses.calls) == 0


def test_validation_error_does_not_echo_long_values(tiny_client: cohere_dyn.Client) -> None:
    with pytest.raises(cohere_dyn.ValidationError) as caught:
        tiny_client.echo_test.validate(message="m", shapes=[{"kind": "circle", "radius": "x" * 10_000}] * 4)
    assert len(str(caught.value)) < 500


def test_validate_without_a_client_or_key() -> None:
    cohere_dyn.validate("echo_test", {"message": "ok"}, spec=TINY_SPEC)
    with pytest.raises(cohere_dyn.ValidationError, match="'message' is a required property|missing"):
        cohere_dyn.validate("echo_test", {"message": None}, spec=TINY_SPEC)


def test_cyclic_schema_validates(tiny_client: cohere_dyn.Client) -> None:
    deep = {"value": 0}
    for level in range(50):
        deep = {"value": level, "children": [deep]}
    tiny_client.echo_test.validate(message="m", tree=deep)
    deep["children"][0]["value"] = "x"
    with pytest.raises(cohere_dyn.ValidationError, match=r"tree\.children\[0\]\.value"):
        tiny_client.echo_test.validate(message="m", tree=deep)


def test_validation_can_be_skipped_per_call_to_send_what_the_spec_forbids(tiny_client: cohere_dyn.Client) -> None:
    with responses.RequestsMock() as mock:
        mock.post(f"{BASE}/echo", json={})
        tiny_client.echo_test(message="m", shapes=[{"kind": "hexagon"}], request_options={"validate": False})
        assert json.loads(mock.calls[0].request.body)["shapes"] == [{"kind": "hexagon"}]


@responses.activate
def test_unknown_nested_keys_are_sent_as_given(tiny_client: cohere_dyn.Client) -> None:
    responses.post(f"{BASE}/echo", json={})
    tiny_client.echo_test(message="m", shapes=[{"kind": "circle", "radius": 1, "color": "red"}])
    assert json.loads(responses.calls[0].request.body)["shapes"][0]["color"] == "red"


@responses.activate
def test_response_objects_have_attribute_and_key_access(tiny_client: cohere_dyn.Client) -> None:
    responses.post(f"{BASE}/echo", json={"message": "hi", "extra": {"deep": [1, {"x": 2}]}})
    result = tiny_client.echo_test(message="hi")
    assert result.message == "hi" and result["message"] == "hi"
    assert result.note is None  # declared by the schema, left out by the server
    assert result.extra == {"deep": [1, {"x": 2}]}  # undeclared: plain JSON, as the SDK keeps extras
    assert result.to_dict() == {"message": "hi", "extra": {"deep": [1, {"x": 2}]}}
    assert repr(result).startswith("EchoResponse(message='hi'")
    with pytest.raises(AttributeError, match="Did you mean 'message'"):
        result.mesage
    assert pickle.loads(pickle.dumps(result)) == result


@pytest.mark.parametrize(
    "status, error",
    [
        (400, errors.BadRequestError),
        (401, errors.UnauthorizedError),
        (402, errors.PaymentRequiredError),
        (403, errors.ForbiddenError),
        (404, errors.NotFoundError),
        (422, errors.UnprocessableEntityError),
        (498, errors.InvalidTokenError),
        (499, errors.ClientClosedRequestError),
        (501, errors.NotImplementedApiError),
        (418, errors.ApiError),
    ],
)
@responses.activate
def test_error_statuses_raise_their_api_error(tiny_client: cohere_dyn.Client, status: int, error: type) -> None:
    responses.post(f"{BASE}/echo", json={"message": "nope"}, status=status, headers={"x-ratelimit": "7"})
    with pytest.raises(error) as caught:
        tiny_client.echo_test(message="m")
    assert type(caught.value) is error
    assert caught.value.status_code == status
    assert caught.value.body == {"message": "nope"}
    assert caught.value.headers["x-ratelimit"] == "7"
    assert isinstance(caught.value, cohere_dyn.CohereError)


def test_an_error_s_headers_are_looked_up_in_any_case_also_after_a_write() -> None:
    headers = errors.ApiError(429, None, {"Retry-After": "3", "X-Request-ID": "r1"}).headers
    assert (headers["retry-after"], headers.get("x-request-id"), "RETRY-AFTER" in headers) == ("3", "r1", True)
    headers["X-Added"] = "yes"
    del headers["Retry-After"]
    assert (headers.get("x-added"), "retry-after" in headers, headers.get("retry-after", "gone")) == ("yes", False, "gone")
    assert dict(headers) == {"X-Request-ID": "r1", "X-Added": "yes"}


@responses.activate
def test_non_json_error_body_is_kept_as_text(tiny_client: cohere_dyn.Client) -> None:
    responses.post(f"{BASE}/echo", body="<html>bad gateway</html>", status=400, content_type="text/html")
    with pytest.raises(errors.BadRequestError) as caught:
        tiny_client.echo_test(message="m")
    assert caught.value.body == "<html>bad gateway</html>"


@responses.activate
def test_key_never_appears_in_repr_or_errors(tiny_client: cohere_dyn.Client) -> None:
    responses.post(f"{BASE}/echo", json={"message": "nope"}, status=401)
    assert "secret-key-123" not in repr(tiny_client)
    with pytest.raises(errors.UnauthorizedError) as caught:
        tiny_client.echo_test(message="m")
    assert "secret-key-123" not in str(caught.value) + repr(caught.value) + repr(caught.value.__dict__)


def test_header_values_with_line_breaks_are_refused(tiny_client: cohere_dyn.Client) -> None:
    with pytest.raises(cohere_dyn.ValidationError):
        cohere_dyn.Client("k", spec=TINY_SPEC, client_name="evil\r\nX-Injected: 1")
    with pytest.raises(cohere_dyn.ValidationError):
        tiny_client.echo_test(message="m", request_options={"additional_headers": {"X-A": "a\nb"}})


def test_client_is_a_context_manager() -> None:
    with cohere_dyn.Client("k", spec=TINY_SPEC) as client:
        assert client.echo_test


@responses.activate
def test_response_objects_can_be_sent_back(tiny_client: cohere_dyn.Client) -> None:
    responses.post(f"{BASE}/echo", json={"message": "hi", "shapes": [{"kind": "circle", "radius": 2}]})
    first = tiny_client.echo_test(message="hi")
    tiny_client.echo_test(message=first.message, shapes=first.shapes, tree=None)
    assert json.loads(responses.calls[1].request.body) == {"message": "hi", "shapes": [{"kind": "circle", "radius": 2}]}


@responses.activate
def test_multipart_plain_fields_are_text_parts_before_the_file_parts(tiny_client: cohere_dyn.Client) -> None:
    from email.parser import BytesParser

    responses.post(f"{BASE}/uploads", json={})
    tiny_client.uploads.create(file=("a.txt", b"hello"), model="small", tags=["x", "y"])
    request = responses.calls[0].request
    message = BytesParser().parsebytes(f"Content-Type: {request.headers['Content-Type']}\r\n\r\n".encode() + request.body)
    parts = [
        (p.get_param("name", header="content-disposition"), p.get_filename(), p.get_payload(decode=True))
        for p in message.get_payload()
    ]
    assert parts == [("model", None, b"small"), ("tags", None, b"x"), ("tags", None, b"y"), ("file", "a.txt", b"hello")]


def test_multipart_plain_fields_are_validated(tiny_client: cohere_dyn.Client) -> None:
    with pytest.raises(cohere_dyn.ValidationError, match="model: 'huge' is not one of"):
        tiny_client.uploads.create.validate(file=b"x", model="huge")


def test_errors_are_built_as_the_official_sdk_builds_them() -> None:
    """Code and tests written for the SDK raise its errors themselves (mocks, retries)."""
    throttled = cohere_dyn.TooManyRequestsError({"message": "slow down"}, headers={"Retry-After": "1"})
    assert (throttled.status_code, throttled.body, throttled.headers["retry-after"]) == (429, {"message": "slow down"}, "1")
    assert cohere_dyn.BadRequestError(body="bad").status_code == 400
    generic = cohere_dyn.ApiError(status_code=418, body={"message": "teapot"})
    assert (generic.status_code, str(generic)) == (418, "status 418: teapot")
    from cohere_dyn.errors import NotImplementedError as SdkNotImplementedError

    assert SdkNotImplementedError is cohere_dyn.NotImplementedError is cohere_dyn.NotImplementedApiError
    assert "NotImplementedError" not in cohere_dyn.__all__  # `from cohere_dyn import *` keeps the builtin


def test_errors_survive_pickling_whole() -> None:
    import pickle

    problem = errors.ValidationProblem("messages[0].role", "'robot' is not one of ['user']", "enum")
    refused = pickle.loads(pickle.dumps(errors.ValidationError("v2.chat", [problem])))
    assert (refused.problems, str(refused)) == ([problem], str(errors.ValidationError("v2.chat", [problem])))

    error = errors.TooManyRequestsError({"message": "slow down"}, headers={"Retry-After": "2"})
    error.inputs = range(10, 20)  # what batching adds
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is errors.TooManyRequestsError
    assert (copy.status_code, copy.body, copy.headers["retry-after"], str(copy), copy.inputs) == (
        429, {"message": "slow down"}, "2", str(error), range(10, 20)
    )
