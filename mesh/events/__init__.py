"""Events over NATS JetStream: outbox relay, streams, durable consumers, inbox, dead letters.

Import from the submodules (``mesh.events.outbox``, ``mesh.events.consumer``, ...): this
package deliberately re-exports nothing, so that ``mesh.db`` can use ``mesh.events.envelope``
without an import cycle.
"""
