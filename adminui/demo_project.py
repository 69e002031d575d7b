"""The demo PostHog project the portal uses when no PostHog is configured.

Plain constants, so the settings need nothing from the sandbox: the sandbox serves this project
(it imports these values from here), and the portal itself never imports the sandbox.
The personal API key is a demo value for a local fake, not a secret.
"""

from __future__ import annotations

DEMO_PROJECT_ID = 4242
# The sandbox's second project, with smaller data of its own (`make run` shows both).
STAGING_PROJECT_ID = 4243
DEMO_PERSONAL_API_KEY = "phx_sandbox_demo_personal_api_key_0000000000"
