import pytest

from services.evaluation.scoring import council_score, is_recognised, stars_for


@pytest.mark.parametrize("score, stars", [
    (100, 5), (90, 5), (89.99, 4), (70, 4), (69.99, 3), (50, 3), (49.99, 2), (30, 2),
    (29.99, 1), (0, 1)])
def test_stars_by_the_national_bands_lower_bounds_inclusive(score, stars):
    assert stars_for(score) == stars


def test_only_three_stars_and_above_are_recognised():
    assert [is_recognised(s) for s in range(1, 6)] == [False, False, True, True, True]


def test_council_score_is_the_mean_to_two_decimals():
    assert council_score([78, 75, 79]) == 77.33
    assert council_score([70, 69]) == 69.5
    assert council_score([1, 2]) == 1.5
    assert council_score([2, 2, 3]) == 2.33
    assert council_score([1, 1, 0]) == 0.67


def test_a_council_score_needs_a_sheet():
    with pytest.raises(ValueError):
        council_score([])
