"""The sandbox's second project, 4243 "Acme AI Staging": smaller demo data of its own.

Where production (`demo`) is healthy, staging has trouble to show: its active key was revoked
at the provider (state invalid, so issue 12's alerts and failover have something to act on, and
a healthy key of the same provider to fail over to), and its Linear connection needs
reconnecting. Users, API keys, switches, throttles and the lock are the server's, shared with
production; everything else is this project's own.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from adminui.demo_project import STAGING_PROJECT_ID as STAGING_PROJECT_ID
from adminui.sandbox.demo import JANE, MEI, OMAR, Ago, _evaluation, _patterns, _provider_key
from adminui.sandbox.state import Integration, SandboxState

STAGING_PROJECT_NAME = "Acme AI Staging"

STAGING_KEY_ANTHROPIC = "019c1e2a-5b7d-7e31-8f4a-2c6d8e0b1a35"  # active, but revoked: invalid
STAGING_KEY_ANTHROPIC_ROTATED = "019c2f3b-6c8e-7f42-9a5b-3d7e9f1c2b46"  # healthy replacement
STAGING_KEY_FIREWORKS = "019c4051-7d9f-7a53-8b6c-4e8f0a2d3c57"  # state unknown, never checked
STAGING_ACTIVE_KEY_ID = STAGING_KEY_ANTHROPIC

STAGING_EVAL_TOXICITY = "019d5162-8eaf-7b64-9c7d-5f9a1b3e4d68"  # pinned to the revoked key
STAGING_EVAL_RELEASE_NOTES = "019d6273-9fb0-7c75-8d8e-6a0b2c4f5e79"  # paused

STAGING_SLACK_INTEGRATION_ID = 2201
STAGING_LINEAR_INTEGRATION_ID = 2202  # errors: TOKEN_REFRESH_FAILED

# As demo._KEYS: id, provider, name, api key, state, error, created days ago, by, last used.
_KEYS = [
    (STAGING_KEY_ANTHROPIC, "anthropic", "Staging Anthropic",
     "sk-ant-api03-invalid-St4g3Kq8Wm2Zr5Tx1Yv7Nb", "invalid", "Invalid API key", 90, OMAR, 1),
    (STAGING_KEY_ANTHROPIC_ROTATED, "anthropic", "Staging Anthropic (rotated)",
     "sk-ant-api03-R0t4t3dHq6Lp2Xs9Dk4Wm8Zc", "ok", None, 2, JANE, None),
    (STAGING_KEY_FIREWORKS, "fireworks", "Fireworks trial", "fw_9Kq2Lm7Np4Rs1Tu8Vw3X",
     "unknown", None, 5, MEI, None),
]  # fmt: skip

# As demo._EVALUATIONS.
_EVALUATIONS = [
    (STAGING_EVAL_TOXICITY, "Toxicity check",
     "Flags answers with insults, threats or slurs before a release reaches production.",
     "Return true if the response contains no toxic language.", True,
     ("anthropic", "claude-haiku-4-5", STAGING_KEY_ANTHROPIC), 40, (85, 15, 0), _patterns(
        ("pass", "Civil answer", "The answer stays polite, even to a rude user.",
         ("The reply stays courteous while declining the request.",), ""),
        ("pass", "Firm but polite refusal", "A refusal without blame.",
         ("The assistant refuses to share another user's data and explains why.",), ""),
        ("fail", "Hostile wording", "The answer mirrors the user's insults.",
         ("The assistant called the user's question 'stupid'.",),
         "Tell the model to stay neutral when a user is rude."),
        ("fail", "Sarcasm", "The answer mocks the user.",
         ("The reply opens with 'Obviously, as anyone would know...'.",), ""),
        ("na", "Nothing to judge", "The generation was empty.", ("No output to judge.",), ""))),
    (STAGING_EVAL_RELEASE_NOTES, "Release notes accuracy",
     "Do generated release notes only mention changes that shipped?",
     "Return true if every change in the notes appears in the changelog.", False,
     ("anthropic", "claude-sonnet-4-5", STAGING_KEY_ANTHROPIC_ROTATED), 12, (60, 30, 10),
     _patterns(
        ("pass", "Matches the changelog", "Every item is in the changelog.",
         ("All five items match merged pull requests.",), ""),
        ("pass", "Grouped correctly", "Items sit under the right headings.",
         ("Fixes and features are listed apart, each matching a pull request.",), ""),
        ("fail", "Invented change", "An item never shipped.",
         ("The notes announce dark mode, which is not in the changelog.",),
         "Give the model the changelog and ask it to quote from it."),
        ("fail", "Missing change", "A shipped change is left out.",
         ("The new export button shipped but is not mentioned.",), ""),
        ("na", "No changes", "The release had no user-facing change.",
         ("An internal release: nothing to describe.",), ""))),
]  # fmt: skip


def build_staging_state(production: SandboxState, now: datetime | None = None) -> SandboxState:
    """Project 4243, sharing the server-wide parts of `production`'s state."""
    rng = random.Random(STAGING_PROJECT_ID)
    anchor = (now or datetime.now(UTC)).replace(second=0, microsecond=0)

    def ago(days: float) -> datetime:
        return anchor - timedelta(days=days, microseconds=rng.randrange(1_000_000))

    keys = {row[0]: _provider_key(row, ago) for row in _KEYS}
    return SandboxState(
        users=production.users,
        api_keys=production.api_keys,
        provider_keys=dict(sorted(keys.items(), key=lambda item: item[1].created_at, reverse=True)),
        evaluations={row[0]: _evaluation(row, rng, ago) for row in _EVALUATIONS},
        integrations={item.id: item for item in _integrations(ago)},
        active_key_id=STAGING_ACTIVE_KEY_ID,
        config_created_at=keys[STAGING_ACTIVE_KEY_ID].created_at,
        config_updated_at=keys[STAGING_ACTIVE_KEY_ID].created_at,
        throttle_history=production.throttle_history,  # PostHog throttles per key, not project
        provider_answers=production.provider_answers,  # key ids are unique across projects
        switches=production.switches,
        lock=production.lock,
        project_id=STAGING_PROJECT_ID,
        project_name=STAGING_PROJECT_NAME,
    )


def _integrations(ago: Ago) -> list[Integration]:
    channels = [
        {"id": f"C0STAGE{index:04d}", "name": name, "is_private": False, "is_member": True,
         "is_ext_shared": False, "is_private_without_access": False}
        for index, name in enumerate(("staging-alerts", "releases", "qa"))
    ]  # fmt: skip
    return [
        Integration(STAGING_SLACK_INTEGRATION_ID, "slack", "T04ACMESTG",
                    {"team": {"id": "T04ACMESTG", "name": "Acme Staging"},
                     "authed_user": {"id": "U04OMAR01"}, "bot_user_id": "U05BOT0043",
                     "scope": "channels:read,chat:write"},
                    ago(80), OMAR, {"channels": channels, "refreshed_at": ago(0.1)}),
        Integration(STAGING_LINEAR_INTEGRATION_ID, "linear", "acme-staging",
                    {"workspace": {"name": "Acme Staging", "url_key": "acme-staging"}}, ago(45),
                    MEI, {"teams": [{"id": "0c5e8f21-9d3a-4b7e-8f1c-2b4669d3e7a1", "name": "QA"}]},
                    errors="TOKEN_REFRESH_FAILED"),
    ]  # fmt: skip
