"""Integrations and what they reach: /<environment>/integrations/."""
