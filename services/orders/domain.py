"""Products, orders and the checkout saga's state machine: the orders service's rules, no I/O.

The checkout of an order is a saga the orders service runs itself; its state is the order's
`step`. Forward: RESERVE_STOCK → CREATE_PAYMENT (→ AWAIT_PAYMENT while the payment is open)
→ CONFIRM → DONE (CONFIRMED). Backward, from wherever it failed: CANCEL_PAYMENT (an open
payment) or REFUND_PAYMENT (a taken one) → RELEASE_STOCK → DONE (CANCELLED).

Every transition is guarded by the step it leaves: an outcome that arrives twice (an event
redelivered, a step retried after a crash) finds the order moved on and changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from mesh.actor import Actor
from services.orders.errors import order_not_cancellable, order_not_found

DISPLAY_NAME_MAX = 100
MAX_LINES = 20
MAX_QUANTITY = 100
MAX_UNIT_PRICE = 99_999_999


class OrderState(StrEnum):
    PENDING = "PENDING"
    CONFIRMED = "CONFIRMED"
    CANCELLED = "CANCELLED"


class Step(StrEnum):
    RESERVE_STOCK = "RESERVE_STOCK"
    CREATE_PAYMENT = "CREATE_PAYMENT"
    AWAIT_PAYMENT = "AWAIT_PAYMENT"
    CONFIRM = "CONFIRM"
    CANCEL_PAYMENT = "CANCEL_PAYMENT"
    REFUND_PAYMENT = "REFUND_PAYMENT"
    RELEASE_STOCK = "RELEASE_STOCK"
    DONE = "DONE"


#: Steps done in the orders database alone, in one transaction each.
LOCAL_STEPS = frozenset({Step.RESERVE_STOCK, Step.CONFIRM, Step.RELEASE_STOCK})
#: Steps at which a payment's outcome moves the saga on.
PAYMENT_STEPS = frozenset({Step.CREATE_PAYMENT, Step.AWAIT_PAYMENT, Step.CANCEL_PAYMENT})


class CancelReason(StrEnum):
    OUT_OF_STOCK = "OUT_OF_STOCK"
    PAYMENT_DECLINED = "PAYMENT_DECLINED"
    PAYMENT_REJECTED = "PAYMENT_REJECTED"
    PAYMENT_TIMED_OUT = "PAYMENT_TIMED_OUT"
    PAYMENT_CANCELLED = "PAYMENT_CANCELLED"
    CANCELLED_BY_USER = "CANCELLED_BY_USER"


class PaymentStatus(StrEnum):
    """A payment as the checkout sees it: still open, or one of its final states."""

    OPEN = "OPEN"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"
    CANCELLED = "CANCELLED"


@dataclass(frozen=True, slots=True)
class PaymentOutcome:
    """What the payments service says of the order's payment."""

    payment_id: str
    status: PaymentStatus
    amount: int = 0
    currency_code: str = ""
    failure_message: str = ""


@dataclass(slots=True)
class Product:
    """An item of the catalogue, priced per unit in minor units, with its free stock."""

    id: str
    display_name: str
    unit_price: int
    currency_code: str
    stock: int
    create_time: datetime
    update_time: datetime


@dataclass(frozen=True, slots=True)
class Line:
    """One product of an order, at the price it had when the order was placed."""

    product_id: str
    quantity: int
    display_name: str = ""
    unit_price: int = 0

    @property
    def total(self) -> int:
        return self.unit_price * self.quantity


@dataclass(frozen=True, slots=True)
class Timeouts:
    """How long the checkout waits: on an open payment, and on a step before retrying it."""

    payment: timedelta
    step: timedelta


@dataclass(slots=True)
class Order:
    """An order of one user and the state of its checkout saga: the aggregate every use
    case loads, changes and saves."""

    id: str
    owner_id: str
    lines: tuple[Line, ...]
    currency_code: str
    payment_method_id: str
    create_time: datetime
    update_time: datetime
    state: OrderState = OrderState.PENDING
    step: Step = Step.RESERVE_STOCK
    #: When the saga is next looked at: now for a step to run, the payment's deadline while
    #: waiting on it, the end of a claim while a step runs; None once DONE.
    due_time: datetime | None = None
    #: How many times the current step was started (a claim counts one).
    step_attempts: int = 0
    stock_reserved: bool = False
    cancel_requested: bool = False
    cancel_reason: str = ""
    cancel_message: str = ""
    payment_id: str = ""
    #: Events to publish for the transitions made since loading (taken by the handler).
    settled: list[OrderState] = field(default_factory=list)

    @classmethod
    def place(
        cls,
        order_id: str,
        owner_id: str,
        lines: tuple[Line, ...],
        *,
        currency_code: str,
        payment_method_id: str,
        now: datetime,
    ) -> Order:
        return cls(
            order_id, owner_id, lines, currency_code, payment_method_id, now, now, due_time=now
        )

    @property
    def total_amount(self) -> int:
        return sum(line.total for line in self.lines)

    @property
    def payment_key(self) -> str:
        """The idempotency key of the order's one payment: every retry names the same."""
        return f"order-{self.id}-payment"

    @property
    def refund_key(self) -> str:
        return f"order-{self.id}-refund"

    # ---- the saga's transitions

    def _goto(self, step: Step, now: datetime, *, due: datetime | None = None) -> None:
        self.step, self.step_attempts, self.update_time = step, 0, now
        self.due_time = due or now

    def _compensate(self, step: Step, reason: CancelReason, message: str, now: datetime) -> None:
        if not self.cancel_reason:  # the first cause is the one the buyer is told
            self.cancel_reason, self.cancel_message = reason.value, message
        self._goto(step, now)

    def _finish(self, state: OrderState, now: datetime) -> None:
        self.state, self.step, self.step_attempts = state, Step.DONE, 0
        self.update_time, self.due_time = now, None
        self.settled.append(state)

    def claim(self, now: datetime, timeouts: Timeouts) -> None:
        """A runner starts the current step: nobody else runs it until the claim expires (a
        crashed runner's step is retried then), later attempts waiting longer."""
        self.step_attempts += 1
        self.due_time = now + timeouts.step * min(2 ** (self.step_attempts - 1), 32)

    def stock_reserved_now(self, now: datetime) -> bool:
        if self.step != Step.RESERVE_STOCK:
            return False
        self.stock_reserved = True
        if self.cancel_requested:
            self._goto(Step.RELEASE_STOCK, now)
        else:
            self._goto(Step.CREATE_PAYMENT, now)
        return True

    def out_of_stock(self, names: list[str], now: datetime) -> bool:
        if self.step != Step.RESERVE_STOCK:
            return False
        self.cancel_reason = CancelReason.OUT_OF_STOCK.value
        self.cancel_message = f"not enough in stock: {', '.join(names)}"
        self._finish(OrderState.CANCELLED, now)
        return True

    def payment_outcome(self, outcome: PaymentOutcome, now: datetime, timeouts: Timeouts) -> bool:
        """Moves on by what became of the payment; False when the saga is past payment."""
        if self.step not in PAYMENT_STEPS:
            return False
        self.payment_id = outcome.payment_id
        if outcome.status == PaymentStatus.SUCCEEDED:
            taken = (outcome.amount, outcome.currency_code)
            if self.step == Step.CANCEL_PAYMENT or self.cancel_requested:
                self._goto(Step.REFUND_PAYMENT, now)
            elif taken != (self.total_amount, self.currency_code):
                self._compensate(
                    Step.REFUND_PAYMENT,
                    CancelReason.PAYMENT_REJECTED,
                    f"the payment took {taken[0]} {taken[1]}, the order costs "
                    f"{self.total_amount} {self.currency_code}",
                    now,
                )
            else:
                self._goto(Step.CONFIRM, now)
        elif outcome.status == PaymentStatus.FAILED:
            self._compensate(
                Step.RELEASE_STOCK, CancelReason.PAYMENT_DECLINED, outcome.failure_message, now
            )
        elif outcome.status == PaymentStatus.CANCELLED:
            self._compensate(
                Step.RELEASE_STOCK, CancelReason.PAYMENT_CANCELLED, "the payment was cancelled", now
            )
        elif self.step == Step.CREATE_PAYMENT:  # open: wait for it, up to the deadline
            if self.cancel_requested:
                self._goto(Step.CANCEL_PAYMENT, now)
            else:
                self._goto(Step.AWAIT_PAYMENT, now, due=now + timeouts.payment)
        return True

    def payment_refused(self, message: str, now: datetime) -> bool:
        """The payments service refused to create the payment (nothing was charged)."""
        if self.step != Step.CREATE_PAYMENT:
            return False
        self._compensate(Step.RELEASE_STOCK, CancelReason.PAYMENT_REJECTED, message, now)
        return True

    def payment_overdue(self, now: datetime) -> bool:
        """The payment stayed open past its deadline: cancel it and undo the order."""
        if self.step != Step.AWAIT_PAYMENT:
            return False
        self._compensate(
            Step.CANCEL_PAYMENT,
            CancelReason.PAYMENT_TIMED_OUT,
            "the payment was not completed in time",
            now,
        )
        return True

    def confirm(self, now: datetime) -> bool:
        """Confirms the paid order, unless its buyer cancelled meanwhile: then the
        confirmation is rejected and the payment refunded."""
        if self.step != Step.CONFIRM:
            return False
        if self.cancel_requested:
            self._goto(Step.REFUND_PAYMENT, now)
        else:
            self._finish(OrderState.CONFIRMED, now)
        return True

    def refunded(self, now: datetime) -> bool:
        if self.step != Step.REFUND_PAYMENT:
            return False
        self._goto(Step.RELEASE_STOCK, now)
        return True

    def stock_released(self, now: datetime) -> bool:
        if self.step != Step.RELEASE_STOCK:
            return False
        self.stock_reserved = False
        self._finish(OrderState.CANCELLED, now)
        return True

    def request_cancel(self, now: datetime) -> None:
        """The buyer (or staff) cancels: at once when nothing is held, else by compensating
        from the current step. A CONFIRMED order cannot be cancelled."""
        if self.state == OrderState.CONFIRMED:
            raise order_not_cancellable(self.id, self.state.value)
        if self.state == OrderState.CANCELLED or self.cancel_requested:
            return
        self.cancel_requested = True
        reason, message = CancelReason.CANCELLED_BY_USER, "the order was cancelled on request"
        if self.step == Step.RESERVE_STOCK:
            self.cancel_reason, self.cancel_message = reason.value, message
            self._finish(OrderState.CANCELLED, now)
        elif self.step == Step.CREATE_PAYMENT and self.step_attempts == 0:
            self._compensate(Step.RELEASE_STOCK, reason, message, now)  # no payment asked yet
        elif self.step == Step.AWAIT_PAYMENT:
            self._compensate(Step.CANCEL_PAYMENT, reason, message, now)
        elif self.step == Step.CONFIRM:
            self._compensate(Step.REFUND_PAYMENT, reason, message, now)
        else:  # a payment call is in flight, or compensation under way: it sees the request
            self.cancel_reason = self.cancel_reason or reason.value
            self.cancel_message = self.cancel_message or message
            self.update_time = now


def visible(order: Order | None, actor: Actor, requested_id: str) -> Order:
    """The order if the actor placed it or is staff; otherwise NOT_FOUND, exactly as if it
    did not exist (so ids cannot be probed)."""
    if order is None or not actor.may_access(order.owner_id):
        raise order_not_found(requested_id)
    return order
