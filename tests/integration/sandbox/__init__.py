"""The Stripe sandbox run as its own process."""
