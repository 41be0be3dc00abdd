"""JSON-lines logging, one object per line, for log shippers."""
import json
import logging

from chassis.events import rfc3339
from datetime import datetime, timezone


class JsonFormatter(logging.Formatter):
    def format(self, record):
        entry = {
            "time": rfc3339(datetime.fromtimestamp(record.created, timezone.utc)),
            "level": record.levelname, "logger": record.name, "message": record.getMessage()}
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)
