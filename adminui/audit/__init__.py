"""The audit log of every write the portal sends to PostHog: /audit/."""
