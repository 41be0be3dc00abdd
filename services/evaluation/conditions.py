"""Criteria that apply only under a condition printed in Annex II (Decision 26/2026/QĐ-TTg,
Annex II; Art. 3.2).

Reading.  Sets 01–25 print «Chỉ áp dụng khi có câu chuyện sản phẩm» ("applies only when
there is a product story") under criterion 5.2 «Cấu trúc câu chuyện sản phẩm»; whether
there is a story is what the same sheet answers on 5.1 «Câu chuyện sản phẩm», whose option
5.1.a reads «Không có câu chuyện sản phẩm».  ``criteria/conditions.json`` lists every such
condition found in the 26 sets (set 26 prints none; nor is «Áp dụng bắt buộc đối với các
sản phẩm phải công bố chất lượng…», under one set's criterion 7, a condition on earning its
points: it says which products must meet it).

A criterion whose condition the sheet does not meet earns nothing: its only answer is
"none" (0 points, meeting no star minimum).  A sheet that rates it anyway contradicts itself
(no story, yet a story's structure) and is refused, naming the criterion; a sheet must not be
silently rescored behind its evaluator's back.  On the council's consolidated sheet the
conditional criterion is taken as "none" when the consolidated answers do not meet its
condition.
"""
import json
from functools import lru_cache
from pathlib import Path

CONDITIONS_FILE = Path(__file__).parent / "criteria" / "conditions.json"


@lru_cache(maxsize=1)
def conditions():
    """Every condition: set, criterion, printed {vi, en}, applies_when {criterion, not}."""
    return tuple(json.loads(CONDITIONS_FILE.read_text(encoding="utf-8"))["conditions"])


def of_set(code):
    return [dict(c) for c in conditions() if c["set"] == code]


def is_met(condition, picks, option_codes):
    """Whether ``picks`` meet ``condition``: the criterion it rests on is answered with one of
    its options (``option_codes``) other than those under ``not`` — so an answer of "none"
    does not meet it."""
    answer = picks.get(condition["applies_when"]["criterion"])
    return answer in option_codes and answer not in condition["applies_when"]["not"]
