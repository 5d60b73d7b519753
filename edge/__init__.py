"""The REST edge: REST/JSON transcoded to the mesh's gRPC services from their annotations."""
