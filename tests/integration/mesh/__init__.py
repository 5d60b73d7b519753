"""Integration tests of the shared runtime, mesh: real NATS, databases and gRPC servers."""
