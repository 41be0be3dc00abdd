"""How long to wait before trying again, for everything that retries: event handlers,
store preparation, ``make run``'s supervisor."""


def backoff(base_seconds, times, cap):
    """The delay before the next try after ``times`` failures in a row: doubling, capped."""
    return min(cap, base_seconds * 2 ** (times - 1))
