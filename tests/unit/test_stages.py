import pytest

from services.registration.stages import InvalidMove, Move, Stage, after, \
    move_after_evaluation

VALID = [
    (Stage.REGISTERED, Move.SUBMIT, Stage.SUBMITTED),
    (Stage.NOT_RANKED, Move.SUBMIT, Stage.SUBMITTED),
    (Stage.SUBMITTED, Move.OPEN_EVALUATION, Stage.UNDER_EVALUATION),
    (Stage.UNDER_EVALUATION, Move.RANK, Stage.EVALUATED),
    (Stage.SUBMITTED, Move.RANK, Stage.EVALUATED),
    (Stage.UNDER_EVALUATION, Move.DECLINE, Stage.NOT_RANKED),
    (Stage.SUBMITTED, Move.DECLINE, Stage.NOT_RANKED),
    (Stage.SUBMITTED, Move.CERTIFY, Stage.CERTIFIED),
    (Stage.EVALUATED, Move.CERTIFY, Stage.CERTIFIED),
    (Stage.UNDER_EVALUATION, Move.CERTIFY, Stage.CERTIFIED),
]


@pytest.mark.parametrize("stage, move, target", VALID)
def test_allowed_moves(stage, move, target):
    assert after(stage, move) == target


@pytest.mark.parametrize("stage, move", [
    (stage, move) for stage in Stage for move in Move
    if (stage, move) not in {(s, m) for s, m, _ in VALID}])
def test_every_other_move_is_refused(stage, move):
    with pytest.raises(InvalidMove):
        after(stage, move)


def test_certified_is_final_for_the_cycle():
    for move in Move:
        with pytest.raises(InvalidMove):
            after(Stage.CERTIFIED, move)


def test_the_result_decides_rank_or_decline():
    assert move_after_evaluation(3) is Move.RANK
    assert move_after_evaluation(2) is Move.DECLINE
