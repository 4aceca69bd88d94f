"""What every test shares: subprocesses run this checkout's code.

Tests start ``sys.executable -m paperlink``, the benchmark scripts and pre-commit's hook in
other folders. There Python would import whichever paperlink is installed (an editable
install of another checkout, a release), so the folder holding this checkout's ``paperlink/``
leads ``PYTHONPATH`` for every process the tests start. The wheel test removes it on purpose.
"""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def pytest_configure() -> None:
    entries = [entry for entry in os.environ.get("PYTHONPATH", "").split(os.pathsep) if entry]
    if entries[:1] != [str(ROOT)]:
        os.environ["PYTHONPATH"] = os.pathsep.join([str(ROOT), *entries])
