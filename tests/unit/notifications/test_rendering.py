"""Rendering: sandboxed Jinja2, HTML escaped, text not, missing variables named."""

from __future__ import annotations

import pytest

from services.notifications.domain import Channel, Content, EmailContent, SmsContent
from services.notifications.rendering import MissingVariablesError, Renderer, RenderError

EMAIL = Content(
    email=EmailContent(
        subject="Hello {{ name }}",
        text_body="Dear {{ name }}, your order {{ order }} shipped.",
        html_body="<p>Dear {{ name }}, your order <b>{{ order }}</b> shipped.</p>",
    )
)


def test_html_is_escaped_and_text_is_not() -> None:
    rendered = Renderer().render(
        EMAIL, Channel.EMAIL, {"name": "<Ann & Bo>", "order": "42"}, strict=True
    )
    assert rendered.subject == "Hello <Ann & Bo>"
    assert rendered.text_body == "Dear <Ann & Bo>, your order 42 shipped."
    assert rendered.html_body == ("<p>Dear &lt;Ann &amp; Bo&gt;, your order <b>42</b> shipped.</p>")


def test_a_strict_render_names_every_missing_variable() -> None:
    with pytest.raises(MissingVariablesError) as caught:
        Renderer().render(EMAIL, Channel.EMAIL, {}, strict=True)
    assert caught.value.names == {"name", "order"}


def test_a_lenient_render_prints_missing_variables_as_nothing() -> None:
    rendered = Renderer().render(EMAIL, Channel.EMAIL, {"order": "7"}, strict=False)
    assert rendered.text_body == "Dear , your order 7 shipped."


def test_conditionals_on_optional_variables_need_nothing() -> None:
    content = Content(sms=SmsContent("Hi{% if name %} {{ name }}{% endif %}!"))
    assert Renderer().render(content, Channel.SMS, {}, strict=True).text_body == "Hi!"


def test_the_sandbox_refuses_to_reach_python_internals() -> None:
    content = Content(sms=SmsContent("{{ ''.__class__.__mro__[1].__subclasses__() }}"))
    with pytest.raises(RenderError):
        Renderer().render(content, Channel.SMS, {}, strict=True)


def test_subjects_are_one_line() -> None:
    content = Content(email=EmailContent("Hello\n{{ name }}\r\n", "body"))
    rendered = Renderer().render(content, Channel.EMAIL, {"name": "Ann"}, strict=True)
    assert rendered.subject == "Hello Ann"


@pytest.mark.parametrize("source", ["{{ name", "{% if x %}no end", "{{ name | nosuchfilter }}"])
def test_a_broken_template_is_reported_with_why(source: str) -> None:
    problem = Renderer().problem(source)
    assert problem is not None and problem.startswith("is not a valid template")
    assert Renderer().problem("Hello {{ name }}") is None
