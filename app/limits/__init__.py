"""Abuse protection: rate limits on requests, and daily token quotas on what they make the models do."""
