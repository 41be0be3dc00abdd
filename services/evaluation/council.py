"""The council regulation (quy chế hoạt động của hội đồng), which each province issues for
its council (Decision 26/2026 Art. 5.1, 7) and the ministry for the central one.

The decision leaves quorum, tolerated disagreement and conflicts of interest to these
regulations; the defaults follow the Tây Ninh regulation: at least 75% of the members sit,
the chair among them; members' totals differ by at most 10 points, else the council
re-discusses and rescores; nobody scores a product of an organisation they declared an
interest in.  Refusals are ``Conflict`` (409): the request is valid, the council is not
ready to decide.
"""
from dataclasses import dataclass, fields
from fractions import Fraction
from numbers import Real

from chassis.errors import Conflict, InvalidInput, field_error


@dataclass(frozen=True)
class CouncilRules:
    """One council's regulation.  ``quorum``: the share of the council's members whose sheets
    are needed (0 < quorum <= 1); ``chair_required``: the chair's sheet is one of them;
    ``max_spread``: the largest tolerated gap between members' totals, in points (``None``:
    no limit)."""

    quorum: float = 0.75
    chair_required: bool = True
    max_spread: float | None = 10

    @classmethod
    def from_mapping(cls, data):
        """Rules from configuration (e.g. a province's settings); missing keys keep the
        defaults, wrong ones are refused with ``InvalidInput`` naming them."""
        known = {f.name for f in fields(cls)}
        errors = [field_error(f"/{key}", "Không có tham số này", "Unknown setting")
                  for key in data if key not in known]
        quorum = data.get("quorum", cls.quorum)
        if not _number(quorum) or not 0 < quorum <= 1:
            errors.append(field_error("/quorum", "Tỷ lệ trong khoảng (0, 1]",
                                      "A ratio in (0, 1]"))
        if not isinstance(data.get("chair_required", cls.chair_required), bool):
            errors.append(field_error("/chair_required", "Phải là true/false",
                                      "Must be true or false"))
        spread = data.get("max_spread", cls.max_spread)
        if spread is not None and (not _number(spread) or not 0 <= spread <= 100):
            errors.append(field_error("/max_spread", "Số điểm từ 0 đến 100, hoặc null",
                                      "A number of points from 0 to 100, or null"))
        if errors:
            raise InvalidInput("Quy chế hội đồng không hợp lệ", "Invalid council rules", errors)
        return cls(**{key: data[key] for key in known if key in data})


def check_may_score(member, producer_id, interests):
    """A member may not score a product of a producer they declared an interest in.

    ``interests`` maps member id → the producer ids they declared."""
    if producer_id in set(interests.get(member, ())):
        raise Conflict(
            f"Thành viên {member} đã khai báo có liên quan đến chủ thể {producer_id} "
            "nên không được chấm sản phẩm này",
            f"Member {member} declared an interest in producer {producer_id} and may not "
            "score this product",
            [field_error(f"/sheets/{member}", "Xung đột lợi ích", "Conflict of interest")])


def check_decision(rules, *, members, chair, totals, producer_id, interests=None):
    """Refuse a council decision the regulation does not allow yet (``Conflict``).

    ``members``: the council's member ids (the chair is one); ``totals``: member id → that
    member's sheet total.  Checked in order: sheets from outside the council, conflicts of
    interest, quorum (share of members who submitted, the chair required), spread of the
    totals (more than ``max_spread`` apart → rescore before deciding).
    """
    members = set(members) | {chair}
    outsiders = sorted(set(totals) - members)
    if outsiders:
        raise Conflict(f"Phiếu của người ngoài hội đồng: {', '.join(outsiders)}",
                       f"Sheets from outside the council: {', '.join(outsiders)}",
                       [field_error(f"/sheets/{m}", "Không phải thành viên hội đồng",
                                    "Not a council member") for m in outsiders])
    for member in sorted(totals):
        check_may_score(member, producer_id, interests or {})
    if rules.chair_required and chair not in totals:
        raise Conflict("Chưa có phiếu chấm của chủ tịch hội đồng",
                       "The council chair has not submitted a score sheet")
    if Fraction(len(totals), len(members)) < Fraction(str(rules.quorum)):
        raise Conflict(
            f"Chưa đủ số thành viên: {len(totals)}/{len(members)} phiếu, cần tối thiểu "
            f"{float(rules.quorum):.0%}",
            f"No quorum: {len(totals)} of {len(members)} members submitted, "
            f"{float(rules.quorum):.0%} needed")
    if rules.max_spread is not None:
        low, high = min(totals.values()), max(totals.values())
        if high - low > rules.max_spread:
            raise Conflict(
                f"Tổng điểm của các thành viên chênh lệch {high - low:g} điểm (tối đa "
                f"{rules.max_spread:g}): hội đồng thảo luận và chấm lại",
                f"Members' totals differ by {high - low:g} points (at most "
                f"{rules.max_spread:g}): the council must discuss and rescore")


def _number(value):
    return isinstance(value, Real) and not isinstance(value, bool)
