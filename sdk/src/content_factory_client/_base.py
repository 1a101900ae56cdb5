"""The base of every body model: unknown fields ignored (a server that adds one breaks no client), frozen."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Body(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)
