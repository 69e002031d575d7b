"""A faithful fake of PostHog's REST API for the portal's demo mode and tests (see server.py)."""
