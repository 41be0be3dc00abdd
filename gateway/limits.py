"""Rate limits of the public routes and of anonymous registration: per client address and,
when the caller signed in, per subject too; 429 with ``Retry-After`` beyond them.

Counted in this gateway process (a moving window in memory, ``limits``); with several
replicas the ingress carries the same limits per address (k8s/base/ingress.yaml).
Configuration: ``RATE_LIMIT_PUBLIC``, ``RATE_LIMIT_REGISTRATION`` (e.g. ``120/minute``),
``TRUSTED_PROXY_HOPS``: how many proxies in front of the gateway append to
``X-Forwarded-For`` (0 when clients connect directly).
"""
import math
import time

from limits import parse
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter
from nameko.extensions import DependencyProvider

from gateway.problems import Problem

DEFAULTS = {"public": "120/minute", "registration": "10/hour"}
PRUNE_SECONDS = 1.0


class PrunedMemoryStorage(MemoryStorage):
    """``limits``' storage in memory, its expired hits pruned at most once a second. The
    library starts a timer thread to prune 10 ms after a hit whenever none is running:
    under eventlet, at the rates of public reads, that cost more than the reads themselves
    (verification 67% → 94% of ``/livez``'s rate without it, docs/performance.md). Pruning
    only frees memory: whether a hit is within its window is read from the hits' own times.
    It replaces the library's private method (``limits`` is pinned; a test checks it)."""

    def __init__(self):
        super().__init__()
        self.pruned_at = 0.0

    def _MemoryStorage__schedule_expiry(self):
        now = time.monotonic()
        if now - self.pruned_at >= PRUNE_SECONDS:
            self.pruned_at = now
            super()._MemoryStorage__schedule_expiry()


class TooManyRequests(Problem):
    def __init__(self, retry_after):
        super().__init__(429, "Quá nhiều yêu cầu / Too many requests",
                         f"Vui lòng thử lại sau {retry_after} giây / "
                         f"Please retry in {retry_after} seconds",
                         headers={"Retry-After": str(retry_after)})


class RateLimits(DependencyProvider):
    def setup(self):
        config = self.container.config
        self.limits = {bucket: parse(str(config.get(f"RATE_LIMIT_{bucket.upper()}", default)))
                       for bucket, default in DEFAULTS.items()}
        self.proxy_hops = int(config.get("TRUSTED_PROXY_HOPS", 0))
        self.limiter = MovingWindowRateLimiter(PrunedMemoryStorage())

    def get_dependency(self, worker_ctx):
        return self

    def client_address(self, request):
        """The client's address: the socket's peer, or with ``proxy_hops`` trusted proxies
        the entry they added to ``X-Forwarded-For`` (entries before it are the client's
        own say and are not trusted)."""
        if self.proxy_hops:
            forwarded = [a.strip() for a in request.headers.get("X-Forwarded-For", "").split(",")
                         if a.strip()]
            if len(forwarded) >= self.proxy_hops:
                return forwarded[-self.proxy_hops]
        return request.remote_addr

    def check(self, bucket, key):
        """Count a call of ``key`` (a client address or a subject) in ``bucket``."""
        limit = self.limits[bucket]
        if not self.limiter.hit(limit, bucket, key):
            reset, _ = self.limiter.get_window_stats(limit, bucket, key)
            raise TooManyRequests(max(1, math.ceil(reset - time.time())))
