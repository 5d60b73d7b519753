"""The orders service's settings: `ORDERS_*` over the shared `MESHWORK_*`."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from mesh.settings import ServiceSettings


class OrdersSettings(ServiceSettings):
    """Everything the orders service is configured with (see `ServiceSettings`)."""

    model_config = SettingsConfigDict(env_prefix="ORDERS_", extra="ignore")

    service: ClassVar[str] = "orders"

    #: How long a checkout waits on a payment that stays open (say, a 3-D Secure step the
    #: buyer never completes) before cancelling it and releasing the stock.
    payment_timeout_s: float = Field(default=900.0, gt=0)
    #: How long a checkout step may run before another runner retries it (a crashed or hung
    #: attempt); later attempts of the same step wait twice as long each, up to 32 times.
    step_timeout_s: float = Field(default=30.0, gt=0)
    #: How often the runner looks for checkouts due (new ones wake it at once).
    sweep_interval_s: float = Field(default=1.0, gt=0)
    #: Checkout steps run at the same time by one process.
    concurrency: int = Field(default=8, ge=1, le=64)
    #: Fault injection for recovery tests: the process kills itself (SIGKILL) right after the
    #: first attempt of this checkout step took effect (its transaction committed, or the
    #: payments service answered), before the saga goes on. A step name such as
    #: "CREATE_PAYMENT"; empty (the default) in production.
    crash_after_step: str = ""
