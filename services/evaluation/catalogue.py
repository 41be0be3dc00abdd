"""The criteria sets (bộ sản phẩm, Decision 26/2026 Annex I/II): one JSON file per set
under ``criteria/sets/``, generated from the decision by ``criteria/extract.py``."""
import json
from functools import lru_cache
from pathlib import Path

SETS_DIR = Path(__file__).parent / "criteria" / "sets"
RULE_VERSION = "26/2026"


@lru_cache(maxsize=1)
def criteria_sets():
    return {s["code"]: s for s in (json.loads(p.read_text(encoding="utf-8"))
                                   for p in sorted(SETS_DIR.glob("*.json")))}


def categories():
    return [{"code": s["code"], "name": s["name"], "sector": s["sector"],
             "group": s["group"], "lead_ministry": s["lead_ministry"]}
            for s in criteria_sets().values()]


def criteria_set(code):
    return criteria_sets().get(code)
