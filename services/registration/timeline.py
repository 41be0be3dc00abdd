"""Each product's timeline (diễn biến hồ sơ): every change of its stage — who made it, when,
why — in the order it happened, for a front-end to show the way through the cycle
(Decision 26/2026 Art. 7: filing with the commune, the commune's report and forwarding, the
province's check and proposal, the councils' results, the certificate).

Entries are kept in the product document under keys that sort by time (the MongoDB
stand-in keeps arrays of scalars only), so the stage and its entry are one atomic write.
"""
import uuid
from datetime import datetime

from chassis.events import rfc3339


def key(entry):
    """A key that sorts by the entry's time and never collides."""
    moment = datetime.fromisoformat(entry["at"])
    return f"{int(moment.timestamp() * 1_000_000):020d}-{uuid.uuid4().hex[:8]}"


def entry(moment, stage, act, by, reasons=None, **details):
    return {"at": rfc3339(moment), "stage": stage, "act": act, "by": by,
            "reasons": reasons or [], "details": details}


def person(identity):
    """Who acted, as the timeline shows it (no network address)."""
    return {"subject": identity.subject, "roles": sorted(identity.roles),
            "name": identity.name}


def service(name):
    """A move caused by another service's event (a council's result, a certificate)."""
    return {"subject": f"service:{name}", "roles": [], "name": None}


def as_list(entries):
    return [entries[k] for k in sorted(entries or {})]


def keyed(items):
    """A list stored as a document keyed by position (for lists of documents)."""
    return {f"{i:04d}": item for i, item in enumerate(items)}
