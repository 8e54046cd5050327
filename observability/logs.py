"""Structured logs: one JSON object per line, with the request or event a line is about.

Every line has `time` (UTC, ISO 8601), `level`, `logger` and `message`; a line about an
event has its `event_id` and `source`, a line written while serving a web request its
`request_id` (taken from the caller's `X-Request-ID` when it is sane, else made up, and
sent back in the response). `FANFARE_LOG_FORMAT=json|text` chooses the format; JSON is
the default unless stderr is a terminal. Anything that looks like a credential (a bearer
token, an API key) is masked before a line is written, whatever logged it.
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
import sys
from datetime import UTC, datetime
from typing import IO, Any

REQUEST_ID: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)
CONTEXT_FIELDS = ("event_id", "source", "request_id")
SECRETS = re.compile(
    r"(?P<bearer>Bearer\s+)\S+|(?P<key>ffk_(?:live|sandbox)_)[A-Za-z0-9_-]+|(?P<field>(?:token|secret|password)=)[^\s&]+",
    re.IGNORECASE,
)
_HANDLER_NAME = "fanfare"
# Libraries' routine lines, raised to WARNING so that the lines about events, requests and
# jobs stand out: APScheduler writes two lines per job run, and `jobs` already reports
# each run with its outcome; Alembic lists its plugins at every start. Their warnings and
# errors still show. A level an operator set on one of these loggers is left alone.
QUIETED = ("apscheduler", "alembic.runtime.plugins")


def mask(text: str) -> str:
    """`text` with credentials replaced by `***`."""

    def hide(match: re.Match[str]) -> str:
        return (match["bearer"] or match["key"] or match["field"]) + "***"

    return SECRETS.sub(hide, text)


class JsonFormatter(logging.Formatter):
    """A log record as one JSON object on one line."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": mask(record.getMessage()),
        }
        for field in CONTEXT_FIELDS:
            value = getattr(record, field, None)
            if value is not None:
                line[field] = mask(str(value))
        if record.exc_info:
            line["exception"] = mask(self.formatException(record.exc_info))
        return json.dumps(line, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    """The same fields for a person at a terminal."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        extra = " ".join(f"{f}={getattr(record, f)}" for f in CONTEXT_FIELDS if getattr(record, f, None))
        return mask(super().format(record) + (f" [{extra}]" if extra else ""))


class _RequestContext(logging.Filter):
    """Put the web request's id on every line written while serving it."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "request_id", None) is None:
            record.request_id = REQUEST_ID.get()
        return True


def chosen_format(value: str | None, stream: IO[str] | None = None) -> str:
    """`json` or `text`: as configured, else JSON unless writing to a terminal."""
    if value in ("json", "text"):
        return value
    if value:
        raise ValueError(f"FANFARE_LOG_FORMAT must be json or text, not {value!r}")
    target = stream or sys.stderr
    return "text" if getattr(target, "isatty", lambda: False)() else "json"


def configure_logging(
    fmt: str | None = None, *, stream: IO[str] | None = None, level: int = logging.INFO
) -> None:
    """Send the root logger's lines to `stream` (stderr) in the chosen format, once per process
    (calling again replaces Fanfare's handler, never another library's)."""
    root = logging.getLogger()
    for handler in [h for h in root.handlers if h.get_name() == _HANDLER_NAME]:
        root.removeHandler(handler)
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.set_name(_HANDLER_NAME)
    handler.setFormatter(JsonFormatter() if chosen_format(fmt, stream) == "json" else TextFormatter())
    handler.addFilter(_RequestContext())
    root.addHandler(handler)
    if root.level == logging.NOTSET or root.level > level:
        root.setLevel(level)
    for name in QUIETED:
        library = logging.getLogger(name)
        if library.level == logging.NOTSET:
            library.setLevel(logging.WARNING)
