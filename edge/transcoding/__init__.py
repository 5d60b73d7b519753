"""REST ↔ gRPC transcoding from `google.api.http` annotations: bindings, templates, messages."""
