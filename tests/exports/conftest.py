from __future__ import annotations

from typing import Any

import pytest

from app.content.catalogue import ArtifactType
from tests.exports.contents import grounded_all


@pytest.fixture(scope="session")
def grounded() -> dict[ArtifactType, dict[str, Any]]:
    """Every artifact of the photosynthesis sample, as stored (read it, never change it)."""
    return grounded_all()
