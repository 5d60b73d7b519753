"""Unit tests of the Stripe sandbox, driven through the official stripe SDK."""
