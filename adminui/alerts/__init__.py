"""Alerts: opened and resolved from what each key-health sweep saw, and sent to people."""
