"""Iterators over paged list answers, driven by an operation's `pagination` rule.

The rule (`x-cohere-dyn.pagination` in the spec) names the field of the answer that holds the
items, and how to ask for the next page:

- `style: token` (the default): the answer's `next-token` field (absent or empty on the last
  page) is sent back as the `token-param` argument;
- `style: offset`: the `offset-param` argument moves past the items received; a page shorter
  than the caller's `limit-param`, an empty page, or reaching the answer's `total` field ends it.

Pages are fetched lazily, one when the loop needs it. The rule is read here once, for both
clients: the sync `Pager` and the async `AsyncPager` differ only in how they wait for a page.

A token that comes back (A -> B -> A, or A -> A) would page forever: every token a run sends is
remembered with the page it fetched, and a repeat raises CohereError naming the pages involved
(not the token). That memory grows by one token per page, as the items the caller keeps do.

    for model in client.models.iter(page_size=50): ...
    for event in cohere_dyn.paginate(client.finetuning.list_events, finetuned_model_id="ft-1"): ...
    async for dataset in async_client.datasets.iter(): ...
"""

from __future__ import annotations

from typing import Any, AsyncIterator, Awaitable, Callable, Iterator

from .._errors import CohereError
from .._models import Model, ModelList
from .._spec._operations import Operation, PageRule

__all__ = ["AsyncPager", "Pager", "paginate", "pager"]


def paginate(method: Callable[..., Any], **kwargs: Any) -> "Pager | AsyncPager":
    """The items of every page `method` (a paginated list method, sync or async) returns.

    `kwargs` are the method's own arguments for the first page. Iterate the result (`for`, or
    `async for` with an async client's method); `.pages()` yields whole pages instead.
    """
    operation = getattr(method, "operation", None)
    if not isinstance(operation, Operation):
        raise TypeError(f"paginate() takes a method of a cohere_dyn client, not {type(method).__name__}")
    if operation.pagination is None:
        raise TypeError(f"{operation.qualified_name} does not page; its answer is complete")
    import inspect

    return pager(lambda page_kwargs: method(**page_kwargs), operation, kwargs, inspect.iscoroutinefunction(method))


def pager(fetch: Callable[[dict[str, Any]], Any], operation: Operation, kwargs: dict[str, Any], asynchronous: bool) -> "Pager | AsyncPager":
    from .._call._prepare import check_keywords

    check_keywords(operation, kwargs)  # a misspelt keyword fails here, not at the first page
    return (AsyncPager if asynchronous else Pager)(fetch, operation, kwargs)


def items_of(rule: PageRule, page: Any) -> list[Any]:
    """The items of one page, as response objects."""
    if not isinstance(page, Model):
        return []
    found = page.get(rule.items)
    return list(found) if isinstance(found, ModelList) else []


def following(
    rule: PageRule, operation: Operation, kwargs: dict[str, Any], page: Any, count: int, tokens: Tokens
) -> dict[str, Any] | None:
    """The arguments of the page after `page` (which held `count` items), or None after the last."""
    data = page.to_dict() if isinstance(page, Model) else {}
    if rule.style == "token":
        number = tokens.fetched(kwargs.get(rule.token_param))
        token = data.get(rule.next_token)
        if not token:
            return None
        earlier = tokens.page_of(token)
        if earlier is not None:
            raise CohereError(
                f"{operation.qualified_name}: the next page token after page {number} is the one page {earlier} "
                f"was fetched with (the API's page tokens run in a cycle); stopping instead of paging forever"
            )
        return {**kwargs, rule.token_param: token}
    if count == 0:
        return None
    offset = int(kwargs.get(rule.offset_param) or 0) + count
    limit = kwargs.get(rule.limit_param)
    if limit is not None and count < limit:
        return None
    total = data.get(rule.total) if rule.total else None
    if isinstance(total, (int, float)) and offset >= total:
        return None
    return {**kwargs, rule.offset_param: offset}


class Tokens:
    """The page tokens one run has sent, each with the number of the page it fetched (from 1).
    Memory: one entry per page fetched."""

    __slots__ = ("pages", "sent")

    def __init__(self) -> None:
        self.pages = 0
        self.sent: dict[str, int] = {}

    def fetched(self, token: Any) -> int:
        """Count a page fetched with `token` (None for the first, often); its number."""
        self.pages += 1
        if token:
            self.sent.setdefault(_key(token), self.pages)
        return self.pages

    def page_of(self, token: Any) -> int | None:
        """The page `token` fetched already, if any."""
        return self.sent.get(_key(token))


def _key(token: Any) -> str:
    return token if isinstance(token, str) else repr(token)


class Pager:
    """The items of every page, fetched lazily; `pages()` yields the pages themselves."""

    def __init__(self, fetch: Callable[[dict[str, Any]], Any], operation: Operation, kwargs: dict[str, Any]):
        self._fetch = fetch
        self._operation = operation
        self._kwargs = kwargs

    def pages(self) -> Iterator[Any]:
        rule: PageRule = self._operation.pagination  # type: ignore[assignment]
        kwargs: dict[str, Any] | None = dict(self._kwargs)
        tokens = Tokens()
        while kwargs is not None:
            page = self._fetch(kwargs)
            yield page
            kwargs = following(rule, self._operation, kwargs, page, len(items_of(rule, page)), tokens)

    def __iter__(self) -> Iterator[Any]:
        rule: PageRule = self._operation.pagination  # type: ignore[assignment]
        for page in self.pages():
            yield from items_of(rule, page)

    def __repr__(self) -> str:
        return f"<cohere_dyn.Pager over {self._operation.qualified_name}>"


class AsyncPager:
    """`Pager` for an async client: `async for item in pager`, `async for page in pager.pages()`."""

    def __init__(self, fetch: Callable[[dict[str, Any]], Awaitable[Any]], operation: Operation, kwargs: dict[str, Any]):
        self._fetch = fetch
        self._operation = operation
        self._kwargs = kwargs

    async def pages(self) -> AsyncIterator[Any]:
        rule: PageRule = self._operation.pagination  # type: ignore[assignment]
        kwargs: dict[str, Any] | None = dict(self._kwargs)
        tokens = Tokens()
        while kwargs is not None:
            page = await self._fetch(kwargs)
            yield page
            kwargs = following(rule, self._operation, kwargs, page, len(items_of(rule, page)), tokens)

    async def _items(self) -> AsyncIterator[Any]:
        rule: PageRule = self._operation.pagination  # type: ignore[assignment]
        async for page in self.pages():
            for item in items_of(rule, page):
                yield item

    def __aiter__(self) -> AsyncIterator[Any]:
        return self._items()

    def __iter__(self) -> Iterator[Any]:
        raise TypeError(f"{self._operation.qualified_name}: an async client's pager needs `async for`")

    def __repr__(self) -> str:
        return f"<cohere_dyn.AsyncPager over {self._operation.qualified_name}>"
