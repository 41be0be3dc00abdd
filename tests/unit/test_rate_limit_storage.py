"""The gateway's rate-limit storage (gateway/limits.py): ``limits``' moving window in
memory, whose pruning timer starts at most once a second instead of after every hit."""
import time

from limits import parse
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

from gateway.limits import PRUNE_SECONDS, PrunedMemoryStorage


def timers_started(storage, hits):
    limiter, limit, timers = MovingWindowRateLimiter(storage), parse("1000/minute"), []
    for _ in range(hits):
        limiter.hit(limit, "public", "address:198.51.100.7")
        if not any(timer is storage.timer for timer in timers):  # kept: ids not reused
            timers.append(storage.timer)
        time.sleep(0.02)  # past the library's 10 ms timer: it has ended
    return len(timers)


def test_the_library_starts_a_timer_after_each_hit_and_the_gateways_storage_does_not():
    # The library's own behaviour, checked so that a new version of it fails here.
    assert timers_started(MemoryStorage(), 5) == 5
    assert timers_started(PrunedMemoryStorage(), 5) <= 2  # the first, and once a second


def test_the_limit_holds_and_expired_hits_are_still_pruned():
    storage = PrunedMemoryStorage()
    limiter, limit = MovingWindowRateLimiter(storage), parse("3/second")
    assert [limiter.hit(limit, "public", "a") for _ in range(4)] == [True] * 3 + [False]
    assert limiter.hit(limit, "public", "b")  # another client's budget is its own
    time.sleep(PRUNE_SECONDS + 0.1)
    assert limiter.hit(limit, "public", "a")  # the window has moved on
    time.sleep(0.1)  # the pruning started by that hit has run
    # Of the five hits allowed, only a's latest is left once the others' window passed.
    assert sorted(len(hits) for hits in storage.events.values()) == [0, 1]
