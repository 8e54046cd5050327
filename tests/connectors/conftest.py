"""Fixtures: a recorded sandbox world served on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from connectors.sandbox.server import SandboxServer
from connectors.sandbox.world import World, recorded_world


@pytest.fixture
def world() -> World:
    return recorded_world()


@pytest.fixture
def sandbox(world: World) -> Iterator[SandboxServer]:
    with SandboxServer(world) as server:
        yield server
