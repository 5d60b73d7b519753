"""Unit tests of the shared runtime, mesh."""
