"""Renders template content with Jinja2 in a sandbox: HTML autoescaped, missing variables named."""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from jinja2 import ChainableUndefined, TemplateError
from jinja2 import Template as JinjaTemplate
from jinja2.sandbox import SandboxedEnvironment

from services.notifications.domain import Channel, Content

#: The names of undefined variables the render in progress printed.
_missing: ContextVar[set[str] | None] = ContextVar("notifications_missing", default=None)


class _RecordedUndefined(ChainableUndefined):
    """Prints as nothing, and notes the variable's name for the render in progress."""

    __slots__ = ()

    def __str__(self) -> str:
        found = _missing.get()
        if found is not None:
            found.add(self._undefined_name or "?")
        return ""


class RenderError(Exception):
    """The template failed while rendering (for example a sandbox violation)."""


class MissingVariablesError(Exception):
    """A strict render printed variables that were not given."""

    def __init__(self, names: set[str]) -> None:
        super().__init__(f"variables not given: {', '.join(sorted(names))}")
        self.names = names


@dataclass(frozen=True, slots=True)
class Rendered:
    """One channel's message, rendered."""

    subject: str
    text_body: str
    html_body: str = ""


class Renderer:
    """Jinja2 `SandboxedEnvironment`s: one autoescaping for HTML, one for subjects and text.

    Templates are compiled once per source text (an LRU cache), so rendering a popular
    template costs only the render. Template code runs sandboxed: no attribute access to
    internals, no imports, so staff-written templates cannot reach the process.
    """

    def __init__(self, *, cache_size: int = 256) -> None:
        common = {"undefined": _RecordedUndefined, "keep_trailing_newline": True}
        self._text = SandboxedEnvironment(autoescape=False, **common)
        self._html = SandboxedEnvironment(autoescape=True, **common)
        self._compile = functools.lru_cache(maxsize=cache_size)(self._compile_uncached)

    def problem(self, source: str, *, html: bool = False) -> str | None:
        """Why `source` is not a valid template, or None when it is."""
        try:
            self._compile(source, html)
        except TemplateError as error:
            line = getattr(error, "lineno", None)
            where = f" (line {line})" if line else ""
            return f"is not a valid template{where}: {error.message or error}"
        return None

    def render(
        self,
        content: Content,
        channel: Channel,
        variables: Mapping[str, str],
        *,
        strict: bool,
    ) -> Rendered:
        """Renders `channel`'s content. Strict renders refuse to print missing variables."""
        with _recording() as missing:
            if channel is Channel.EMAIL and content.email is not None:
                email = content.email
                rendered = Rendered(
                    subject=" ".join(self._render(email.subject, variables).split()),
                    text_body=self._render(email.text_body, variables),
                    html_body=self._render(email.html_body, variables, html=True),
                )
            elif channel is Channel.SMS and content.sms is not None:
                rendered = Rendered(subject="", text_body=self._render(content.sms.text, variables))
            else:
                raise ValueError(f"the content has nothing for {channel}")
        if strict and missing:
            raise MissingVariablesError(missing)
        return rendered

    def _render(self, source: str, variables: Mapping[str, str], *, html: bool = False) -> str:
        if not source:
            return ""
        try:
            return self._compile(source, html).render(variables)
        except TemplateError as error:
            raise RenderError(f"the template failed to render: {error}") from error

    def _compile_uncached(self, source: str, html: bool) -> JinjaTemplate:
        return (self._html if html else self._text).from_string(source)


@contextmanager
def _recording() -> Iterator[set[str]]:
    found: set[str] = set()
    token = _missing.set(found)
    try:
        yield found
    finally:
        _missing.reset(token)
