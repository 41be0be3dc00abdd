"""Points to stars (Decision 26/2026 Art. 3): the council's score is the mean of its
members' totals, and the score's band gives the stars."""
from decimal import ROUND_HALF_UP, Decimal

# Lower bounds are inclusive: "từ 70 đến dưới 90" is 70 <= score < 90.
BANDS = ((90, 5), (70, 4), (50, 3), (30, 2))
RECOGNISED_FROM = 3


def stars_for(score):
    for floor, stars in BANDS:
        if score >= floor:
            return stars
    return 1


def council_score(totals):
    """The mean of the members' totals, to two decimals; the band is read from it."""
    if not totals:
        raise ValueError("a council score needs at least one sheet")
    mean = Decimal(sum(Decimal(str(t)) for t in totals)) / len(totals)
    return float(mean.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def is_recognised(stars):
    """1★ and 2★ results are recorded but get no recognition and no certificate."""
    return stars >= RECOGNISED_FROM
