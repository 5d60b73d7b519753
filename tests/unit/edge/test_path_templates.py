"""google.api.http path templates: parsing, matching raw paths, and which template wins."""

from __future__ import annotations

import pytest

from edge.transcoding.template import PathTemplate, TemplateError


@pytest.mark.parametrize(
    ("template", "path", "values"),
    [
        ("/v1/users/{user_id}", "/v1/users/u1", {"user_id": "u1"}),
        ("/v1/users/{user_id}", "/v1/users/a%20b%C3%A9", {"user_id": "a bé"}),
        ("/v1/users/{user.id}", "/v1/users/me", {"user.id": "me"}),
        ("/v1/auth:signUp", "/v1/auth:signUp", {}),
        ("/v1/users/{user_id}:suspend", "/v1/users/u1:suspend", {"user_id": "u1"}),
        ("/v1/{name=shelves/*/books/*}", "/v1/shelves/s/books/b", {"name": "shelves/s/books/b"}),
        ("/v1/files/{path=**}", "/v1/files/a/b/c", {"path": "a/b/c"}),
    ],
)
def test_a_template_captures_each_variable_into_its_field(
    template: str, path: str, values: dict[str, str]
) -> None:
    assert PathTemplate.parse(template).match(path) == values


def test_an_encoded_slash_stays_encoded_in_a_multi_segment_variable() -> None:
    template = PathTemplate.parse("/v1/{name=shelves/*}")
    assert template.match("/v1/shelves/a%2Fb") == {"name": "shelves/a%2Fb"}
    assert PathTemplate.parse("/v1/{id}").match("/v1/a%2Fb") == {"id": "a/b"}


@pytest.mark.parametrize(
    ("template", "path"),
    [
        ("/v1/users/{user_id}", "/v1/users"),
        ("/v1/users/{user_id}", "/v1/users/a/b"),
        ("/v1/{name=shelves/*/books/*}", "/v1/shelves/s/books"),
        ("/v1/auth:signUp", "/v1/auth:login"),
    ],
)
def test_a_path_of_another_shape_does_not_match(template: str, path: str) -> None:
    assert PathTemplate.parse(template).match(path) is None


def test_verbs_and_literals_sort_before_plain_variables() -> None:
    templates = [
        PathTemplate.parse(source)
        for source in ("/v1/users/{id}", "/v1/users/{id}:suspend", "/v1/users/me/{x}")
    ]
    ordered = sorted(templates, key=lambda t: t.specificity)
    assert [t.source for t in ordered] == [
        "/v1/users/{id}:suspend",
        "/v1/users/me/{x}",
        "/v1/users/{id}",
    ]


def test_the_openapi_path_names_each_variable_after_its_field_path() -> None:
    assert PathTemplate.parse("/v1/users/{user.id}:x").openapi_path() == "/v1/users/{user_id}:x"
    template = PathTemplate.parse("/v1/{name=shelves/*}")
    assert template.openapi_path() == "/v1/{name}"
    assert template.variables[0].pattern == "^shelves/[^/]+$"


@pytest.mark.parametrize(
    ("template", "complaint"),
    [
        ("v1/users", "must start with '/'"),
        ("/v1/{user_id", "unclosed"),
        ("/v1/**/x", "may only be the last segment"),
        ("/v1/{a}/{a}", "binds a field twice"),
        ("/v1/x:", "malformed verb"),
        ("/v1/{1bad}", "bad field path"),
    ],
)
def test_a_malformed_template_is_refused_with_the_reason(template: str, complaint: str) -> None:
    with pytest.raises(TemplateError, match=complaint):
        PathTemplate.parse(template)
