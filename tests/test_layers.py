"""The layers of ``app``, bottom to top, read from the imports themselves (``docs/ARCHITECTURE.md``).

A module may import from its own package and from packages in lower layers, never from its own layer's other
packages or from above. An import that points up means the module is in the wrong place: move it.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

APP = Path(__file__).resolve().parent.parent / "app"

LAYERS: tuple[tuple[str, ...], ...] = (
    ("config", "errors", "asgi", "paging"),
    ("content",),
    ("sources", "exports", "audio"),
    ("jobs",),
    ("limits", "observability", "webhooks"),
    ("auth",),
    ("llm", "extractive", "worker"),
    ("adapters",),
    ("api",),
    ("main",),
    ("__main__",),
)
RANK = {package: rank for rank, layer in enumerate(LAYERS) for package in layer}
# Within the bottom layer the modules form a line too: settings, errors, the ASGI helpers, page cursors.
BOTTOM_ORDER = {"config": 0, "errors": 1, "asgi": 2, "paging": 3}


def package_of(module: str) -> str:
    """``app.jobs.service`` -> ``jobs``; ``app.main`` -> ``main``."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def module_name(path: Path, root: Path = APP) -> str:
    parts = path.relative_to(root.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported(path: Path) -> list[tuple[int, str]]:
    """Every ``app.*`` module the file imports, with its line; imports under ``TYPE_CHECKING`` count too."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module] if node.module != "app" else [f"app.{a.name}" for a in node.names]
            found += [(node.lineno, name) for name in names if name.startswith("app.")]
        elif isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names if a.name.startswith("app.")]
    return found


def violations(root: Path = APP) -> list[str]:
    problems: list[str] = []
    for path in sorted(root.rglob("*.py")):
        source = module_name(path, root)
        if source == "app":
            continue
        here = package_of(source)
        if here not in RANK:
            problems.append(f"{path.relative_to(root.parent)}: package '{here}' is in no layer (add it to LAYERS)")
            continue
        for line, target in imported(path):
            there = package_of(target)
            if there == here:
                continue
            if there not in RANK:
                problems.append(f"{path.relative_to(root.parent)}:{line} imports {target}: '{there}' is in no layer")
            elif RANK[there] > RANK[here] or (RANK[there] == RANK[here] and here not in BOTTOM_ORDER):
                problems.append(
                    f"{path.relative_to(root.parent)}:{line} imports {target}: '{here}' may not import '{there}'"
                )
            elif here in BOTTOM_ORDER and BOTTOM_ORDER[there] > BOTTOM_ORDER[here]:
                problems.append(f"{path.relative_to(root.parent)}:{line} imports {target}: '{here}' is below it")
    return problems


def test_every_import_points_down() -> None:
    assert violations() == []


@pytest.mark.parametrize(
    ("package", "forbidden"),
    [
        ("jobs", {"llm", "extractive", "worker", "adapters", "api"}),
        ("content", {"jobs", "observability", "llm", "extractive", "worker", "adapters", "api"}),
    ],
)
def test_lower_packages_stay_below(package: str, forbidden: set[str]) -> None:
    reached = {
        f"{module_name(path)} -> {target}"
        for path in (APP / package).rglob("*.py")
        for _, target in imported(path)
        if package_of(target) in forbidden
    }
    assert reached == set()


def test_only_the_entry_points_import_the_api() -> None:
    importers = {
        module_name(path)
        for path in APP.rglob("*.py")
        if package_of(module_name(path)) != "api" and any(package_of(t) == "api" for _, t in imported(path))
    }
    assert importers <= {"app.main", "app.__main__"}


def test_the_checker_names_an_upward_import(tmp_path: Path) -> None:
    root = tmp_path / "app"
    (root / "jobs").mkdir(parents=True)
    (root / "jobs" / "service.py").write_text("import app.content.models\nfrom app.api.deps import Services\n")
    (root / "content").mkdir()
    (root / "content" / "models.py").write_text("from app import jobs\n")
    assert violations(root) == [
        "app/content/models.py:1 imports app.jobs: 'content' may not import 'jobs'",
        "app/jobs/service.py:2 imports app.api.deps: 'jobs' may not import 'api'",
    ]
