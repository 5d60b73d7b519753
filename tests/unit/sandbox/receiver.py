"""A webhook receiver on port 0 that records what it is sent and can refuse the first tries."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Delivery:
    payload: str
    signature: str


@dataclass
class Receiver:
    """Deliveries as they arrive; answers 500 to the first `refuse` requests."""

    url: str = ""
    refuse: int = 0
    attempts: int = 0
    deliveries: list[Delivery] = field(default_factory=list)
    changed: threading.Condition = field(default_factory=threading.Condition)

    def record(self, delivery: Delivery) -> bool:
        with self.changed:
            self.attempts += 1
            accepted = self.attempts > self.refuse
            if accepted:
                self.deliveries.append(delivery)
            self.changed.notify_all()
            return accepted

    def wait_for(self, count: int, *, timeout_s: float = 15) -> list[Delivery]:
        """Blocks until `count` deliveries were accepted (a condition, not a sleep)."""
        with self.changed:
            if not self.changed.wait_for(lambda: len(self.deliveries) >= count, timeout_s):
                raise TimeoutError(f"{len(self.deliveries)} of {count} deliveries arrived")
            return list(self.deliveries)


@contextmanager
def receiving(*, refuse: int = 0) -> Iterator[Receiver]:
    receiver = Receiver(refuse=refuse)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"])).decode()
            accepted = receiver.record(Delivery(body, self.headers["Stripe-Signature"]))
            self.send_response(200 if accepted else 500)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:
            """Quiet: the test asserts on what arrived."""

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}/stripe/webhooks"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()
