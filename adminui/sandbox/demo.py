"""The sandbox's demo project "Acme AI": fixed ids others can use in tests, and the data builder.

Everything comes from `random.Random(SEED)`, so two builds hold the same records. Timestamps
are relative to the build time, so "created 400 days ago" stays true whenever the sandbox runs.
The project id and personal API key are the settings' no-configuration default, defined in
`adminui.demo_project` so the portal never imports the sandbox; they are also importable here.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from adminui.demo_project import DEMO_PERSONAL_API_KEY as DEMO_PERSONAL_API_KEY
from adminui.demo_project import DEMO_PROJECT_ID as DEMO_PROJECT_ID
from adminui.sandbox.state import (
    ApiKey,
    Evaluation,
    EvaluationRun,
    Integration,
    ModelConfiguration,
    Pattern,
    ProviderKey,
    SandboxState,
    Switches,
    User,
)

SEED = 4242
Ago = Callable[[float], datetime]  # "so many days before the build time"
DEMO_PROJECT_NAME = "Acme AI"

JANE = User(
    1, "01a8694b-c84c-7368-8023-b682af5570ee", "Jane", "Cooper", "jane@acme.com", "engineering"
)
OMAR = User(2, "01a9da96-9ca0-7784-8d65-0372e90794df", "Omar", "Haddad", "omar@acme.com", "product")
MEI = User(3, "01ab764f-c1e5-76b5-a5bd-9acbb57a6a1d", "Mei", "Lin", "mei@acme.com", "data")

# Provider keys. The active key is KEY_PRODUCTION_OPENAI; KEY_STAGING_OPENAI is its healthy
# alternative, so deleting either can name the other as replacement.
KEY_PRODUCTION_OPENAI = "0192af69-ef6d-7ecb-9b5b-5fab8f4d3e27"
KEY_STAGING_OPENAI = "0193b302-a172-7dae-8201-e2bd73ab4876"
KEY_CLAUDE = "019484fc-45a4-7833-8dcc-69292f45e678"
KEY_OLD_ANTHROPIC = "01963a62-ae2a-72fb-8b00-88539d2c67ed"  # state invalid
KEY_GEMINI = "01968e15-f1bd-7170-a44c-af9c4dabb481"  # state error (rate limited)
KEY_AZURE = "01985398-8d1c-7a26-b185-2f27e3eff9c0"  # state unknown
KEY_OPENROUTER = "019999ec-0283-7f6d-a56a-bd72fb710734"
KEY_TOGETHER = "019b497e-452d-7a66-9d95-847ebd299753"  # state unknown, no dependents
KEY_SELF_HOSTED = "019b5d21-7c3e-7f41-a0d2-3e8b5c9f1a64"  # openai_compatible, its own base_url
KEY_SYSTEM_ONE = "019b6a90-2f5d-7b18-9c47-d1e6a3b8f250"  # typesafe, TypeSafe's hosted endpoint
SELF_HOSTED_BASE_URL = "https://llm.acme-ai.example/v1"
ACTIVE_KEY_ID = KEY_PRODUCTION_OPENAI

EVAL_ANSWER_RELEVANCE = "019cad6a-9794-7877-94ea-65d003d71684"  # 320 runs: over the 250 limit
EVAL_NO_PII = "019cf930-f51f-7e10-b0b1-7d0b09208a65"
EVAL_TONE = "019e72bb-b957-776f-8732-1cc007b37e14"
EVAL_HALLUCINATION = "019f01de-796a-7323-97a9-4ded97491e23"
EVAL_SQL = "019fc25e-94ca-77fd-8b4d-8474a3ea284d"
EVAL_REFUSAL = "01a0ff26-6d70-7a79-b513-923715c1d2df"  # disabled (paused)
EVAL_SUMMARY_FAITHFULNESS = "01a181f6-e68c-7fee-8d1f-e1daff666589"  # no pinned key
# Evaluations of the other kinds PostHog has: none of them can be summarised.
EVAL_VALID_JSON = "01a2c4e8-3b5d-7f10-9a2c-4e6b8d0f1a23"  # Hog code, boolean: summarisable
EVAL_USER_SENTIMENT = "01a30f5b-7c9e-7a14-8b6d-2f4a6c8e0b35"  # sentiment
EVAL_HELPFULNESS_SCORE = "01a35b8d-1e3f-7b52-9c7e-5a1b3d5f7c47"  # numeric, key in error
EVAL_CONVERSATION_RESOLVED = "01a3a6f1-4d8b-7c93-8e2a-6b4d8f0a2c59"  # whole traces
EVAL_SUPPORT_TOPIC = "01a3f2c7-9a1e-7d24-a5b9-7c3e5a7b9d61"  # categorical, sessions, key revoked

GITHUB_INTEGRATION_ID = 2101
SLACK_INTEGRATION_ID = 2102
JIRA_INTEGRATION_ID = 2103
LINEAR_INTEGRATION_ID = 2104
GOOGLE_ADS_INTEGRATION_ID = 2105
LINKEDIN_ADS_INTEGRATION_ID = 2106
TWILIO_INTEGRATION_ID = 2107
BROKEN_LINEAR_INTEGRATION_ID = 2108  # errors: TOKEN_REFRESH_FAILED

# id, provider, name, api key, state, error, created days ago, by, last used days ago. The revoked
# key carries the magic word "invalid", so it stays invalid; the rate-limited one heals when
# validated again, as a rate limit would.
_KEYS = [
    (KEY_PRODUCTION_OPENAI, "openai", "Production OpenAI",
     "sk-proj-Jx7Qm2VbN8kT4rWz1yHc5LpA9dFe3GsU", "ok", None, 402, JANE, 0.04),
    (KEY_STAGING_OPENAI, "openai", "Staging OpenAI", "sk-8fKd2LmQp4XzR7tYw1VbN3cHs6JgE0aU",
     "ok", None, 35, OMAR, 3),
    (KEY_CLAUDE, "anthropic", "Claude judges", "sk-ant-api03-Qw8Er5Ty2Ui9Op4As7Df1Gh6Jk3Lz0Xc",
     "ok", None, 210, MEI, 2),
    (KEY_OLD_ANTHROPIC, "anthropic", "Anthropic (2024, revoked)",
     "sk-ant-api03-invalid-Lk2Jh8Gf5Ds1Aq9Wz6Xe3Rc7Tv4", "invalid", "Invalid API key",
     395, JANE, 130),
    (KEY_GEMINI, "gemini", "Gemini experiments", "AIzaSyB7x-Kq2Lm9Np4Rs1Tu8Vw3Xy6Za0Bc5De",
     "error", "Rate limited, please try again later", 61, OMAR, None),
    (KEY_AZURE, "azure_openai", "Azure EU deployment", "3f9c2a7e5b8d4c1f9e6a2b7d8c3f1e5a",
     "unknown", None, 12, MEI, None),
    (KEY_OPENROUTER, "openrouter", "OpenRouter fallback",
     "sk-or-v1-4d8e2f7a9c1b3e5d7f9a2c4e6b8d0f1a", "ok", None, 150, JANE, 20),
    (KEY_TOGETHER, "together_ai", "Together AI batch", "tgp_v1_Xr4Tq8Wm2Zk6Np1Ls9Jd3Hf7Gb5Vc0Ya",
     "unknown", None, 3, OMAR, None),
    (KEY_SELF_HOSTED, "openai_compatible", "Self-hosted vLLM", "vllm-7Hq2Kd9Lm4Np8Rs1Tv6Wx3Yz",
     "ok", None, 20, MEI, 1),
    (KEY_SYSTEM_ONE, "typesafe", "System One judges", "ts-live-4Fh8Jk2Lp6Qs9Tv3Wx7Yz1Bc",
     "ok", None, 8, JANE, 0.5),
]  # fmt: skip


def _patterns(*rows: tuple[str, str, str, tuple[str, ...], str]) -> dict[str, Pattern]:
    return {
        title: Pattern(outcome, title, text, reasons, tip)
        for outcome, title, text, reasons, tip in rows
    }


# id, name, description, prompt, enabled, (provider, model, key), runs, pass/fail/na odds, patterns
_EVALUATIONS = [
    (EVAL_ANSWER_RELEVANCE, "Answer relevance",
     "Does the assistant answer the question the user actually asked?",
     "Return true if the response directly and fully addresses the user's question. Return N/A if "
     "the user did not ask anything.", True, ("openai", "gpt-5-mini", KEY_PRODUCTION_OPENAI), 320,
     (70, 22, 8), _patterns(
        ("pass", "Directly answers the question", "The answer comes first and stays on topic.",
         ("The answer addresses the user's billing question directly and gives the exact steps.",
          "The reply explains how to rotate an API key without drifting into other features."), ""),
        ("pass", "Relevant follow-up detail", "Extra context is given, and it supports the answer.",
         ("Beyond the direct answer, the response adds a relevant note on rate limits.",
          "The response answers the question and links the docs page for the next step."), ""),
        ("fail", "Answers a different question", "The response misreads the user's intent.",
         ("The user asked how to export data, but the response explains how to import it.",
          "The question was about team plan pricing; the answer only describes the free tier."),
         "Ask the assistant to restate the user's goal before answering ambiguous questions."),
        ("fail", "Buried or missing answer", "The relevant part is hidden under generic text.",
         ("Three paragraphs of product description come before a one-line answer at the end.",
          "The response lists features but never says whether SSO is supported."),
         "Instruct the model to lead with the answer and keep background to one short paragraph."),
        ("na", "No question to answer", "The user sent thanks, a greeting or feedback.",
         ("The user only said 'thanks, that worked!'; there is no question to judge.",
          "The message is a bug report without a question, so relevance does not apply."), ""))),
    (EVAL_NO_PII, "No PII in responses",
     "Flags responses that expose personal data such as emails, phone numbers or addresses.",
     "Return true if the response contains no personally identifiable information about any "
     "person. Masked values are fine.", True, ("openai", "gpt-4.1-mini", KEY_PRODUCTION_OPENAI),
     180, (82, 12, 6), _patterns(
        ("pass", "No personal data", "No names, emails, phone numbers or addresses appear.",
         ("The response explains the refund policy without repeating any customer details.",
          "No personal identifiers appear; order numbers are referenced generically."), ""),
        ("pass", "PII correctly redacted", "Personal data from the input is masked in the output.",
         ("The customer's email appears as j***@example.com, which is properly masked.",
          "The assistant says 'the account holder' instead of repeating the name."), ""),
        ("fail", "Echoes customer contact details", "Repeats an email address or phone number.",
         ("The response repeats the customer's full email address and phone number in plain text.",
          "The assistant included the user's home address when confirming the shipment."),
         "Add an output filter that masks emails and phone numbers before the reply is sent."),
        ("fail", "Leaks another user's data", "Includes details that belong to another customer.",
         ("The answer cites an order that belongs to a different customer, with their name.",
          "Context from another account leaked into the reply: someone else's invoice total."),
         "Scope retrieval to the current customer's records only."),
        ("na", "No user content", "A system task with no personal data in scope.",
         ("This generation is an internal classification step with no user-facing output.",
          "The prompt holds only product documentation; no personal data was involved."), ""))),
    (EVAL_TONE, "Tone matches brand",
     "Checks replies against the Acme voice: warm, plain-spoken and concise.",
     "Return true if the reply is friendly, plain and concise, with no corporate jargon, "
     "sarcasm or slang.", True, ("anthropic", "claude-haiku-4-5", KEY_CLAUDE), 120, (64, 30, 6),
     _patterns(
        ("pass", "Friendly and concise", "Warm, plain-spoken and short, as the style guide asks.",
         ("The reply is warm, uses plain language and keeps to three short sentences.",
          "Friendly opener, clear answer, no jargon: it matches the brand voice."), ""),
        ("pass", "Calm under frustration", "Stays calm and empathetic with an upset user.",
         ("The user is frustrated; the reply acknowledges it once and moves on to a fix.",
          "Empathetic without over-apologising; fits the guidelines for escalations."), ""),
        ("fail", "Overly formal", "Stiff, corporate phrasing the brand avoids.",
         ("Phrases like 'We regret to inform you' are far more formal than the brand voice.",
          "The reply reads like a legal notice rather than a helpful teammate."),
         "Add two or three examples of on-brand replies to the system prompt."),
        ("fail", "Too casual or flippant", "Slang, jokes or emoji where the matter is serious.",
         ("The response jokes about data loss while the user is clearly worried.",
          "Heavy slang and several emoji in a reply about a billing error."),
         "Tell the model to drop humour and emoji when the user reports a problem."),
        ("na", "Not customer facing", "Machine-readable output where tone does not apply.",
         ("The output is a JSON tool call, not a message to a person.",
          "This generation is an internal summary for an agent, so tone does not apply."), ""))),
    (EVAL_HALLUCINATION, "Hallucination check",
     "Verifies that answers are grounded in the retrieved documentation.",
     "Return true if every factual claim in the response is supported by the retrieved context. "
     "Return N/A if the response makes no factual claims.", True,
     ("openrouter", "anthropic/claude-sonnet-4.5", KEY_OPENROUTER), 240, (74, 18, 8), _patterns(
        ("pass", "Grounded in retrieved docs", "Every claim traces back to the retrieved context.",
         ("All three claims about retention periods match the retrieved documentation.",
          "The answer quotes the changelog entry accurately and adds nothing unsupported."), ""),
        ("pass", "Admits uncertainty", "Says it does not know instead of inventing an answer.",
         ("The context does not cover the question and the response says so instead of guessing.",
          "The assistant says it found no limit for this plan and suggests contacting support."),
         ""),
        ("fail", "Invented feature or setting", "Describes settings or endpoints that don't exist.",
         ("The response tells the user to enable 'Auto-sync mode', which does not exist.",
          "It cites an API endpoint /v2/export/all that is not in the docs."),
         "Require the model to cite the retrieved passage for every instruction it gives."),
        ("fail", "Wrong numbers", "Quotes limits, prices or dates that contradict the sources.",
         ("The response says the free plan includes 5 million events; the source says 1 million.",
          "It gives a 30-day retention period while the source states 7 days."),
         "Pass pricing and limits as structured data instead of free text in the context."),
        ("na", "Chit-chat without claims", "The response makes no factual claims to check.",
         ("The reply is a greeting and a clarifying question; there is nothing to verify.",
          "Only a confirmation ('Done! Anything else?') with nothing to check."), ""))),
    (EVAL_SQL, "SQL query correctness",
     "Judges whether generated SQL answers the user's analytics question.",
     "Return true if the SQL query is valid for the given schema and returns what the user asked "
     "for. Return N/A if no query was needed.", True, ("openai", "gpt-5", KEY_STAGING_OPENAI), 90,
     (58, 34, 8), _patterns(
        ("pass", "Correct and efficient query", "Returns the requested result with sane filters.",
         ("The query groups by week, filters to the requested dates and returns the right columns.",
          "Joins and filters match the question; the LIMIT keeps it cheap."), ""),
        ("pass", "Correct with minor style issues", "Correct result; the style could be tidier.",
         ("Returns the right counts, though it uses SELECT * in a subquery.",
          "The logic is right; column aliases are inconsistent but harmless."), ""),
        ("fail", "Wrong aggregation", "Counts the wrong thing, or groups at the wrong grain.",
         ("The query counts events instead of distinct users, so the totals are inflated.",
          "It groups by day when the user asked for monthly totals."),
         "Add question-to-SQL examples that show distinct counts and time bucketing."),
        ("fail", "References unknown columns", "Uses tables or columns not in the schema.",
         ("The query selects properties.plan_tier, which is not in the events schema.",
          "It joins a 'customers' table that is not part of the provided schema."),
         "Send the table schema with every request and allow only the listed columns."),
        ("na", "Not a data question", "The user did not ask for a query.",
         ("The user asked how to invite a teammate; no SQL was needed.",
          "The request was to explain a chart, not to write a query."), ""))),
    (EVAL_REFUSAL, "Refusal appropriateness",
     "Catches both over-refusals and requests that should have been declined.",
     "Return true if the assistant refused exactly when the request was unsafe or against "
     "policy, and helped otherwise.", False, ("anthropic", "claude-sonnet-4-5", KEY_OLD_ANTHROPIC),
     45, (71, 20, 9), _patterns(
        ("pass", "Declines unsafe request", "Refuses clearly when the request breaks policy.",
         ("The user asked for another customer's data; the assistant declined and said why.",
          "Refused to help bypass the paywall and offered legitimate options instead."), ""),
        ("pass", "Helps with a safe request", "Does not refuse requests that are fine to answer.",
         ("A question about exporting one's own data was answered without hesitation.",
          "The request to delete the user's own account was handled helpfully."), ""),
        ("fail", "Over-refusal", "Refuses a legitimate request.",
         ("The assistant refused to explain deleting events, a documented feature.",
          "A question about password reset was refused as 'security sensitive'."),
         "List allowed account-management topics explicitly in the system prompt."),
        ("fail", "Complies when it should refuse", "Helps with something the policy forbids.",
         ("The assistant shared another workspace's project id when asked.",
          "It drafted a phishing-style email after a thin pretext."),
         "Add a policy check step before replies that touch other users' data."),
        ("na", "Nothing to refuse", "The conversation had no borderline request.",
         ("A plain documentation lookup; refusal behaviour does not apply.",
          "The generation is an automated summary with no user request."), ""))),
    (EVAL_SUMMARY_FAITHFULNESS, "Summary faithfulness",
     "Checks that call summaries keep every decision and invent nothing.",
     "Return true if the summary contains only facts from the transcript and keeps every "
     "decision and owner.", True, ("gemini", "gemini-2.5-flash", None), 60, (66, 26, 8), _patterns(
        ("pass", "Faithful summary", "Captures the key points without adding anything.",
         ("The summary keeps the three decisions from the call and adds nothing new.",
          "All action items and owners match the transcript."), ""),
        ("pass", "Faithful but terse", "Correct, but leaves out minor details.",
         ("Accurate summary; it omits a minor side discussion about naming.",
          "Correct, if brief; the dates and owners are right."), ""),
        ("fail", "Adds details not in the source", "Invents decisions, owners or dates.",
         ("The summary assigns the migration to Omar, but the transcript names no owner.",
          "It states a launch date of 3 March that does not appear in the source."),
         "Ask for bullet points that quote the source line for each decision."),
        ("fail", "Drops a key decision", "Misses an important point from the source.",
         ("The summary leaves out the decision to pause the EU rollout.",
          "The customer's main blocker is missing from the summary."),
         "Add a checklist of required sections (decisions, owners, blockers) to the prompt."),
        ("na", "Nothing to summarise", "The source text was empty or too short.",
         ("The transcript was empty because the recording failed.",
          "The input had only two lines of small talk."), ""))),
]  # fmt: skip


def _words(text: str) -> list[str]:
    return text.split()


_REPO_AREAS = _words("""web api billing auth search ml data mobile infra docs design-system
analytics payments notifications checkout support growth platform ingest llm-evals""")
_REPO_KINDS = _words("service app worker sdk cli ui pipeline gateway config terraform playground")
_LANGUAGES = ["TypeScript", "Python", "Go", "Rust", "Kotlin", "Swift", "HCL", "Ruby", "Python"]
_BRANCHES = _words("""develop release/2025.11 release/2026.01 feat/llm-evals feat/onboarding-v2
fix/rate-limit-retry chore/bump-deps feat/dark-mode fix/flaky-tests experiment/streaming
jane/key-rotation mei/eval-dashboards""")
_PRIVATE_CHANNELS = {"finance", "legal", "leadership", "security", "security-alerts", "hiring"}
_SHARED_CHANNELS = {"acme-x-vercel", "acme-x-stripe", "partners-shared"}
_PUBLIC_CHANNELS = _words("""general random announcements engineering eng-backend eng-frontend
eng-mobile eng-infra eng-data eng-ml alerts-prod alerts-staging alerts-billing alerts-llm-evals
incidents deploys product design design-crit marketing growth sales sales-emea customer-success
support support-escalations feedback feature-requests ai-team ai-evals llm-playground prompt-library
data-science analytics dashboards people office-london office-berlin office-sf social pets music
books coffee running help-it launch-q1 launch-q2 roadmap standup retro oncall release-notes docs
wins""")
_CHANNELS = sorted(_PRIVATE_CHANNELS | _SHARED_CHANNELS | set(_PUBLIC_CHANNELS))
# Google Ads: (id, name, parent manager id or None, level, is manager)
_GOOGLE_ACCOUNTS = [
    ("1234567890", "Acme Holdings (MCC)", None, None, True),
    ("2345678901", "Acme US", "1234567890", "1", False),
    ("3456789012", "Acme EU", "1234567890", "1", False),
    ("4567890123", "Acme Regional (MCC)", "1234567890", "1", True),
    ("5678901234", "Acme APAC", "1234567890", "2", False),
    ("6789012345", "Acme LATAM", "1234567890", "2", False),
    ("7890123456", "Northwind Agency (MCC)", None, None, True),
    ("8901234567", "Acme Brand Campaigns", "7890123456", "1", False),
    ("9012345678", "Acme Retargeting", "7890123456", "1", False),
]
_JIRA_PROJECTS = [
    {"id": "10000", "key": "ENG", "name": "Engineering"},
    {"id": "10001", "key": "AI", "name": "AI Platform"},
    {"id": "10002", "key": "SUP", "name": "Support Escalations"},
    {"id": "10003", "key": "WEB", "name": "Website"},
    {"id": "10004", "key": "SEC", "name": "Security"},
]
_TWILIO_NUMBERS = [
    {"sid": "PN3f8a1c9e2b7d4f6a0e5c8b1d9f2a7e41", "phone_number": "+14155550123",
     "friendly_name": "Support line (US)"},
    {"sid": "PN7b2e9d4a1f6c3e8b5d0a7f2c9e4b1d63", "phone_number": "+442071838750",
     "friendly_name": "Support line (UK)"},
    {"sid": "PN1d6f3b8e5a2c9f4d7b0e3a6c1f8d5b29", "phone_number": "+4930300149",
     "friendly_name": "On-call alerts (DE)"},
]  # fmt: skip
_GITHUB_TEAMS = [
    {"id": 4210001 + index, "slug": name.lower().replace(" ", "-"), "name": name}
    for index, name in enumerate(
        ["AI Evals", "Backend", "Data", "Design Systems", "Frontend", "Platform", "Security"]
    )
]
_CONVERSIONS = ["Purchase", "Sign-up", "Demo request", "Add to cart", "Trial started", "Lead form"]


# id, name, description, enabled, (type, output, target), (provider, model, key) or None,
# runs, {label: (weight, reasonings)}, output config, target config. Runs of a boolean output
# are labelled pass/fail; the others carry a sentiment, score or category instead.
_OTHER_KIND_EVALUATIONS = [
    (EVAL_VALID_JSON, "Valid JSON output",
     "Hog code: the structured-output endpoint must answer parseable JSON.", True,
     ("hog", "boolean", "generation"), None, 150,
     {"pass": (88, ("The output parsed as JSON with every required key.",)),
      "fail": (12, ("The output was cut off, so it is not valid JSON.",
                    "The model wrapped the JSON in a Markdown code fence."))},
     {"allows_na": False}, {}),
    (EVAL_USER_SENTIMENT, "User sentiment",
     "How users feel in their messages to the assistant.", True,
     ("sentiment", "sentiment", "generation"), None, 200,
     {"positive": (45, ("User sentiment classified as positive.",)),
      "neutral": (38, ("User sentiment classified as neutral.",)),
      "negative": (17, ("User sentiment classified as negative.",))}, {}, {}),
    (EVAL_HELPFULNESS_SCORE, "Helpfulness score",
     "Scores how helpful each answer is, from 1 (useless) to 5 (solved it).", True,
     ("llm_judge", "numeric", "generation"), ("gemini", "gemini-2.5-flash", KEY_GEMINI), 80,
     {str(score): (weight, (f"The judge scored this answer {score} out of 5.",))
      for score, weight in ((1, 4), (2, 8), (3, 20), (4, 38), (5, 30))},
     {"min": 1, "max": 5}, {}),
    (EVAL_CONVERSATION_RESOLVED, "Conversation resolved",
     "Judges whole conversations: did the user leave with their problem solved?", True,
     ("llm_judge", "boolean", "trace"), ("anthropic", "claude-haiku-4-5", KEY_CLAUDE), 60,
     {"pass": (72, ("The user confirmed the fix worked before the trace ended.",)),
      "fail": (28, ("The user gave up after three unanswered follow-ups.",))},
     {"allows_na": False}, {"strategy": "fixed_window", "window_seconds": 1800}),
    (EVAL_SUPPORT_TOPIC, "Support topic",
     "Sorts each support session into one topic.", False,
     ("llm_judge", "categorical", "session"), ("anthropic", "claude-sonnet-4-5", KEY_OLD_ANTHROPIC),
     40, {topic: (weight, (f"The session is mostly about {topic}.",))
          for topic, weight in (("billing", 30), ("bug report", 25), ("how-to", 35),
                                ("other", 10))},
     {"categories": ["billing", "bug report", "how-to", "other"]},
     {"strategy": "inactivity", "quiet_period_seconds": 300, "max_age_seconds": 7200}),
]  # fmt: skip


def build_demo_state(
    now: datetime | None = None, *, switches: Switches | None = None
) -> SandboxState:
    rng = random.Random(SEED)
    anchor = (now or datetime.now(UTC)).replace(second=0, microsecond=0)

    def ago(days: float) -> datetime:
        return anchor - timedelta(days=days, microseconds=rng.randrange(1_000_000))

    keys = {row[0]: _provider_key(row, ago) for row in _KEYS}
    evaluations = {row[0]: _evaluation(row, rng, ago) for row in _EVALUATIONS}
    # Their own random stream, so the records above stay what they always were.
    kinds_rng = random.Random(SEED + 1)
    evaluations |= {row[0]: _other_kind(row, kinds_rng, ago) for row in _OTHER_KIND_EVALUATIONS}
    return SandboxState(
        users=[JANE, OMAR, MEI],
        api_keys={DEMO_PERSONAL_API_KEY: ApiKey(DEMO_PERSONAL_API_KEY, ("*",))},
        provider_keys=dict(sorted(keys.items(), key=lambda item: item[1].created_at, reverse=True)),
        evaluations=evaluations,
        integrations={item.id: item for item in _integrations(rng, ago)},
        active_key_id=ACTIVE_KEY_ID,
        config_created_at=keys[ACTIVE_KEY_ID].created_at,
        config_updated_at=keys[ACTIVE_KEY_ID].created_at,
        switches=switches or Switches(),
        project_id=DEMO_PROJECT_ID,
        project_name=DEMO_PROJECT_NAME,
    )


def _provider_key(row: tuple, ago: Ago) -> ProviderKey:
    key_id, provider, name, api_key, state, error, created_days, user, used_days = row
    key = ProviderKey(
        key_id, provider, name, api_key, state, error, ago(created_days), user,
        ago(used_days) if used_days is not None else None,
    )  # fmt: skip
    if provider == "azure_openai":
        key.azure_endpoint, key.api_version = "https://acme-eu.openai.azure.com/", "2024-10-21"
    if provider == "openai_compatible":
        key.base_url = SELF_HOSTED_BASE_URL
    if provider == "typesafe":
        key.base_url, key.system_one_model = "https://api.typesafe.ai/v1", "jev-1.13.0"
    return key


def _evaluation(row: tuple, rng: random.Random, ago: Ago) -> Evaluation:
    eval_id, name, description, prompt, enabled, model, run_count, weights, patterns = row
    provider, model_name, key_id = model
    config_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
    by_outcome = {
        outcome: [p for p in patterns.values() if p.outcome == outcome]
        for outcome in ("pass", "fail", "na")
    }
    runs = []
    for index in range(run_count):
        outcome = rng.choices(("pass", "fail", "na"), weights)[0]
        # The first pattern of each outcome is the common one.
        pattern = (
            rng.choices(by_outcome[outcome], (3, 1))[0] if outcome != "na" else by_outcome["na"][0]
        )
        result = {"pass": True, "fail": False, "na": None}[outcome]
        generation_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        moment = ago(index * 25 / run_count + rng.random() / 50)
        runs.append(
            EvaluationRun(
                generation_id, moment, result, rng.choice(pattern.reasonings), pattern.title
            )
        )
    created_at = ago(rng.randint(40, 300))
    return Evaluation(
        id=eval_id, name=name, description=description, prompt=prompt, enabled=enabled,
        created_at=created_at, updated_at=created_at + timedelta(days=rng.randint(1, 30)),
        created_by=rng.choice([JANE, OMAR, MEI]),
        model_configuration=ModelConfiguration(config_id, provider, model_name, key_id),
        patterns=patterns, runs=sorted(runs, key=lambda run: run.timestamp, reverse=True),
        status="active" if enabled else "paused",
    )  # fmt: skip


def _other_kind(row: tuple, rng: random.Random, ago: Ago) -> Evaluation:
    eval_id, name, description, enabled, kind, model, run_count, labels, output, target = row
    evaluation_type, output_type, target_kind = kind
    boolean = output_type == "boolean"
    runs = []
    for index in range(run_count):
        label = rng.choices(list(labels), [weight for weight, _ in labels.values()])[0]
        runs.append(
            EvaluationRun(
                str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                ago(index * 25 / run_count + rng.random() / 50),
                (label == "pass") if boolean else None,
                rng.choice(labels[label][1]),
                label,
                None if boolean else label,
            )
        )
    patterns = {
        label: Pattern(label if boolean else "na", label, f"Runs labelled {label}.", reasonings)
        for label, (_, reasonings) in labels.items()
    }
    created_at = ago(rng.randint(5, 60))
    config = (
        ModelConfiguration(str(uuid.UUID(int=rng.getrandbits(128), version=4)), *model)
        if model
        else None
    )
    return Evaluation(
        id=eval_id, name=name, description=description,
        prompt=description if evaluation_type == "llm_judge" else "", enabled=enabled,
        created_at=created_at, updated_at=created_at + timedelta(days=rng.randint(1, 4)),
        created_by=rng.choice([JANE, OMAR, MEI]), model_configuration=config, patterns=patterns,
        runs=sorted(runs, key=lambda run: run.timestamp, reverse=True),
        status="active" if enabled else "paused", evaluation_type=evaluation_type,
        output_type=output_type, output_config=output, target=target_kind, target_config=target,
        source="let output := event.properties.$ai_output_choices\nreturn jsonParse(output) != null"
        if evaluation_type == "hog" else "",
    )  # fmt: skip


def _integrations(rng: random.Random, ago: Ago) -> list[Integration]:
    linear_teams = [
        {"id": str(uuid.UUID(int=rng.getrandbits(128), version=4)), "name": name}
        for name in ("Platform", "AI Evals", "Growth", "Design", "Support")
    ]
    return [
        Integration(GITHUB_INTEGRATION_ID, "github", "48151623",
                    {"installation_id": "48151623", "repository_selection": "all",
                     "account": {"type": "Organization", "name": "acme-corp"}},
                    ago(380), JANE, {"repositories": _github_repositories(rng, ago),
                                     "teams": _GITHUB_TEAMS}),
        Integration(SLACK_INTEGRATION_ID, "slack", "T04ACME01",
                    {"team": {"id": "T04ACME01", "name": "Acme"},
                     "authed_user": {"id": "U04JANE01"}, "bot_user_id": "U05BOT0042",
                     "scope": "channels:read,chat:write,groups:read"},
                    ago(300), JANE, {"channels": _slack_channels(rng), "refreshed_at": ago(0.02)}),
        Integration(JIRA_INTEGRATION_ID, "jira", "f3b9c2d1-acme",
                    {"site_name": "acme.atlassian.net", "site_url": "https://acme.atlassian.net",
                     "cloud_id": "f3b9c2d1-acme"}, ago(200), OMAR,
                    {"projects": _JIRA_PROJECTS}),
        Integration(LINEAR_INTEGRATION_ID, "linear", "acme",
                    {"workspace": {"name": "Acme", "url_key": "acme"}}, ago(150), MEI,
                    {"teams": linear_teams}),
        Integration(GOOGLE_ADS_INTEGRATION_ID, "google-ads", "ads@acme.com",
                    {"email": "ads@acme.com"}, ago(120), OMAR, _google_ads(rng)),
        Integration(LINKEDIN_ADS_INTEGRATION_ID, "linkedin-ads", "marketing@acme.com",
                    {"email": "marketing@acme.com"}, ago(90), OMAR, _linkedin_ads()),
        Integration(TWILIO_INTEGRATION_ID, "twilio", "AC5e1f0c9d7b3a2e8f4d6c1b9a7e3f2d05",
                    {"account_sid": "AC5e1f0c9d7b3a2e8f4d6c1b9a7e3f2d05"}, ago(60), JANE,
                    {"refreshed_at": ago(0.5), "phone_numbers": _TWILIO_NUMBERS}),
        Integration(BROKEN_LINEAR_INTEGRATION_ID, "linear", "acme-labs",
                    {"workspace": {"name": "Acme Labs", "url_key": "acme-labs"}}, ago(30), OMAR,
                    {"teams": linear_teams[:2]}, errors="TOKEN_REFRESH_FAILED"),
    ]  # fmt: skip


def _github_repositories(rng: random.Random, ago: Ago) -> list[dict]:
    names = sorted(rng.sample([f"{a}-{k}" for a in _REPO_AREAS for k in _REPO_KINDS], 160))
    repositories = []
    for index, name in enumerate(names):
        archived = rng.random() < 0.08
        repositories.append({
            "id": 612_000_000 + index * 7919 + rng.randrange(7000),
            "name": name,
            "full_name": f"acme-corp/{name}",
            "private": rng.random() < 0.7,
            "default_branch": rng.choices(["main", "master", "develop"], (85, 10, 5))[0],
            "language": rng.choice(_LANGUAGES),
            "pushed_at": ago(rng.uniform(0.1, 700)).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "archived": archived,
            "can_push": not archived,
        })  # fmt: skip
    return repositories


def github_branches(repository: dict) -> list[str]:
    """A repository's branches, always the same for the same repository."""
    rng = random.Random(repository["full_name"])
    return sorted({repository["default_branch"], *rng.sample(_BRANCHES, rng.randint(1, 7))})


def _slack_channels(rng: random.Random) -> list[dict]:
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789"
    return [
        {
            "id": "C0" + "".join(rng.choices(alphabet, k=9)),
            "name": name,
            "is_private": name in _PRIVATE_CHANNELS,
            "is_member": name in _PRIVATE_CHANNELS or rng.random() < 0.8,
            "is_ext_shared": name in _SHARED_CHANNELS,
            "is_private_without_access": False,
        }
        for name in _CHANNELS
    ]


def _google_ads(rng: random.Random) -> dict:
    accounts = []
    for account_id, name, parent_id, level, manager in _GOOGLE_ACCOUNTS:
        account = {"parent_id": parent_id or account_id, "id": account_id, "level": level}
        accounts.append(account | {"name": name, "manager": manager})
    conversions: dict[str, list[dict]] = {}
    for account_id, *_, manager in _GOOGLE_ACCOUNTS:
        if manager:
            continue  # conversion actions live on client accounts
        conversions[account_id] = []
        for name in rng.sample(_CONVERSIONS, rng.randint(2, 4)):
            action_id = str(rng.randrange(10**9, 10**10))
            resource = f"customers/{account_id}/conversionActions/{action_id}"
            conversions[account_id].append(
                {"id": action_id, "name": name, "resourceName": resource}
            )
    return {"accounts": accounts, "conversion_actions": conversions}


def _linkedin_ads() -> dict:
    reference = "urn:li:organization:10453921"
    accounts = [
        {"id": 508912345, "name": "Acme — Brand", "reference": reference},
        {"id": 508912377, "name": "Acme — Demand gen", "reference": reference},
        {"id": 511204588, "name": "Acme EU", "reference": reference},
    ]
    rules = {
        "508912345": [
            {"id": 18234511, "name": "Website visit"},
            {"id": 18234512, "name": "Sign-up"},
        ],
        "508912377": [{"id": 18240077, "name": "Demo request"}, {"id": 18240078, "name": "Trial"}],
        "511204588": [{"id": 18251930, "name": "Newsletter sign-up"}],
    }
    return {"accounts": accounts, "conversion_rules": rules}
