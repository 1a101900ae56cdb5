"""The package as published: its version, its exports, its model map and its README's quick start."""

from __future__ import annotations

import ast
import inspect
import re
import tomllib
from pathlib import Path

import content_factory_client
from content_factory_client import models
from pydantic import BaseModel

SDK = Path(__file__).parent.parent


def test_the_version_is_the_distributions() -> None:
    project = tomllib.loads((SDK / "pyproject.toml").read_text())["project"]
    assert project["version"] == content_factory_client.VERSION


def test_everything_exported_exists() -> None:
    assert all(hasattr(content_factory_client, name) for name in content_factory_client.__all__)


def test_every_model_names_the_server_component_it_mirrors() -> None:
    exported = [getattr(models, name) for name in models.__all__]
    public = {cls for cls in exported if inspect.isclass(cls) and issubclass(cls, BaseModel)}
    # JobChange is the data of a stream's `change` event, which OpenAPI does not describe.
    assert public - set(models.SERVER_SCHEMAS) == {models.JobChange}


def test_the_readme_quick_start_is_one_python_block_of_public_names() -> None:
    readme = (SDK / "README.md").read_text()
    blocks = re.findall(r"```python\n(.*?)```", readme, flags=re.DOTALL)
    assert len(blocks) == 1
    tree = ast.parse(blocks[0])
    imported = {
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module == "content_factory_client"
        for alias in node.names
    }
    assert imported
    assert imported <= set(content_factory_client.__all__)
