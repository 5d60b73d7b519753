"""Events over NATS JetStream: outbox relay, streams, durable consumers, inbox, dead letters.

Import from the submodules (``mesh.events.outbox``, ``mesh.events.consumer``, ...). The
dependency goes one way: events build on ``mesh.db`` (its unit of work and tables), and
``mesh.db`` knows nothing of events (a unit of work is given `envelope_for` to wrap them).
"""
