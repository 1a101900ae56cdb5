"""Real local services for tests (Redis, Firestore emulator, Cloud Tasks emulator): see ``local.py``."""
