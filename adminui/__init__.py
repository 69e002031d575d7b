"""adminui: a portal for the AI side of PostHog projects (LLM keys, evaluations, integrations)."""

__version__ = "0.1.0"
