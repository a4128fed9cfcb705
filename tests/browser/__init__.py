"""Browser tests: real Chromium with the unpacked extension against the real server.

A package, so its conftest is imported as `browser.conftest` and never shadows tests/conftest.py (which
other test modules import from by name). The folder also goes on sys.path so `import harness` works the
same here and in benchmarks/bench_extension.py.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
