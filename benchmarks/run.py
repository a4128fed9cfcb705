"""`make bench`: run every benchmark script in turn and print their tables."""

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).parent
ORDER = ["bench_server.py", "bench_history.py", "bench_wikipedia.py", "bench_accuracy.py", "bench_extension.py"]


def main() -> int:
    failed = 0
    for name in ORDER:
        script = HERE / name
        if not script.exists():
            continue
        print(f"\n== {name} ==", flush=True)
        failed |= subprocess.call([sys.executable, str(script)]) != 0
    return failed


if __name__ == "__main__":
    sys.exit(main())
