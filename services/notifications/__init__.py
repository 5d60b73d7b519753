"""The notifications service: templates, messages, delivery, preferences (notifications.v1)."""
