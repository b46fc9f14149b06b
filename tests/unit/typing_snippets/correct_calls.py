"""Code written against the client as documented: mypy --strict must find nothing here."""

import io
from typing import Literal

from typing_extensions import assert_type

import cohere_dyn
from cohere_dyn import types
from cohere_dyn.v2.client import OMIT, V2Client  # the SDK's module paths import, untyped

client = cohere_dyn.Client(api_key="k", client_name="app", timeout=30, max_retries=3)
co2 = cohere_dyn.ClientV2(api_key="k")

reply = client.v2.chat(model="command-a-03-2025", messages=[{"role": "user", "content": "hi"}])
print(reply.id, reply.finish_reason)
if reply.message.content:
    item = reply.message.content[0]
    if item.type == "text":
        print(item.text.upper())

r2 = co2.chat(
    model="m",
    messages=[
        {"role": "system", "content": "be brief"},
        {"role": "user", "content": [{"type": "text", "text": "hi"}]},
    ],
    temperature=0.3,
    response_format={"type": "json_object"},
    request_options={"max_retries": 1, "timeout_in_seconds": 5.0},
)
print(r2.to_dict(), r2["id"])

with client.v2.chat_stream(model="m", messages=[{"role": "user", "content": "hi"}]) as stream:
    for event in stream:
        print(event.type)
    print(stream.final().message)
for piece in co2.chat_stream(model="m", messages=[{"role": "user", "content": "hi"}]).text():
    print(piece.strip())

print(client.chat(message="hi", temperature=0.3).text)
emb = client.embed(texts=["a"], model="embed-english-v3.0", input_type="search_document")
ds = client.datasets.create(name="n", type="embed-input", data=io.BytesIO(b"text\nhi\n"))
print(client.datasets.list(dataset_type="embed-input").datasets)
client.finetuning.create_finetuned_model(
    request={"name": "x", "settings": {"base_model": {"base_type": "BASE_TYPE_CHAT"}, "dataset_id": "d"}}
)
ranked = client.rerank(query="q", documents=["a", "b"], model="rerank-v3.5", top_n=1)
print([result.index for result in ranked.results])
client.check_api_key()
print(client.datasets.get("ds-1").dataset.schema_, client.finetuning.list_events("ft-1", page_size=10).events)
vectors = co2.embed(model="m", input_type="search_document", embedding_types=["float"], texts=["a"]).embeddings
print(vectors.float_, emb.model_dump(exclude_none=True), emb.dict(), emb.json(), emb.model_dump_json(indent=2))
client.models.list(request_options={"timeout": 5.0, "chunk_size": 1024})
client.close()

cohere_dyn.validate("v2.chat", {"model": "m", "messages": []})
message = cohere_dyn.UserChatMessageV2(content="hi")
co2.chat(model="m", messages=[cohere_dyn.SystemChatMessageV2(content="be brief"), message])
co2.chat(model="m", messages=[cohere_dyn.UserChatMessageV2(content=[cohere_dyn.types.TextContent(text="hi")])])
base = cohere_dyn.UserMessageV2(content="hi")  # the SDK's base class: no role filled in
assert_type(base.role, Literal['user'] | None)
cohere_dyn.Client(api_key="k", environment=cohere_dyn.ClientEnvironment.PRODUCTION, thread_pool_executor=None)
cohere_dyn.ClientV2(api_key="k", httpx_client=None, log_warning_experimental_features=False)
try:
    client.models.list()
except cohere_dyn.TooManyRequestsError as exc:
    print(exc.status_code, exc.headers)
except cohere_dyn.ValidationError as exc:
    print(exc.problems)
settings = cohere_dyn.finetuning.Settings(base_model=cohere_dyn.finetuning.BaseModel(base_type="BASE_TYPE_CHAT"))

# The model classes: built, read, sent; answers are instances of the same classes.
call = types.ToolCallV2(id="c1", function=types.ToolCallV2Function(name="lookup", arguments="{}"), extra_field=1)
assert_type(call.type, Literal['function'])
if call.function is not None:
    assert_type(call.function.name, str | None)
print(call.to_dict(), call.model_dump(), call.model_dump_json(), dict(call), call.get("id"), "id" in call, call["id"])
print(call.model_copy(update={"id": "c2"}).id, types.ToolCallV2.model_validate({"id": "c3"}).id, call.model_fields_set)
history: list[types.ChatMessageV2] = [types.SystemChatMessageV2(content="be brief"), cohere_dyn.UserChatMessageV2(content="hi")]
tool = types.ToolV2(function=types.ToolV2Function(name="lookup", parameters={"type": "object"}))
answer = co2.chat(model="m", messages=[*history, {"role": "user", "content": "more"}], tools=[tool, {"type": "function"}])
assert_type(answer, types.ChatResponse)
calls = answer.message.tool_calls
if calls and calls[0].function:
    assert_type(calls[0].function.name, str | None)
    history.append(types.AssistantChatMessageV2(tool_calls=calls, tool_plan=answer.message.tool_plan))
same: types.V2ChatResponse = answer
assert_type(types.ChatResponse.model_validate(answer.to_dict()), types.ChatResponse)
for event in co2.chat_stream(model="m", messages=history):
    if isinstance(event, types.ContentDeltaV2ChatStreamResponse) and event.delta and event.delta.message:
        print(event.delta.message.content.text if event.delta.message.content else "")
    elif isinstance(event, types.ContentDeltaStreamedChatResponseV2):  # the SDK's other name: the same class
        print(event.index)
    elif event.type == "message-end" and event.delta is not None:
        print(event.delta.finish_reason, event.delta.usage)
co2.chat(model="m", messages=history, temperature=cohere_dyn.OMIT, max_tokens=OMIT)
group: V2Client = co2.v2
raw = co2.with_raw_response.chat(model="m", messages=history)  # typed Any
print(raw.status_code, client.v2.with_raw_response)
tokens = co2.tokenize(text="t", model="m").tokens
assert_type(tokens, list[int])


async def asynchronous() -> None:
    async with cohere_dyn.AsyncClientV2(api_key="k") as client_async:
        reply_async = await client_async.chat(model="m", messages=[cohere_dyn.UserChatMessageV2(content="hi")])
        assert_type(reply_async.message.role, Literal['assistant'])
        async for event in client_async.chat_stream(model="m", messages=[{"role": "user", "content": "hi"}]):
            if isinstance(event, types.ContentDeltaV2ChatStreamResponse):
                print(event.index)
        final = await client_async.chat_stream(model="m", messages=[]).final()
        assert_type(final, types.ChatResponse)
        async for dataset in client_async.datasets.iter():
            print(dataset.id)
        print((await client_async.v2.rerank(model="m", query="q", documents=["a"])).results[0].relevance_score)
