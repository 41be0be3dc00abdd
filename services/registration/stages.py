"""The stage of a product in the OCOP cycle, and the moves between stages.

registered → filed (the producer's dossier is with the commune, Art. 7.1) → forwarded (the
commune issued Form 03 and sent it to the province, Art. 7.2) → submitted (the province's
office checked it and proposed it to a round, Art. 7.3.a) → under_evaluation → evaluated
→ certified, or → not_ranked when the council ranks it below 3 stars or the provincial
chair does not approve its potential 5★ result for the ministry, → rejected when a
knock-out rule applies, or → returned when the commune, the province's office or the
advisory group asks the producer to complete the dossier. A returned, rejected or
not-ranked product may be filed again after improvement (the cycle loops back), and a
certified one for an upgrade (nâng hạng) or a re-rating before expiry. A certified product
becomes revoked when its certificate is revoked (Art. 8) and expired when it expires;
either may be filed again, as a first rating.
"""
from enum import Enum


class Stage(str, Enum):
    REGISTERED = "registered"
    FILED = "filed"
    FORWARDED = "forwarded"
    SUBMITTED = "submitted"
    UNDER_EVALUATION = "under_evaluation"
    RETURNED = "returned"
    REJECTED = "rejected"
    EVALUATED = "evaluated"
    NOT_RANKED = "not_ranked"
    CERTIFIED = "certified"
    REVOKED = "revoked"
    EXPIRED = "expired"


class Move(str, Enum):
    FILE = "file"
    RETURN_DOSSIER = "return_dossier"
    FORWARD = "forward"
    SUBMIT = "submit"
    OPEN_EVALUATION = "open_evaluation"
    RETURN = "return"
    REJECT = "reject"
    RANK = "rank"
    DECLINE = "decline"
    CERTIFY = "certify"
    REVOKE = "revoke"
    EXPIRE = "expire"


IN_EVALUATION = {Stage.SUBMITTED, Stage.UNDER_EVALUATION}

# Later moves accept earlier stages too: events from different services may arrive
# out of order (a certificate before the evaluation's completion is seen).
MOVES = {
    Move.FILE: ({Stage.REGISTERED, Stage.RETURNED, Stage.REJECTED, Stage.NOT_RANKED,
                 Stage.CERTIFIED, Stage.REVOKED, Stage.EXPIRED}, Stage.FILED),
    # The commune returns what it holds, the province's office what the commune forwarded.
    Move.RETURN_DOSSIER: ({Stage.FILED, Stage.FORWARDED}, Stage.RETURNED),
    Move.FORWARD: ({Stage.FILED}, Stage.FORWARDED),
    Move.SUBMIT: ({Stage.FORWARDED}, Stage.SUBMITTED),
    # Also from under_evaluation: a potential 5★ product is opened again at central level.
    Move.OPEN_EVALUATION: (IN_EVALUATION, Stage.UNDER_EVALUATION),
    Move.RETURN: (IN_EVALUATION, Stage.RETURNED),
    Move.REJECT: (IN_EVALUATION, Stage.REJECTED),
    Move.RANK: (IN_EVALUATION, Stage.EVALUATED),
    Move.DECLINE: (IN_EVALUATION, Stage.NOT_RANKED),
    Move.CERTIFY: (IN_EVALUATION | {Stage.EVALUATED}, Stage.CERTIFIED),
    # A product under an upgrade or re-rating stays in it; its next certificate decides.
    Move.REVOKE: ({Stage.CERTIFIED}, Stage.REVOKED),
    Move.EXPIRE: ({Stage.CERTIFIED}, Stage.EXPIRED),
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
