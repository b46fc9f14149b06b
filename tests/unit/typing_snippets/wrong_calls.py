"""Each line whose comment starts with "error" must be a type error; mypy must report nothing else here."""

import cohere_dyn

client = cohere_dyn.Client(api_key="k")
co2 = cohere_dyn.ClientV2(api_key="k")
client.v2.chat(model=1, messages=[{"role": "user", "content": "hi"}])  # error: a number for a string
client.v2.chat(messages=[{"role": "user", "content": "hi"}])  # error: model is required
client.v2.chat(model="m", messages=[{"role": "bot", "content": "hi"}])  # error: no such role
client.v2.chat(model="m", messages=[], temprature=0.3)  # error: misspelled keyword
client.v2.chat(model="m", messages=[], safety_mode="LOUD")  # error: not one of the enum
client.v2.chat("m", [])  # error: arguments are keyword-only
co2.chat(model="m", messages=[], request_options={"retries": 3})  # error: unknown request option
client.v2.chat_stream(model="m", messages=[]).final().message.nope  # error: undeclared response field
client.v2.nothing()  # error: no such method
client.datasets.get()  # error: id is required
client.embed(texts=[1, 2], model="m")  # error: texts are strings
reply: str = client.tokenize(text="t", model="m")  # error: the response is an object
client.datasets.get("ds-1", "extra")  # error: only the path parameter is positional
client.finetuning.list_events("ft-1", 10)  # error: page_size is keyword-only
cohere_dyn.UserChatMessageV2(contnt="hi")  # error: content is required (an unknown keyword is kept as an extra field)
co2.chat(model="m", messages=[cohere_dyn.UserMessageV2(content="hi")])  # error: the SDK's base class has no role
types = cohere_dyn.types
types.ToolCallV2(id="c1").nme  # error: a model class has no such field
types.ToolCallV2(id=1)  # error: the id is a string
types.ChatResponse(id="r1")  # error: finish_reason and message are required
co2.chat(model="m", messages=[]).message.tool_calls[0]  # error: tool_calls may be None
co2.chat(model="m", messages=[types.ToolV2()])  # error: a tool is no message
count: int = co2.chat(model="m", messages=[]).message.tool_plan  # error: the plan is text (or None)
for event in co2.chat_stream(model="m", messages=[]):
    event.delta  # error: not every event has a delta


async def asynchronous() -> None:
    client_async = cohere_dyn.AsyncClientV2(api_key="k")
    client_async.chat(model="m", messages=[]).message  # error: the answer must be awaited
