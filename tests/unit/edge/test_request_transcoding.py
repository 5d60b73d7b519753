"""HTTP request → request message, one test per google.api.http feature."""

from __future__ import annotations

import pytest
from google.protobuf import duration_pb2, field_mask_pb2, struct_pb2, timestamp_pb2, wrappers_pb2

from edge.errors import UnsupportedMediaType
from mesh.errors import InvalidArgument
from meshwork.testing.v1 import transcoding_pb2 as pb
from tests.unit.edge.transcoding import transcode


class TestPathTemplates:
    def test_a_simple_path_field_is_set_decoded(self) -> None:
        request = transcode("GetShelf", "/v1/shelves/s%201")
        assert request == pb.GetShelfRequest(shelf_id="s 1")

    def test_a_nested_path_field_is_set_inside_its_message(self) -> None:
        request = transcode("UpdateShelf", "/v1/shelves/s1", body={"title": "Poems"})
        assert request.shelf.id == "s1"
        assert request.shelf.title == "Poems"

    def test_the_path_wins_over_the_same_field_in_the_body(self) -> None:
        request = transcode("UpdateShelf", "/v1/shelves/s1", body={"id": "s2", "title": "T"})
        assert request.shelf.id == "s1"

    def test_a_segment_pattern_captures_the_resource_name(self) -> None:
        request = transcode("GetBook", "/v1/shelves/s1/books/b%201")
        assert request == pb.GetBookRequest(name="shelves/s1/books/b 1")

    def test_a_custom_verb_routes_to_its_method(self) -> None:
        request = transcode("ArchiveShelf", "/v1/shelves/s1:archive", body={})
        assert request == pb.ArchiveShelfRequest(shelf_id="s1")


class TestBodies:
    def test_body_star_maps_the_whole_body_onto_the_request(self) -> None:
        body = {
            "reason": "full",
            "forDuration": "3.5s",
            "details": {"boxes": [1, None, "x"]},
            "bookIds": ["9007199254740993", 2],
            "destination": {"floor": 2, "room": "B"},
        }
        request = transcode("ArchiveShelf", "/v1/shelves/s1:archive", body=body)
        details = struct_pb2.Struct()
        details.update({"boxes": [1, None, "x"]})
        assert request == pb.ArchiveShelfRequest(
            shelf_id="s1",
            reason="full",
            for_duration=duration_pb2.Duration(seconds=3, nanos=500_000_000),
            details=details,
            book_ids=[9007199254740993, 2],
            destination=pb.Location(floor=2, room="B"),
        )

    def test_a_body_field_receives_the_body_and_the_rest_comes_from_the_query(self) -> None:
        body = {"title": "Poems", "capacity": "12", "labels": {"a": "b"}, "photo": "AAEC"}
        request = transcode("CreateShelf", "/v1/shelves", query=[("shelfId", "s9")], body=body)
        assert request == pb.CreateShelfRequest(
            shelf_id="s9",
            shelf=pb.Shelf(title="Poems", capacity=12, labels={"a": "b"}, photo=b"\x00\x01\x02"),
        )

    def test_an_empty_body_leaves_the_fields_unset(self) -> None:
        assert transcode("ArchiveShelf", "/v1/shelves/s1:archive", body=b"") == (
            pb.ArchiveShelfRequest(shelf_id="s1")
        )

    def test_a_patch_without_a_mask_gets_one_naming_the_body_fields(self) -> None:
        body = {"title": "T", "genre": "GENRE_POETRY", "id": "ignored"}
        request = transcode("UpdateShelf", "/v1/shelves/s1", body=body)
        assert list(request.update_mask.paths) == ["title", "genre"]

    @pytest.mark.parametrize("mask", ["title,createTime", "title,create_time"])
    def test_an_explicit_mask_is_kept_in_either_case(self, mask: str) -> None:
        request = transcode(
            "UpdateShelf", "/v1/shelves/s1", query=[("updateMask", mask)], body={"title": "T"}
        )
        assert request.update_mask == field_mask_pb2.FieldMask(paths=["title", "create_time"])

    def test_both_proto_and_json_field_names_are_accepted(self) -> None:
        body = {"shelf_id": "ignored", "for_duration": "1s", "book_ids": [1]}
        request = transcode("ArchiveShelf", "/v1/shelves/s1:archive", body=body)
        assert request.for_duration.seconds == 1
        assert list(request.book_ids) == [1]


class TestQueryParameters:
    def test_nested_repeated_and_typed_parameters_fill_their_fields(self) -> None:
        query = [
            ("filter.author", "Le Guin"),
            ("filter.published_after", "2020-01-01T00:00:00Z"),
            ("filter.maxAge", "60s"),
            ("filter.location.floor", "2"),
            ("tags", "a"),
            ("tags", "b"),
            ("genres", "GENRE_FICTION"),
            ("genres", "3"),
            ("min_words", "12345678901234"),
            ("showWithdrawn", "true"),
            ("minRating", "4.5"),
            ("pageSize", "10"),
        ]
        request = transcode("SearchBooks", "/v1/books:search", query=query)
        assert request == pb.SearchBooksRequest(
            filter=pb.BookFilter(
                author="Le Guin",
                published_after=timestamp_pb2.Timestamp(seconds=1577836800),
                max_age=duration_pb2.Duration(seconds=60),
                location=pb.Location(floor=2),
            ),
            tags=["a", "b"],
            genres=[pb.GENRE_FICTION, pb.GENRE_POETRY],
            min_words=12345678901234,
            show_withdrawn=True,
            min_rating=wrappers_pb2.DoubleValue(value=4.5),
            page_size=10,
        )

    def test_an_additional_binding_takes_the_field_from_the_query(self) -> None:
        request = transcode("GetBook_2", "/v1/books:lookup", query=[("name", "shelves/1/books/2")])
        assert request == pb.GetBookRequest(name="shelves/1/books/2")

    @pytest.mark.parametrize(
        ("operation", "path", "query", "field", "complaint"),
        [
            ("SearchBooks", "/v1/books:search", [("nope", "1")], "nope", "unknown query parameter"),
            ("SearchBooks", "/v1/books:search", [("filter", "x")], "filter", "an object"),
            ("SearchBooks", "/v1/books:search", [("pageSize", "1"), ("pageSize", "2")],
             "pageSize", "given 2 times"),
            ("SearchBooks", "/v1/books:search", [("pageSize", "ten")], "pageSize",
             "expected an integer"),
            ("SearchBooks", "/v1/books:search", [("genres", "GENRE_X")], "genres[0]",
             "expected one of: GENRE_UNSPECIFIED"),
            ("GetShelf", "/v1/shelves/s1", [("shelfId", "s2")], "shelfId", "set by the URL path"),
            ("CreateShelf", "/v1/shelves", [("shelf.title", "x")], "shelf.title",
             "set by the request body"),
            ("ArchiveShelf", "/v1/shelves/s1:archive", [("reason", "x")], "reason",
             "takes its fields in the JSON body"),
        ],
    )  # fmt: skip
    def test_a_bad_parameter_is_refused_by_name(
        self, operation: str, path: str, query: list, field: str, complaint: str
    ) -> None:
        with pytest.raises(InvalidArgument) as refused:
            transcode(operation, path, query=query, body={} if "archive" in path else None)
        assert [v.field for v in refused.value.violations] == [field]
        assert complaint in refused.value.violations[0].description


class TestInvalidBodies:
    @pytest.mark.parametrize(
        ("body", "field", "complaint"),
        [
            ({"title": 3}, "shelf.title", "expected a string, got a number"),
            ({"bogus": 1}, "shelf.bogus", "unknown field; Shelf has: id, title"),
            ({"capacity": "lots"}, "shelf.capacity", "expected an integer"),
            ({"genre": "GENRE_JAZZ"}, "shelf.genre", "unknown value 'GENRE_JAZZ'"),
            ({"tags": "a"}, "shelf.tags", "expected an array, got a string"),
            ({"tags": ["a", 1]}, "shelf.tags[1]", "expected a string"),
            ({"location": []}, "shelf.location", "expected an object, got an array"),
            ({"location": {"floor": True}}, "shelf.location.floor", "expected an integer"),
            ({"labels": {"a": 1}}, "shelf.labels['a']", "expected a string"),
            ({"title": "a", "title_": 1}, "shelf.title_", "unknown field"),
            ({"title": "a", "tags": [], "tags_": 1}, "shelf.tags_", "unknown field"),
            (
                {"create_time": "2030-01-01T00:00:00Z", "createTime": "2030-01-01T00:00:00Z"},
                "shelf.createTime",
                "given twice",
            ),
            ({"createTime": "yesterday"}, "shelf.createTime", "timestamp"),
        ],
    )
    def test_a_wrong_field_is_refused_by_its_path(
        self, body: dict, field: str, complaint: str
    ) -> None:
        with pytest.raises(InvalidArgument) as refused:
            transcode("CreateShelf", "/v1/shelves", body=body)
        assert [v.field for v in refused.value.violations] == [field]
        assert complaint in refused.value.violations[0].description

    def test_every_bad_field_is_named_at_once(self) -> None:
        body = {"untilTime": "2030-01-01T00:00:00Z", "forDuration": "1s", "bookIds": ["x"]}
        with pytest.raises(InvalidArgument) as refused:
            transcode("ArchiveShelf", "/v1/shelves/s1:archive", body=body)
        fields = {v.field: v.description for v in refused.value.violations}
        assert set(fields) == {"forDuration", "bookIds[0]"}
        assert "only one of untilTime, forDuration" in fields["forDuration"]

    @pytest.mark.parametrize(
        ("body", "complaint"),
        [
            (b'{"title": ', "not valid JSON"),
            (b"\xff\xfe", "not valid JSON"),
            (b"[1]", "object"),
            (b'{"reason": "a", "reason": "b"}', "has the key 'reason' twice"),
            (b'{"reason": "a", "x": {"k": 1, "k": 2}}', "has the key 'k' twice"),
            (b"[" * 10_000 + b"]" * 10_000, "more than 64 levels deep"),
            (b'{"a":' * 65 + b"1" + b"}" * 65, "more than 64 levels deep"),
        ],
    )
    def test_a_malformed_body_is_refused(self, body: bytes, complaint: str) -> None:
        with pytest.raises(InvalidArgument, match=complaint):
            transcode("ArchiveShelf", "/v1/shelves/s1:archive", body=body)

    def test_a_body_that_is_not_json_is_an_unsupported_media_type(self) -> None:
        with pytest.raises(UnsupportedMediaType, match="text/plain"):
            transcode("CreateShelf", "/v1/shelves", body=b"title=x", content_type="text/plain")

    def test_a_json_media_type_with_parameters_is_accepted(self) -> None:
        request = transcode(
            "CreateShelf",
            "/v1/shelves",
            body={"title": "x"},
            content_type="application/merge-patch+json; charset=utf-8",
        )
        assert request.shelf.title == "x"


class TestUnknownQueryParameters:
    def test_the_list_of_parameters_leaves_out_what_the_path_binds(self) -> None:
        with pytest.raises(InvalidArgument) as refused:
            transcode("GetShelf", "/v1/shelves/s1", query=[("foo", "bar")])
        [violation] = refused.value.violations
        assert violation.field == "foo"
        assert violation.description == "unknown query parameter; the query may set: readMask"
        assert refused.value.message == (
            "the request has invalid fields: foo: unknown query parameter; "
            "the query may set: readMask"
        )

    def test_a_nested_name_lists_the_fields_under_its_parent(self) -> None:
        with pytest.raises(InvalidArgument) as refused:
            transcode("SearchBooks", "/v1/books:search", query=[("filter.nope", "1")])
        description = refused.value.violations[0].description
        assert description.startswith("unknown query parameter; the query may set: filter.")
        assert "filter.author" in description

    def test_the_list_leaves_out_the_body_field(self) -> None:
        with pytest.raises(InvalidArgument) as refused:
            transcode("CreateShelf", "/v1/shelves", query=[("foo", "1")], body={})
        assert refused.value.violations[0].description == (
            "unknown query parameter; the query may set: shelfId"
        )

    def test_a_method_with_every_field_bound_says_it_takes_none(self) -> None:
        with pytest.raises(InvalidArgument) as refused:
            transcode("DeleteShelf", "/v1/shelves/s1", query=[("foo", "1")])
        assert refused.value.violations[0].description == (
            "unknown query parameter; this method takes none"
        )
