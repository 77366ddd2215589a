"""Where things live: the repository root, params/, the bundled sample inbox, outputs/."""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
ROOT = PACKAGE_DIR.parent.parent
PARAMS_DIR = Path(os.environ.get("YONGGONG_PARAMS", ROOT / "params"))
SAMPLE_INBOX = ROOT / "sample_inbox"
OUTPUTS = ROOT / "outputs"
NOTEBOOKS = ROOT / "notebooks"
RESTRICTED = "restricted"  # the subfolder of an outputs folder that alone may hold personal data
