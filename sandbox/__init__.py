"""Offline stand-ins for the third-party services the platform talks to."""
