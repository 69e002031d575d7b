"""The sandbox's fixed identity: the project id and the personal API key the portal uses by default.

These are demo values for a local fake, not secrets.
"""

DEMO_PROJECT_ID = 4242
DEMO_PERSONAL_API_KEY = "phx_sandbox_demo_personal_api_key_0000000000"
