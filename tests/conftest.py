"""Shared fixtures: paths to the shared seed and corpus (skipped where absent) and a fast classifier."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# The team's shared folder (seed report, corpus) sits beside the repository; a clone elsewhere
# points at it with GCMALIGN_SHARED, and the tests that need it skip where it is absent.
SHARED = Path(os.environ.get("GCMALIGN_SHARED") or ROOT.parent / "shared")
SEED = SHARED / "seed" / "rabat-process-gcm-alignment.txt"
GOLD = SHARED / "seed" / "gold.json"
CORPUS = SHARED / "corpus"
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
