"""gcmalign: map migration-dialogue activities to the Global Compact for Migration.

The library API is the pipeline in :mod:`gcmalign.pipeline`::

    from gcmalign import analyze_file
    result = analyze_file("report.txt")
"""

from __future__ import annotations

from typing import Any

__all__ = ["analyze_file", "analyze_text"]
__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    # Lazy, so that importing a submodule does not load the pipeline and its models.
    if name in __all__:
        from gcmalign import pipeline

        return getattr(pipeline, name)
    raise AttributeError(name)
