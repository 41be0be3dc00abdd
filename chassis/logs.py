"""JSON-lines logging, one object per line, for log shippers, each line with the
correlation id of the work it was written for (``chassis.correlation``)."""
import json
import logging
from datetime import datetime, timezone

from chassis import correlation
from chassis.events import rfc3339

EXPECTED = "(expected) error handling worker"


class JsonFormatter(logging.Formatter):
    def format(self, record):
        entry = {
            "time": rfc3339(datetime.fromtimestamp(record.created, timezone.utc)),
            "level": record.levelname, "logger": record.name, "message": record.getMessage()}
        correlation_id = getattr(record, "correlation_id", None) or correlation.current()
        if correlation_id:
            entry["correlation_id"] = correlation_id
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


class ExpectedRefusals(logging.Filter):
    """A refusal the caller can act on (``chassis.errors.OcopError``: bad input, not
    found, conflict) is part of normal work: nameko logs it as a warning with its
    traceback; keep it as one INFO line."""

    def filter(self, record):
        if isinstance(record.msg, str) and record.msg.startswith(EXPECTED):
            record.levelno, record.levelname = logging.INFO, "INFO"
            record.exc_info = record.exc_text = None
        return True
