"""The distribution's version, sent in the User-Agent (a test holds it equal to ``pyproject.toml``)."""

VERSION = "0.1.0"
