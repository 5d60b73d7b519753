"""Transports: how a rendered message leaves the service (SMTP, an SMS API, the local mailbox)."""
