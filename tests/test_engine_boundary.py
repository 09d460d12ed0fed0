"""The measurement engine never imports Django: it must run in a notebook or the CLI alone."""

from __future__ import annotations

import subprocess
import sys


def test_importing_every_engine_module_loads_no_django() -> None:
    code = (
        "import importlib, pkgutil, sys\n"
        "import vrijuit.stats as s\n"
        "for m in pkgutil.walk_packages(s.__path__, 'vrijuit.stats.'):\n"
        "    importlib.import_module(m.name)\n"
        "bad = sorted(n for n in sys.modules if n == 'django' or n.startswith('django.'))\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
