"""Keep tokens out of logs and error texts.

tweepy logs request headers (with the Bearer token) at DEBUG, urllib3 logs request
URLs, and Graph API URLs carry `access_token=` in their query. Every text a
connector stores or logs goes through `redact`, and `install_log_filter` puts the
same redaction on the loggers of the libraries underneath.
"""

from __future__ import annotations

import logging
import re

_PATTERNS = (
    re.compile(r"(access_token=)[^&\s'\"]+", re.IGNORECASE),
    re.compile(r"(Bearer\s+)[A-Za-z0-9%._~+/=-]+"),
    re.compile(
        r"(['\"]?(?:authorization|oauth_signature|oauth_token)['\"]?\s*[:=]\s*['\"]?)(?!bearer\b)[^'\",\s}]+",
        re.I,
    ),
)
# A logger's filters do not apply to its children's records, so name each one that logs.
LOGGERS = (
    "tweepy.client",
    "tweepy.streaming",
    "urllib3.connectionpool",
    "urllib3.connection",
    "requests",
    "connectors",
)


def redact(text: str) -> str:
    """The text with every token-looking value replaced by `***`."""
    for pattern in _PATTERNS:
        text = pattern.sub(r"\1***", text)
    return text


class RedactingFilter(logging.Filter):
    """A logging filter that redacts the formatted message of every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Replace the record's message by its redacted text."""
        message = record.getMessage()
        clean = redact(message)
        if clean != message:
            record.msg, record.args = clean, None
        return True


_FILTER = RedactingFilter()


def install_log_filter() -> None:
    """Put the redacting filter on the loggers and handlers that could see a token (idempotent)."""
    for name in LOGGERS:
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)
