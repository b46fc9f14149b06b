"""pydantic-ai's Cohere model on cohere_dyn: runs, tools, structured output (through OMIT, the SDK's
private client wrapper and an httpx client it owns)."""

from __future__ import annotations

import pytest
from pydantic import BaseModel

from cohere_dyn.mock import MockServer

pytest.importorskip("pydantic_ai.models.cohere")
from pydantic_ai import Agent  # noqa: E402
from pydantic_ai.models.cohere import CohereModel  # noqa: E402
from pydantic_ai.providers.cohere import CohereProvider  # noqa: E402


class City(BaseModel):
    name: str


def get_weather(city: str) -> str:
    """The weather in a city."""
    return f"sunny in {city}"


@pytest.fixture
def model(mock: MockServer) -> CohereModel:
    return CohereModel("command-a-03-2025", provider=CohereProvider(api_key="k", base_url=mock.url))


def test_the_model_reads_its_base_url_through_the_client_wrapper(model: CohereModel, mock: MockServer) -> None:
    assert model.base_url == mock.url


def test_an_agent_runs(model: CohereModel) -> None:
    assert 'You said: "hello there"' in Agent(model).run_sync("hello there").output


def test_an_agent_calls_its_tool_and_answers_with_the_result(model: CohereModel) -> None:
    result = Agent(model, tools=[get_weather]).run_sync("use the get_weather tool for Paris")
    assert "sunny in" in result.output


def test_structured_output(model: CohereModel) -> None:
    assert isinstance(Agent(model, output_type=City).run_sync("name a city").output, City)
