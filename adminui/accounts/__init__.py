"""Signing in, and the demo accounts of `make run`."""
