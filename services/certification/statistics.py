"""The programme's statistics (thống kê) and the facts plans are measured against: a read
model kept by events, so that no request scans another service.

What it holds, each keyed so that an event applied twice or out of order leaves it the
same (facts are set, never incremented):
- one record per certificate, by its number, from certification's ``certificate.issued``,
  ``.superseded``, ``.revoked`` and ``.expired`` and registration's ``product.imported``
  (a certificate a province issued before the platform): what it is, and how it ended;
- one record per product: where it is, its product set, its stage in the cycle (the stage
  of the latest event by event time, whatever order events arrive in), and its current
  certificate (the latest issued that has not ended), recomputed from the certificate
  records and written only over a summary made from fewer facts;
- the steps plans count, one per subject and year: products proposed for evaluation
  (``product.submitted``), potential 5★ sent to the ministry (``evaluation.forwarded``),
  ideas whose business plan was supported (``plan.supported``).
"""
import json
from collections import Counter
from datetime import datetime
from functools import lru_cache

from chassis.events import routing_key
from services.certification import validity
from services.evaluation.catalogue import SETS_DIR

# Each event the read model takes, and the stage in the cycle it leaves the product in
# (registration's ``stages``; a supersession leaves the product certified).
STAGES = {
    "dossier.submitted": "filed",
    "dossier.returned": "returned",
    "dossier.forwarded": "forwarded",
    "product.submitted": "submitted",
    "evaluation.opened": "under_evaluation",
    "evaluation.forwarded": "under_evaluation",
    "evaluation.rejected": "rejected",
    "product.imported": "certified",
    "certificate.issued": "certified",
    "certificate.revoked": "revoked",
    "certificate.expired": "expired",
}
ENDINGS = {"certificate.superseded": validity.SUPERSEDED,
           "certificate.revoked": validity.REVOKED, "certificate.expired": validity.EXPIRED}
# What a record of a product keeps from any event that names it.
WHERE = ("province_code", "commune_code", "category")
STEPS = {"product.submitted": "proposed", "evaluation.forwarded": "potential_5_star",
         "plan.supported": "supported_idea"}


def stage_of(event):
    """The stage ``event`` leaves its product in; ``evaluation.completed`` by its stars."""
    name = routing_key(event)
    if name == "evaluation.completed":
        return "evaluated" if event["data"]["stars"] >= 3 else "not_ranked"
    return STAGES.get(name)


def certificate_fact(event):
    """(number, fields) the certificate event sets on the certificate's record."""
    data, name = event["data"], routing_key(event)
    if name == "product.imported":
        return f"imported:{data['product_id']}", {
            "product_id": data["product_id"], "province_code": data["province_code"],
            "commune_code": data["commune_code"], "category": data["category"],
            "stars": data["stars"], "level": "central" if data["stars"] == 5 else "province",
            "issued_on": data["decided_on"], "expires_on": data["expires_on"],
            "issued_at": None, "imported": True}
    about = {k: data[k] for k in ("product_id", "province_code", "stars", "level",
                                  "expires_on")}
    if name == "certificate.issued":
        return data["code"], {**about, "category": data["category"],
                              "issued_on": data["issued_on"], "issued_at": data["issued_at"],
                              "imported": False}
    return data["code"], {**about, "ended": ENDINGS[name]}


def vietnam_day(event):
    instant = datetime.fromisoformat(event["time"].replace("Z", "+00:00"))
    return validity.vietnam_day(instant).isoformat()


def step_of(event):
    """The step record of a proposal, a potential 5★ or a supported idea: one per subject
    and year, on the Vietnam day it happened."""
    data, name = event["data"], routing_key(event)
    kind = STEPS[name]
    subject = data["idea_id"] if kind == "supported_idea" else data["product_id"]
    on = data.get("proposed_on") or data.get("given_on") or vietnam_day(event)
    return {"_id": f"{kind}:{subject}:{on[:4]}", "step": kind, "subject": subject,
            "product_id": data.get("product_id"), "province_code": data["province_code"],
            "commune_code": data["commune_code"], "on": on}


def current_of(certificates):
    """The product's current certificate: the latest issued that no event has ended."""
    standing = [c for c in certificates if c.get("issued_on") and not c.get("ended")]
    if not standing:
        return None
    latest = max(standing, key=lambda c: (c["issued_on"], c.get("issued_at") or ""))
    return {k: latest.get(k) for k in ("_id", "stars", "level", "issued_on", "expires_on",
                                       "imported")}


def revision_of(certificates):
    """How many facts a summary of ``certificates`` was made from: more facts, a later
    summary."""
    return sum(len(c.get("facts", [])) for c in certificates)


@lru_cache(maxsize=1)
def sectors():
    """Product set (bộ sản phẩm) → its sector (ngành), from the criteria sets."""
    found = {}
    for path in SETS_DIR.glob("*.json"):
        data = json.loads(path.read_text(encoding="utf-8"))
        found[data["code"]] = data["sector"]["code"]
    return found


def in_force(product, on):
    """Whether the product's current certificate is in force on ``on``: an imported one
    expires by the calendar (no event ends it); the platform's end by their events."""
    current = product.get("current")
    return current is not None and not (current.get("imported") and
                                        current["expires_on"] <= on.isoformat())


def counts(products, certificates, on):
    """The statistics on the day ``on``: products by stage; products with a certificate
    in force by province, commune, product set, sector, stars and level; certificates
    issued by year (Vietnam date of issue), each once whatever became of it."""
    certified = [p for p in products if in_force(p, on)]
    sector_of = sectors()

    def by(values):
        return dict(sorted(Counter(v for v in values if v is not None).items()))

    return {
        "as_of": on.isoformat(),
        "products": len(products),
        "by_stage": by(p.get("stage") for p in products),
        "certified": len(certified),
        "by_province": by(p.get("province_code") for p in certified),
        "by_commune": by(p.get("commune_code") for p in certified),
        "by_category": by(p.get("category") for p in certified),
        "by_sector": by(sector_of.get(p.get("category")) for p in certified),
        "by_stars": by(str(p["current"]["stars"]) for p in certified),
        "by_level": by(p["current"]["level"] for p in certified),
        "by_year": by(c["issued_on"][:4] for c in certificates if c.get("issued_on")),
        "stars_by_category": {category: by(str(p["current"]["stars"]) for p in certified
                                           if p.get("category") == category)
                              for category in by(p.get("category") for p in certified)},
    }


COUNTED = ("products", "certified")
GROUPED = ("by_stage", "by_province", "by_commune", "by_category", "by_sector", "by_stars",
           "by_level", "by_year")


def summed(parts, on):
    """The statistics of several provinces (``counts`` of each) as one."""
    total = {"as_of": on.isoformat(), **{name: 0 for name in COUNTED},
             **{name: Counter() for name in GROUPED}, "stars_by_category": {}}
    for part in parts:
        for name in COUNTED:
            total[name] += part[name]
        for name in GROUPED:
            total[name].update(part[name])
        for category, by_stars in part["stars_by_category"].items():
            total["stars_by_category"].setdefault(category, Counter()).update(by_stars)
    return {**total, **{name: dict(sorted(total[name].items())) for name in GROUPED},
            "stars_by_category": {category: dict(sorted(by_stars.items())) for category,
                                  by_stars in sorted(total["stars_by_category"].items())}}
