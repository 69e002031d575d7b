"""What the UI calls each integration kind; PostHog's API knows kinds by slug only."""

from __future__ import annotations

INTEGRATION_KIND_LABELS = {
    "anthropic": "Anthropic",
    "apns": "Apple Push Notifications",
    "aws-redshift": "AWS Redshift",
    "aws-s3": "AWS S3",
    "azure-blob": "Azure Blob Storage",
    "bing-ads": "Bing Ads",
    "clickup": "ClickUp",
    "customerio-app": "Customer.io App",
    "customerio-track": "Customer.io Track",
    "customerio-webhook": "Customer.io Webhook",
    "email": "Email",
    "github": "GitHub",
    "gitlab": "GitLab",
    "google-ads": "Google Ads",
    "google-analytics": "Google Analytics",
    "google-cloud-service-account": "Google Cloud service account",
    "google-cloud-storage": "Google Cloud Storage",
    "google-pubsub": "Google Pub/Sub",
    "google-search-console": "Google Search Console",
    "google-sheets": "Google Sheets",
    "hubspot": "HubSpot",
    "jira": "Jira",
    "linear": "Linear",
    "linkedin-ads": "LinkedIn Ads",
    "meta-ads": "Meta Ads",
    "posthog": "PostHog",
    "postgresql": "PostgreSQL",
    "reddit-ads": "Reddit Ads",
    "s3-compatible": "S3-compatible storage",
    "slack": "Slack",
    "slack-posthog-code": "Slack (PostHog Code)",
    "tiktok-ads": "TikTok Ads",
    "twilio": "Twilio",
    "youtube-analytics": "YouTube Analytics",
}


def integration_kind_label(kind: str) -> str:
    return INTEGRATION_KIND_LABELS.get(kind) or kind.replace("-", " ").replace("_", " ").title()
