"""A Stripe-compatible sandbox the official SDK talks to unchanged, offline, per instance."""

from sandbox.stripe.app import SandboxSettings, create_app
from sandbox.stripe.server import running_sandbox
from sandbox.stripe.webhooks import Endpoint, RetryPolicy, signature_header

__all__ = [
    "Endpoint",
    "RetryPolicy",
    "SandboxSettings",
    "create_app",
    "running_sandbox",
    "signature_header",
]
