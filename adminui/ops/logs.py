"""JSON log lines (LOG_FORMAT=json): structlog renders every stdlib record as one object.

Records reach this formatter after `RedactSecretsFilter`, which has already masked the message
and rendered the traceback into ``exc_text``; the traceback written is that masked text, never a
fresh rendering of ``exc_info``. Fields passed with ``extra=`` (the request line's) and the
request id bound for the current request are added to every line.
"""

from __future__ import annotations

import logging
from collections.abc import MutableMapping
from typing import Any

import structlog

from adminui.posthog.redaction import redact


def json_formatter() -> logging.Formatter:
    return structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=[
            structlog.contextvars.merge_contextvars,
            structlog.stdlib.add_log_level,
            structlog.stdlib.add_logger_name,
            structlog.processors.TimeStamper(fmt="iso", utc=True, key="time"),
            structlog.stdlib.ExtraAdder(),
            _masked_traceback,
        ],
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.JSONRenderer(),
        ],
    )


def _masked_traceback(
    _logger: Any, _method: str, event: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    if event.pop("exc_info", None) is not None:
        record: logging.LogRecord = event["_record"]
        event["exception"] = redact(record.exc_text or "")
    return event
