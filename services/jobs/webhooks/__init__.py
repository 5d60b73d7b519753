"""Outgoing webhooks: endpoints, their use cases, storage, validation and delivery."""
