"""The JetStream work queue jobs run through: stream, subjects, consumer and message format.

Stream `JOBS` (the upper-cased queue name) keeps `jobs.run.<type>` messages with work-queue
retention: a message is gone once a worker acknowledges it. Every jobs process pulls from
the one durable consumer `jobs-workers`, so each message goes to one worker at a time.
A message names a job and a dispatch number; its `Nats-Msg-Id` is `<job id>:<number>`, so
publishing it again (after a crash between publish and commit) is dropped by JetStream.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Protocol

from nats.js import JetStreamContext
from nats.js.api import (
    AckPolicy,
    ConsumerConfig,
    DeliverPolicy,
    RetentionPolicy,
    StorageType,
    StreamConfig,
)
from nats.js.errors import BadRequestError

from mesh.events.envelope import MSG_ID_HEADER
from mesh.events.streams import DEFAULT_DUPLICATE_WINDOW_S

#: JetStream's error code for "stream name already in use with a different configuration".
_STREAM_NAME_IN_USE = 10058


class MalformedJobMessageError(Exception):
    """A work-queue message that names no job: nothing can ever run it."""


@dataclass(frozen=True, slots=True)
class JobMessage:
    """Run job `job_id`, as published the `seq`-th time."""

    job_id: str
    seq: int

    @property
    def msg_id(self) -> str:
        return f"{self.job_id}:{self.seq}"

    def encode(self) -> bytes:
        return json.dumps({"job_id": self.job_id, "seq": self.seq}).encode()

    @classmethod
    def decode(cls, data: bytes) -> JobMessage:
        try:
            body = json.loads(data)
            message = cls(job_id=str(body["job_id"]), seq=int(body["seq"]))
        except (ValueError, TypeError, KeyError) as error:
            raise MalformedJobMessageError(f"not a job message: {data[:200]!r}") from error
        if not message.job_id or message.seq < 1:
            raise MalformedJobMessageError(f"not a job message: {data[:200]!r}")
        return message


@dataclass(frozen=True, slots=True)
class WorkQueue:
    """Names of the stream, subjects and consumer for queue `name` ("jobs")."""

    name: str = "jobs"

    @property
    def stream(self) -> str:
        return self.name.upper()

    @property
    def consumer(self) -> str:
        return f"{self.name}-workers"

    def subject(self, job_type: str) -> str:
        return f"{self.name}.run.{job_type}"

    async def declare(self, js: JetStreamContext, *, ack_wait_s: float) -> None:
        """Creates (or updates) the work-queue stream and the workers' durable consumer."""
        config = StreamConfig(
            name=self.stream,
            subjects=[f"{self.name}.run.>"],
            retention=RetentionPolicy.WORK_QUEUE,
            storage=StorageType.FILE,
            duplicate_window=DEFAULT_DUPLICATE_WINDOW_S,
        )
        try:
            await js.add_stream(config)
        except BadRequestError as error:
            if error.err_code != _STREAM_NAME_IN_USE:
                raise
            await js.update_stream(config)
        await js.add_consumer(
            self.stream,
            ConsumerConfig(
                name=self.consumer,
                durable_name=self.consumer,
                ack_policy=AckPolicy.EXPLICIT,
                deliver_policy=DeliverPolicy.ALL,
                ack_wait=ack_wait_s,
                max_ack_pending=10_000,
            ),
        )

    async def publish(self, js: JetStreamContext, job_type: str, message: JobMessage) -> None:
        await js.publish(
            self.subject(job_type), message.encode(), headers={MSG_ID_HEADER: message.msg_id}
        )


class Delivered(Protocol):
    """What a worker uses of a delivered JetStream message (`nats.aio.msg.Msg`)."""

    @property
    def data(self) -> bytes: ...

    @property
    def subject(self) -> str: ...

    @property
    def metadata(self) -> Any: ...

    async def ack(self) -> None: ...

    async def nak(self, delay: float | None = None) -> None: ...

    async def term(self) -> None: ...

    async def in_progress(self) -> None: ...


def redelivered(msg: Delivered) -> bool:
    return bool(msg.metadata.num_delivered > 1)
