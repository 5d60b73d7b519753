"""google.api.http path templates: parsed once, matched against raw (percent-encoded) paths.

    Template = "/" Segments [ Verb ] ;
    Segments = Segment { "/" Segment } ;
    Segment  = "*" | "**" | LITERAL | Variable ;
    Variable = "{" FieldPath [ "=" Segments ] "}" ;
    Verb     = ":" LITERAL ;

`{user_id}` is `{user_id=*}`; `{name=shelves/*}` captures "shelves/<id>" into `name`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote

SINGLE = "*"
MULTI = "**"
_ENCODED_SLASH = re.compile("%2F", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Variable:
    """A captured part of the path: the request field it sets and the segments it spans."""

    field_path: str  # "user.id"
    segments: tuple[str, ...]  # ("*",) or ("shelves", "*", "books", "*")

    @property
    def single_segment(self) -> bool:
        return self.segments == (SINGLE,)

    @property
    def openapi_name(self) -> str:
        """Its OpenAPI parameter name: the field path with "_" for "." (`user.id` → `user_id`),
        since tools fill path templates with Python's str.format, which reads dots as
        attribute access."""
        return self.field_path.replace(".", "_")

    @property
    def pattern(self) -> str:
        """The regular expression a value must match (for OpenAPI), "" for one plain segment."""
        if self.single_segment:
            return ""
        return "^" + "/".join(_segment_regex(s) for s in self.segments) + "$"


Segment = str | Variable


class TemplateError(ValueError):
    """A path template in a contract does not follow the google.api.http grammar."""


@dataclass(frozen=True, slots=True)
class PathTemplate:
    """A parsed path template that matches request paths and says which fields they set."""

    source: str
    segments: tuple[Segment, ...]
    verb: str
    _regex: re.Pattern[str]

    @classmethod
    def parse(cls, source: str) -> PathTemplate:
        if not source.startswith("/"):
            raise TemplateError(f"path template {source!r} must start with '/'")
        path, verb = _split_verb(source)
        segments = tuple(_parse_segments(path[1:], source))
        fields = [s.field_path for s in segments if isinstance(s, Variable)]
        if len(fields) != len(set(fields)):
            raise TemplateError(f"path template {source!r} binds a field twice")
        body = "/".join(
            f"(?P<v{i}>{_variable_regex(s)})" if isinstance(s, Variable) else _segment_regex(s)
            for i, s in enumerate(segments)
        )
        suffix = f":{re.escape(verb)}" if verb else ""
        return cls(source, segments, verb, re.compile(f"^/{body}{suffix}$"))

    @property
    def variables(self) -> tuple[Variable, ...]:
        return tuple(s for s in self.segments if isinstance(s, Variable))

    def match(self, raw_path: str) -> dict[str, str] | None:
        """The decoded value of each variable (by field path) when `raw_path` matches."""
        found = self._regex.match(raw_path)
        if found is None:
            return None
        values = {}
        for index, segment in enumerate(self.segments):
            if isinstance(segment, Variable):
                raw = found.group(f"v{index}")
                values[segment.field_path] = (
                    unquote(raw) if segment.single_segment else _unquote_keeping_slashes(raw)
                )
        return values

    @property
    def specificity(self) -> tuple[int, int, int]:
        """Sort key, most specific first: a verb, then more literal segments, then no `**`."""
        literals = sum(1 for s in self._flat_segments() if s not in (SINGLE, MULTI))
        multis = sum(1 for s in self._flat_segments() if s == MULTI)
        return (0 if self.verb else 1, -literals, multis)

    def openapi_path(self) -> str:
        """The OpenAPI form: each variable becomes `{its_openapi_name}`."""
        parts = []
        wildcard = 0
        for segment in self.segments:
            if isinstance(segment, Variable):
                parts.append(f"{{{segment.openapi_name}}}")
            elif segment in (SINGLE, MULTI):
                wildcard += 1
                parts.append(f"{{_wildcard{wildcard}}}")
            else:
                parts.append(segment)
        return "/" + "/".join(parts) + (f":{self.verb}" if self.verb else "")

    def _flat_segments(self) -> list[str]:
        flat: list[str] = []
        for segment in self.segments:
            flat += segment.segments if isinstance(segment, Variable) else [segment]
        return flat


def _split_verb(source: str) -> tuple[str, str]:
    """Splits off `:verb`: the first colon outside braces after the last slash outside them."""
    depth, colon = 0, -1
    for index, char in enumerate(source):
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
        elif char == "/" and depth == 0:
            colon = -1
        elif char == ":" and depth == 0 and colon == -1:
            colon = index
    if colon == -1:
        return source, ""
    verb = source[colon + 1 :]
    if not verb or re.search(r"[{}/*:]", verb):
        raise TemplateError(f"path template {source!r} has a malformed verb")
    return source[:colon], verb


def _parse_segments(path: str, source: str) -> list[Segment]:
    segments: list[Segment] = []
    for part in _split_outside_braces(path, source):
        if part.startswith("{"):
            if not part.endswith("}"):
                raise TemplateError(f"unclosed variable {part!r} in path template {source!r}")
            field_path, _, inner = part[1:-1].partition("=")
            if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*", field_path):
                raise TemplateError(f"bad field path {field_path!r} in path template {source!r}")
            inner_segments = tuple(inner.split("/")) if inner else (SINGLE,)
            for inner_segment in inner_segments:
                _check_literal(inner_segment, source)
            segments.append(Variable(field_path, inner_segments))
        else:
            _check_literal(part, source)
            segments.append(part)
    multi = [i for i, s in enumerate(_flatten(segments)) if s == MULTI]
    if multi and multi != [len(_flatten(segments)) - 1]:
        raise TemplateError(f"'**' may only be the last segment in path template {source!r}")
    return segments


def _flatten(segments: list[Segment]) -> list[str]:
    flat: list[str] = []
    for segment in segments:
        flat += segment.segments if isinstance(segment, Variable) else [segment]
    return flat


def _split_outside_braces(path: str, source: str) -> list[str]:
    parts, current, depth = [], "", 0
    for char in path:
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth not in (0, 1):
            raise TemplateError(f"unbalanced braces in path template {source!r}")
        if char == "/" and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += char
    parts.append(current)
    return parts


def _check_literal(segment: str, source: str) -> None:
    if not segment or (segment not in (SINGLE, MULTI) and re.search(r"[{}*:/]", segment)):
        raise TemplateError(f"bad segment {segment!r} in path template {source!r}")


def _segment_regex(segment: str) -> str:
    if segment == SINGLE:
        return "[^/]+"
    if segment == MULTI:
        return ".+"
    return re.escape(segment)


def _variable_regex(variable: Variable) -> str:
    return "/".join(_segment_regex(s) for s in variable.segments)


def _unquote_keeping_slashes(raw: str) -> str:
    """Decodes a multi-segment value except for encoded slashes, which stay `%2F` (per spec)."""
    return "%2F".join(unquote(part) for part in _ENCODED_SLASH.split(raw))
