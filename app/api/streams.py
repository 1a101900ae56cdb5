"""How many job event streams this process holds open, within ``CF_EVENTS_MAX_STREAMS``."""

from __future__ import annotations

from dataclasses import dataclass, field

from app.errors import ServiceUnavailable


@dataclass
class Streams:
    """The event streams open in this process, within a limit."""

    limit: int
    open: int = field(default=0)

    def take(self) -> None:
        if self.open >= self.limit:
            raise ServiceUnavailable(
                f"This instance already serves {self.limit} event streams; poll the job, or try again shortly.",
                code="too_many_streams",
                details={"limit_streams": self.limit},
                headers={"Retry-After": "5"},
            )
        self.open += 1

    def give_back(self) -> None:
        self.open -= 1
