"""Shared fixtures: paths to the shared seed (skipped where absent) and a fast classifier."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
SEED = SHARED / "seed" / "rabat-process-gcm-alignment.txt"
GOLD = SHARED / "seed" / "gold.json"
SAMPLES = ROOT / "samples"


@pytest.fixture(scope="session")
def seed_path() -> Path:
    if not SEED.exists():
        pytest.skip("the shared seed document is not on this machine")
    return SEED


@pytest.fixture(scope="session")
def classifier_fast():
    from gcmalign.classify import Classifier

    return Classifier("gcm", config="fast")
