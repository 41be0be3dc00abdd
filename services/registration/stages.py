"""The stage of a product in the OCOP cycle, and the moves between stages.

registered → submitted → under_evaluation → evaluated → certified, or → not_ranked when
the council ranks it below 3 stars; a not-ranked product may be submitted again after
improvement (the cycle loops back).
"""
from enum import Enum


class Stage(str, Enum):
    REGISTERED = "registered"
    SUBMITTED = "submitted"
    UNDER_EVALUATION = "under_evaluation"
    EVALUATED = "evaluated"
    NOT_RANKED = "not_ranked"
    CERTIFIED = "certified"


class Move(str, Enum):
    SUBMIT = "submit"
    OPEN_EVALUATION = "open_evaluation"
    RANK = "rank"
    DECLINE = "decline"
    CERTIFY = "certify"


# Later moves accept earlier stages too: events from different services may arrive
# out of order (a certificate before the evaluation's completion is seen).
MOVES = {
    Move.SUBMIT: ({Stage.REGISTERED, Stage.NOT_RANKED}, Stage.SUBMITTED),
    Move.OPEN_EVALUATION: ({Stage.SUBMITTED}, Stage.UNDER_EVALUATION),
    Move.RANK: ({Stage.SUBMITTED, Stage.UNDER_EVALUATION}, Stage.EVALUATED),
    Move.DECLINE: ({Stage.SUBMITTED, Stage.UNDER_EVALUATION}, Stage.NOT_RANKED),
    Move.CERTIFY: ({Stage.SUBMITTED, Stage.UNDER_EVALUATION, Stage.EVALUATED},
                   Stage.CERTIFIED),
}


class InvalidMove(Exception):
    def __init__(self, stage, move):
        super().__init__(f"cannot {move.value} a product that is {stage.value}")
        self.stage = stage
        self.move = move


def allowed_from(move):
    return MOVES[move][0]


def target_of(move):
    return MOVES[move][1]


def after(stage, move):
    """The stage reached by ``move`` from ``stage``; InvalidMove if not allowed."""
    sources, target = MOVES[move]
    if Stage(stage) not in sources:
        raise InvalidMove(Stage(stage), move)
    return target


def move_after_evaluation(stars):
    """Recognition needs 3 stars or more (Decision 26/2026 Art. 3)."""
    return Move.RANK if stars >= 3 else Move.DECLINE
