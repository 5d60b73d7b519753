from google.api import annotations_pb2 as _annotations_pb2
from google.api import field_behavior_pb2 as _field_behavior_pb2
from meshwork.options.v1 import options_pb2 as _options_pb2
from meshwork.payments.v1 import resources_pb2 as _resources_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class CreatePaymentRequest(_message.Message):
    __slots__ = ("payment",)
    PAYMENT_FIELD_NUMBER: _ClassVar[int]
    payment: _resources_pb2.Payment
    def __init__(self, payment: _Optional[_Union[_resources_pb2.Payment, _Mapping]] = ...) -> None: ...

class CreatePaymentResponse(_message.Message):
    __slots__ = ("payment",)
    PAYMENT_FIELD_NUMBER: _ClassVar[int]
    payment: _resources_pb2.Payment
    def __init__(self, payment: _Optional[_Union[_resources_pb2.Payment, _Mapping]] = ...) -> None: ...

class GetPaymentRequest(_message.Message):
    __slots__ = ("payment_id",)
    PAYMENT_ID_FIELD_NUMBER: _ClassVar[int]
    payment_id: str
    def __init__(self, payment_id: _Optional[str] = ...) -> None: ...

class GetPaymentResponse(_message.Message):
    __slots__ = ("payment",)
    PAYMENT_FIELD_NUMBER: _ClassVar[int]
    payment: _resources_pb2.Payment
    def __init__(self, payment: _Optional[_Union[_resources_pb2.Payment, _Mapping]] = ...) -> None: ...

class ListPaymentsRequest(_message.Message):
    __slots__ = ("page_size", "page_token", "user_id", "state")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    user_id: str
    state: _resources_pb2.PaymentState
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., user_id: _Optional[str] = ..., state: _Optional[_Union[_resources_pb2.PaymentState, str]] = ...) -> None: ...

class ListPaymentsResponse(_message.Message):
    __slots__ = ("payments", "next_page_token")
    PAYMENTS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    payments: _containers.RepeatedCompositeFieldContainer[_resources_pb2.Payment]
    next_page_token: str
    def __init__(self, payments: _Optional[_Iterable[_Union[_resources_pb2.Payment, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class CancelPaymentRequest(_message.Message):
    __slots__ = ("payment_id",)
    PAYMENT_ID_FIELD_NUMBER: _ClassVar[int]
    payment_id: str
    def __init__(self, payment_id: _Optional[str] = ...) -> None: ...

class CancelPaymentResponse(_message.Message):
    __slots__ = ("payment",)
    PAYMENT_FIELD_NUMBER: _ClassVar[int]
    payment: _resources_pb2.Payment
    def __init__(self, payment: _Optional[_Union[_resources_pb2.Payment, _Mapping]] = ...) -> None: ...

class CreateRefundRequest(_message.Message):
    __slots__ = ("payment_id", "refund")
    PAYMENT_ID_FIELD_NUMBER: _ClassVar[int]
    REFUND_FIELD_NUMBER: _ClassVar[int]
    payment_id: str
    refund: _resources_pb2.Refund
    def __init__(self, payment_id: _Optional[str] = ..., refund: _Optional[_Union[_resources_pb2.Refund, _Mapping]] = ...) -> None: ...

class CreateRefundResponse(_message.Message):
    __slots__ = ("refund",)
    REFUND_FIELD_NUMBER: _ClassVar[int]
    refund: _resources_pb2.Refund
    def __init__(self, refund: _Optional[_Union[_resources_pb2.Refund, _Mapping]] = ...) -> None: ...

class GetRefundRequest(_message.Message):
    __slots__ = ("payment_id", "refund_id")
    PAYMENT_ID_FIELD_NUMBER: _ClassVar[int]
    REFUND_ID_FIELD_NUMBER: _ClassVar[int]
    payment_id: str
    refund_id: str
    def __init__(self, payment_id: _Optional[str] = ..., refund_id: _Optional[str] = ...) -> None: ...

class GetRefundResponse(_message.Message):
    __slots__ = ("refund",)
    REFUND_FIELD_NUMBER: _ClassVar[int]
    refund: _resources_pb2.Refund
    def __init__(self, refund: _Optional[_Union[_resources_pb2.Refund, _Mapping]] = ...) -> None: ...

class ListRefundsRequest(_message.Message):
    __slots__ = ("payment_id", "page_size", "page_token", "state")
    PAYMENT_ID_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    payment_id: str
    page_size: int
    page_token: str
    state: _resources_pb2.RefundState
    def __init__(self, payment_id: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., state: _Optional[_Union[_resources_pb2.RefundState, str]] = ...) -> None: ...

class ListRefundsResponse(_message.Message):
    __slots__ = ("refunds", "next_page_token")
    REFUNDS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    refunds: _containers.RepeatedCompositeFieldContainer[_resources_pb2.Refund]
    next_page_token: str
    def __init__(self, refunds: _Optional[_Iterable[_Union[_resources_pb2.Refund, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class GetCustomerRequest(_message.Message):
    __slots__ = ("user_id",)
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    user_id: str
    def __init__(self, user_id: _Optional[str] = ...) -> None: ...

class GetCustomerResponse(_message.Message):
    __slots__ = ("customer",)
    CUSTOMER_FIELD_NUMBER: _ClassVar[int]
    customer: _resources_pb2.Customer
    def __init__(self, customer: _Optional[_Union[_resources_pb2.Customer, _Mapping]] = ...) -> None: ...

class HandleStripeWebhookRequest(_message.Message):
    __slots__ = ("payload", "signature")
    PAYLOAD_FIELD_NUMBER: _ClassVar[int]
    SIGNATURE_FIELD_NUMBER: _ClassVar[int]
    payload: bytes
    signature: str
    def __init__(self, payload: _Optional[bytes] = ..., signature: _Optional[str] = ...) -> None: ...

class HandleStripeWebhookResponse(_message.Message):
    __slots__ = ("receipt", "duplicate")
    RECEIPT_FIELD_NUMBER: _ClassVar[int]
    DUPLICATE_FIELD_NUMBER: _ClassVar[int]
    receipt: _resources_pb2.WebhookReceipt
    duplicate: bool
    def __init__(self, receipt: _Optional[_Union[_resources_pb2.WebhookReceipt, _Mapping]] = ..., duplicate: _Optional[bool] = ...) -> None: ...

class ListWebhookReceiptsRequest(_message.Message):
    __slots__ = ("page_size", "page_token", "state", "event_type", "payment_id")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    EVENT_TYPE_FIELD_NUMBER: _ClassVar[int]
    PAYMENT_ID_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    state: _resources_pb2.WebhookReceiptState
    event_type: str
    payment_id: str
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., state: _Optional[_Union[_resources_pb2.WebhookReceiptState, str]] = ..., event_type: _Optional[str] = ..., payment_id: _Optional[str] = ...) -> None: ...

class ListWebhookReceiptsResponse(_message.Message):
    __slots__ = ("webhook_receipts", "next_page_token")
    WEBHOOK_RECEIPTS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    webhook_receipts: _containers.RepeatedCompositeFieldContainer[_resources_pb2.WebhookReceipt]
    next_page_token: str
    def __init__(self, webhook_receipts: _Optional[_Iterable[_Union[_resources_pb2.WebhookReceipt, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class GetWebhookReceiptRequest(_message.Message):
    __slots__ = ("webhook_receipt_id",)
    WEBHOOK_RECEIPT_ID_FIELD_NUMBER: _ClassVar[int]
    webhook_receipt_id: str
    def __init__(self, webhook_receipt_id: _Optional[str] = ...) -> None: ...

class GetWebhookReceiptResponse(_message.Message):
    __slots__ = ("webhook_receipt",)
    WEBHOOK_RECEIPT_FIELD_NUMBER: _ClassVar[int]
    webhook_receipt: _resources_pb2.WebhookReceipt
    def __init__(self, webhook_receipt: _Optional[_Union[_resources_pb2.WebhookReceipt, _Mapping]] = ...) -> None: ...

class PurgeExpiredIdempotencyRecordsRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class PurgeExpiredIdempotencyRecordsResponse(_message.Message):
    __slots__ = ("purged_record_count",)
    PURGED_RECORD_COUNT_FIELD_NUMBER: _ClassVar[int]
    purged_record_count: int
    def __init__(self, purged_record_count: _Optional[int] = ...) -> None: ...

class ReconcilePaymentsRequest(_message.Message):
    __slots__ = ("lookback_seconds",)
    LOOKBACK_SECONDS_FIELD_NUMBER: _ClassVar[int]
    lookback_seconds: int
    def __init__(self, lookback_seconds: _Optional[int] = ...) -> None: ...

class ReconcilePaymentsResponse(_message.Message):
    __slots__ = ("checked_payment_count", "recovered_payment_count", "repaired_payment_count", "checked_event_count", "applied_event_count")
    CHECKED_PAYMENT_COUNT_FIELD_NUMBER: _ClassVar[int]
    RECOVERED_PAYMENT_COUNT_FIELD_NUMBER: _ClassVar[int]
    REPAIRED_PAYMENT_COUNT_FIELD_NUMBER: _ClassVar[int]
    CHECKED_EVENT_COUNT_FIELD_NUMBER: _ClassVar[int]
    APPLIED_EVENT_COUNT_FIELD_NUMBER: _ClassVar[int]
    checked_payment_count: int
    recovered_payment_count: int
    repaired_payment_count: int
    checked_event_count: int
    applied_event_count: int
    def __init__(self, checked_payment_count: _Optional[int] = ..., recovered_payment_count: _Optional[int] = ..., repaired_payment_count: _Optional[int] = ..., checked_event_count: _Optional[int] = ..., applied_event_count: _Optional[int] = ...) -> None: ...
