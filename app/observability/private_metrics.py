"""The Prometheus exposition on a loopback port of its own (``CF_METRICS_PORT``), for a collector in the same
instance: on Cloud Run the Managed Service for Prometheus sidecar shares the instance's network and scrapes
``127.0.0.1:<port>/metrics``, which sends no token. Cloud Run's ingress forwards only to ``PORT``, so nothing
outside the instance reaches this listener; ``GET /metrics`` on the service port keeps its bearer token.

The listener is prometheus_client's WSGI server in a thread of its own, so a scrape costs the event loop
nothing; ``cf_jobs_in_flight`` is kept fresh by a task in the loop (``keep_fresh``), as a scrape here cannot
await the store.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from prometheus_client import start_wsgi_server

from app.observability.jobs import IN_FLIGHT_REFRESH_SECONDS, JobsInFlight
from app.observability.metrics import Metrics

log = logging.getLogger(__name__)
LOOPBACK = "127.0.0.1"


def serve_privately(metrics: Metrics, port: int) -> Callable[[], None]:
    """Start the loopback listener; the function that stops it."""
    server, thread = start_wsgi_server(port, addr=LOOPBACK, registry=metrics.scrape_registry())

    def stop() -> None:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)

    return stop


async def keep_fresh(in_flight: JobsInFlight, every_seconds: float = IN_FLIGHT_REFRESH_SECONDS) -> None:
    """Refresh the in-flight gauges every so often until cancelled; a failed read is logged and tried again."""
    while True:
        try:
            await in_flight.refresh()
        except Exception as exc:  # the store is down: the gauges keep their last values, readiness reports it
            log.warning("jobs in flight not refreshed: %s", type(exc).__name__)
        await asyncio.sleep(every_seconds)
