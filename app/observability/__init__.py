"""Observability: Prometheus metrics (``metrics``), structured logs (``logging``), Sentry (``sentry``), the
request middleware that ties them to each request, ``/metrics`` (``endpoints``), and the job-store view of
jobs (``jobs``). Alerts, the dashboard and the runbook live in ``infra/`` and ``docs/runbook.md``."""
