import pytest

from services.registration.stages import InvalidMove, Move, Stage, after, \
    move_after_evaluation

VALID = [
    *[(stage, Move.FILE, Stage.FILED) for stage in (
        Stage.REGISTERED, Stage.RETURNED, Stage.REJECTED, Stage.NOT_RANKED, Stage.CERTIFIED,
        Stage.REVOKED, Stage.EXPIRED)],
    (Stage.FILED, Move.RETURN_DOSSIER, Stage.RETURNED),
    (Stage.FORWARDED, Move.RETURN_DOSSIER, Stage.RETURNED),
    (Stage.FILED, Move.FORWARD, Stage.FORWARDED),
    (Stage.FORWARDED, Move.SUBMIT, Stage.SUBMITTED),
    (Stage.SUBMITTED, Move.OPEN_EVALUATION, Stage.UNDER_EVALUATION),
    (Stage.UNDER_EVALUATION, Move.OPEN_EVALUATION, Stage.UNDER_EVALUATION),
    *[(stage, move, target) for stage in (Stage.SUBMITTED, Stage.UNDER_EVALUATION)
      for move, target in ((Move.RETURN, Stage.RETURNED), (Move.REJECT, Stage.REJECTED),
                           (Move.RANK, Stage.EVALUATED), (Move.DECLINE, Stage.NOT_RANKED),
                           (Move.CERTIFY, Stage.CERTIFIED))],
    (Stage.EVALUATED, Move.CERTIFY, Stage.CERTIFIED),
    (Stage.CERTIFIED, Move.REVOKE, Stage.REVOKED),
    (Stage.CERTIFIED, Move.EXPIRE, Stage.EXPIRED),
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


def test_a_certified_product_only_comes_back_by_a_new_dossier():
    for move in set(Move) - {Move.FILE, Move.REVOKE, Move.EXPIRE}:
        with pytest.raises(InvalidMove):
            after(Stage.CERTIFIED, move)


def test_the_result_decides_rank_or_decline():
    assert move_after_evaluation(3) is Move.RANK
    assert move_after_evaluation(2) is Move.DECLINE
