"""Webhooks: endpoints an owner registers to hear their jobs' events (``docs/events.md``), signed, retried with
backoff, every attempt recorded."""
