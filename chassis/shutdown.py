"""Graceful, bounded shutdown: what every process does on SIGTERM (``nameko run`` stops
its container), in three steps.

1. ``/readyz`` answers 503 (``shutdown``) for ``SHUTDOWN_DRAIN_SECONDS``, while the
   process still works as before: whatever routes work to it (a Kubernetes Service, a
   load balancer) stops doing so first.
2. nameko's own stop: the entrypoints stop taking work (consumers cancel, the HTTP
   servers close), the workers in flight finish, then the dependencies stop; the
   operations server (``chassis.web.Operations``) last, so ``/readyz`` keeps answering 503.
3. If the workers in flight have not finished within ``SHUTDOWN_SECONDS``, the container is
   killed. What they were handling was not acknowledged, so the broker delivers it again
   to the next process: an event handler's duplicate check and a redelivered RPC request's
   refusal (``chassis.rpc``) keep it from being done twice.

Selected in each process's config as ``SERVICE_CONTAINER_CLS``.
"""
import logging

import eventlet
from nameko.containers import ServiceContainer

log = logging.getLogger(__name__)


class GracefulContainer(ServiceContainer):
    draining = False  # read by /readyz (chassis.web)

    def stop(self):
        if self.draining or self._being_killed or self._died.ready():
            return super().stop()
        drain = float(self.config.get("SHUTDOWN_DRAIN_SECONDS", 2))
        limit = float(self.config.get("SHUTDOWN_SECONDS", 20))
        self.draining = True
        log.info("stopping: not ready for %gs, then in-flight work gets %gs to finish",
                 drain, limit)
        eventlet.sleep(drain)
        stopping = eventlet.spawn(super().stop)
        with eventlet.Timeout(limit, False):
            stopping.wait()
            return
        log.warning("in-flight work did not finish within %gs: killed, the broker will "
                    "deliver what it was handling again", limit)
        stopping.kill()
        self.kill()
