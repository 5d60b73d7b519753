import datetime

from google.api import annotations_pb2 as _annotations_pb2
from google.api import field_behavior_pb2 as _field_behavior_pb2
from google.protobuf import duration_pb2 as _duration_pb2
from google.protobuf import field_mask_pb2 as _field_mask_pb2
from google.protobuf import struct_pb2 as _struct_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf import wrappers_pb2 as _wrappers_pb2
from meshwork.options.v1 import options_pb2 as _options_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Genre(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    GENRE_UNSPECIFIED: _ClassVar[Genre]
    GENRE_FICTION: _ClassVar[Genre]
    GENRE_NON_FICTION: _ClassVar[Genre]
    GENRE_POETRY: _ClassVar[Genre]
GENRE_UNSPECIFIED: Genre
GENRE_FICTION: Genre
GENRE_NON_FICTION: Genre
GENRE_POETRY: Genre

class Shelf(_message.Message):
    __slots__ = ("id", "title", "tags", "capacity", "location", "labels", "genre", "create_time", "photo", "counts")
    class LabelsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    class CountsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: int
        def __init__(self, key: _Optional[str] = ..., value: _Optional[int] = ...) -> None: ...
    ID_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    CAPACITY_FIELD_NUMBER: _ClassVar[int]
    LOCATION_FIELD_NUMBER: _ClassVar[int]
    LABELS_FIELD_NUMBER: _ClassVar[int]
    GENRE_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    PHOTO_FIELD_NUMBER: _ClassVar[int]
    COUNTS_FIELD_NUMBER: _ClassVar[int]
    id: str
    title: str
    tags: _containers.RepeatedScalarFieldContainer[str]
    capacity: int
    location: Location
    labels: _containers.ScalarMap[str, str]
    genre: Genre
    create_time: _timestamp_pb2.Timestamp
    photo: bytes
    counts: _containers.ScalarMap[str, int]
    def __init__(self, id: _Optional[str] = ..., title: _Optional[str] = ..., tags: _Optional[_Iterable[str]] = ..., capacity: _Optional[int] = ..., location: _Optional[_Union[Location, _Mapping]] = ..., labels: _Optional[_Mapping[str, str]] = ..., genre: _Optional[_Union[Genre, str]] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., photo: _Optional[bytes] = ..., counts: _Optional[_Mapping[str, int]] = ...) -> None: ...

class Location(_message.Message):
    __slots__ = ("floor", "room")
    FLOOR_FIELD_NUMBER: _ClassVar[int]
    ROOM_FIELD_NUMBER: _ClassVar[int]
    floor: int
    room: str
    def __init__(self, floor: _Optional[int] = ..., room: _Optional[str] = ...) -> None: ...

class Book(_message.Message):
    __slots__ = ("name", "title", "page_count", "rating")
    NAME_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    PAGE_COUNT_FIELD_NUMBER: _ClassVar[int]
    RATING_FIELD_NUMBER: _ClassVar[int]
    name: str
    title: str
    page_count: int
    rating: float
    def __init__(self, name: _Optional[str] = ..., title: _Optional[str] = ..., page_count: _Optional[int] = ..., rating: _Optional[float] = ...) -> None: ...

class GetShelfRequest(_message.Message):
    __slots__ = ("shelf_id", "read_mask")
    SHELF_ID_FIELD_NUMBER: _ClassVar[int]
    READ_MASK_FIELD_NUMBER: _ClassVar[int]
    shelf_id: str
    read_mask: _field_mask_pb2.FieldMask
    def __init__(self, shelf_id: _Optional[str] = ..., read_mask: _Optional[_Union[_field_mask_pb2.FieldMask, _Mapping]] = ...) -> None: ...

class GetShelfResponse(_message.Message):
    __slots__ = ("shelf",)
    SHELF_FIELD_NUMBER: _ClassVar[int]
    shelf: Shelf
    def __init__(self, shelf: _Optional[_Union[Shelf, _Mapping]] = ...) -> None: ...

class CreateShelfRequest(_message.Message):
    __slots__ = ("shelf_id", "shelf")
    SHELF_ID_FIELD_NUMBER: _ClassVar[int]
    SHELF_FIELD_NUMBER: _ClassVar[int]
    shelf_id: str
    shelf: Shelf
    def __init__(self, shelf_id: _Optional[str] = ..., shelf: _Optional[_Union[Shelf, _Mapping]] = ...) -> None: ...

class CreateShelfResponse(_message.Message):
    __slots__ = ("shelf",)
    SHELF_FIELD_NUMBER: _ClassVar[int]
    shelf: Shelf
    def __init__(self, shelf: _Optional[_Union[Shelf, _Mapping]] = ...) -> None: ...

class UpdateShelfRequest(_message.Message):
    __slots__ = ("shelf", "update_mask")
    SHELF_FIELD_NUMBER: _ClassVar[int]
    UPDATE_MASK_FIELD_NUMBER: _ClassVar[int]
    shelf: Shelf
    update_mask: _field_mask_pb2.FieldMask
    def __init__(self, shelf: _Optional[_Union[Shelf, _Mapping]] = ..., update_mask: _Optional[_Union[_field_mask_pb2.FieldMask, _Mapping]] = ...) -> None: ...

class UpdateShelfResponse(_message.Message):
    __slots__ = ("shelf",)
    SHELF_FIELD_NUMBER: _ClassVar[int]
    shelf: Shelf
    def __init__(self, shelf: _Optional[_Union[Shelf, _Mapping]] = ...) -> None: ...

class ArchiveShelfRequest(_message.Message):
    __slots__ = ("shelf_id", "reason", "until_time", "for_duration", "details", "book_ids", "destination")
    SHELF_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    UNTIL_TIME_FIELD_NUMBER: _ClassVar[int]
    FOR_DURATION_FIELD_NUMBER: _ClassVar[int]
    DETAILS_FIELD_NUMBER: _ClassVar[int]
    BOOK_IDS_FIELD_NUMBER: _ClassVar[int]
    DESTINATION_FIELD_NUMBER: _ClassVar[int]
    shelf_id: str
    reason: str
    until_time: _timestamp_pb2.Timestamp
    for_duration: _duration_pb2.Duration
    details: _struct_pb2.Struct
    book_ids: _containers.RepeatedScalarFieldContainer[int]
    destination: Location
    def __init__(self, shelf_id: _Optional[str] = ..., reason: _Optional[str] = ..., until_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., for_duration: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., details: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ..., book_ids: _Optional[_Iterable[int]] = ..., destination: _Optional[_Union[Location, _Mapping]] = ...) -> None: ...

class ArchiveShelfResponse(_message.Message):
    __slots__ = ("shelf", "previous_duration")
    SHELF_FIELD_NUMBER: _ClassVar[int]
    PREVIOUS_DURATION_FIELD_NUMBER: _ClassVar[int]
    shelf: Shelf
    previous_duration: _duration_pb2.Duration
    def __init__(self, shelf: _Optional[_Union[Shelf, _Mapping]] = ..., previous_duration: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ...) -> None: ...

class GetBookRequest(_message.Message):
    __slots__ = ("name",)
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

class GetBookResponse(_message.Message):
    __slots__ = ("book",)
    BOOK_FIELD_NUMBER: _ClassVar[int]
    book: Book
    def __init__(self, book: _Optional[_Union[Book, _Mapping]] = ...) -> None: ...

class SearchBooksRequest(_message.Message):
    __slots__ = ("filter", "tags", "genres", "min_words", "show_withdrawn", "min_rating", "page_size")
    FILTER_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    GENRES_FIELD_NUMBER: _ClassVar[int]
    MIN_WORDS_FIELD_NUMBER: _ClassVar[int]
    SHOW_WITHDRAWN_FIELD_NUMBER: _ClassVar[int]
    MIN_RATING_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    filter: BookFilter
    tags: _containers.RepeatedScalarFieldContainer[str]
    genres: _containers.RepeatedScalarFieldContainer[Genre]
    min_words: int
    show_withdrawn: bool
    min_rating: _wrappers_pb2.DoubleValue
    page_size: int
    def __init__(self, filter: _Optional[_Union[BookFilter, _Mapping]] = ..., tags: _Optional[_Iterable[str]] = ..., genres: _Optional[_Iterable[_Union[Genre, str]]] = ..., min_words: _Optional[int] = ..., show_withdrawn: _Optional[bool] = ..., min_rating: _Optional[_Union[_wrappers_pb2.DoubleValue, _Mapping]] = ..., page_size: _Optional[int] = ...) -> None: ...

class BookFilter(_message.Message):
    __slots__ = ("author", "published_after", "max_age", "location")
    AUTHOR_FIELD_NUMBER: _ClassVar[int]
    PUBLISHED_AFTER_FIELD_NUMBER: _ClassVar[int]
    MAX_AGE_FIELD_NUMBER: _ClassVar[int]
    LOCATION_FIELD_NUMBER: _ClassVar[int]
    author: str
    published_after: _timestamp_pb2.Timestamp
    max_age: _duration_pb2.Duration
    location: Location
    def __init__(self, author: _Optional[str] = ..., published_after: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., max_age: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., location: _Optional[_Union[Location, _Mapping]] = ...) -> None: ...

class SearchBooksResponse(_message.Message):
    __slots__ = ("books", "total_size")
    BOOKS_FIELD_NUMBER: _ClassVar[int]
    TOTAL_SIZE_FIELD_NUMBER: _ClassVar[int]
    books: _containers.RepeatedCompositeFieldContainer[Book]
    total_size: int
    def __init__(self, books: _Optional[_Iterable[_Union[Book, _Mapping]]] = ..., total_size: _Optional[int] = ...) -> None: ...

class ListShelfTagsRequest(_message.Message):
    __slots__ = ("shelf_id",)
    SHELF_ID_FIELD_NUMBER: _ClassVar[int]
    shelf_id: str
    def __init__(self, shelf_id: _Optional[str] = ...) -> None: ...

class ListShelfTagsResponse(_message.Message):
    __slots__ = ("tags", "etag")
    TAGS_FIELD_NUMBER: _ClassVar[int]
    ETAG_FIELD_NUMBER: _ClassVar[int]
    tags: _containers.RepeatedScalarFieldContainer[str]
    etag: str
    def __init__(self, tags: _Optional[_Iterable[str]] = ..., etag: _Optional[str] = ...) -> None: ...

class DeleteShelfRequest(_message.Message):
    __slots__ = ("shelf_id",)
    SHELF_ID_FIELD_NUMBER: _ClassVar[int]
    shelf_id: str
    def __init__(self, shelf_id: _Optional[str] = ...) -> None: ...

class DeleteShelfResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class PurgeShelvesRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class PurgeShelvesResponse(_message.Message):
    __slots__ = ("purged_count",)
    PURGED_COUNT_FIELD_NUMBER: _ClassVar[int]
    purged_count: int
    def __init__(self, purged_count: _Optional[int] = ...) -> None: ...
