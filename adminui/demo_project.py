"""The demo PostHog projects the portal uses when no PostHog is configured.

Plain constants, so the settings need nothing from the sandbox: the sandbox serves these
projects (it imports these values from here), and the portal itself never imports the sandbox.
The personal API key is a demo value for a local fake, not a secret.

`make run` and `make stack` point the portal at both projects with an environments file written
by `write_sandbox_environments` (``python -m adminui.demo_project DIRECTORY SANDBOX_URL``).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

DEMO_PROJECT_ID = 4242
DEMO_PERSONAL_API_KEY = "phx_sandbox_demo_personal_api_key_0000000000"
# The sandbox's second project, with smaller data of its own.
STAGING_PROJECT_ID = 4243

# slug, name, project, colour. Production keeps the slug "sandbox" that the single sandbox
# environment always had, so bookmarks and the audit log's history still point at it.
SANDBOX_ENVIRONMENTS = (
    ("sandbox", "Production", DEMO_PROJECT_ID, "red"),
    ("staging", "Staging", STAGING_PROJECT_ID, "amber"),
)


def write_sandbox_environments(directory: Path, sandbox_url: str) -> Path:
    """An environments file for the sandbox's projects in `directory`, the demo key in a file
    beside it (a key is never written in the environments file)."""
    directory.mkdir(parents=True, exist_ok=True)
    key_file = directory / "sandbox-personal-api-key"
    key_file.touch(mode=0o600)
    key_file.write_text(DEMO_PERSONAL_API_KEY + "\n")
    tables = [
        f"[[environment]]\nslug = {quoted(slug)}\nname = {quoted(name)}\n"
        f"host = {quoted(sandbox_url)}\nproject_id = {project_id}\ncolour = {quoted(colour)}\n"
        f"personal_api_key_file = {quoted(str(key_file))}\n"
        for slug, name, project_id, colour in SANDBOX_ENVIRONMENTS
    ]
    path = directory / "environments.toml"
    path.write_text("# Written by adminui for the PostHog sandbox.\n\n" + "\n".join(tables))
    return path


def quoted(text: str) -> str:
    return json.dumps(text)  # a JSON string is a TOML basic string


if __name__ == "__main__":
    print(write_sandbox_environments(Path(sys.argv[1]), sys.argv[2]))
