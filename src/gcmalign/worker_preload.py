"""Imported once by the forkserver that starts the reading workers (see ``batch._new_pool``).

Every worker is forked from that server, so what this module loads (the readers, PyMuPDF, the
framework titles that callouts are matched against, the country and partner tables) is loaded
once per run instead of once per worker: this is most of a worker's start-up time. The import
has these side effects on purpose; nothing else imports this module.
"""

from __future__ import annotations

import gcmalign.batch  # noqa: F401  (the worker's entry point)
from gcmalign.extract import entities
from gcmalign.ingest import pdf


def warm() -> None:
    """Import the PDF library and build the tables every reader uses."""
    import pymupdf  # noqa: F401

    pdf._refs()
    entities._country_index()
    entities._partner_index()


warm()
