"""The payments service: payments and refunds through Stripe, its webhooks, the outbox."""
