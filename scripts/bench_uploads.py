"""How fast and how cheaply crafted workbooks are refused (issue 16: < 1 s, < 100 MiB).

Run: ``python scripts/bench_uploads.py``.  Each hostile file is built in memory
(tests/security/crafted.py) and read by the import reader with the default limits; the
script prints its size, the answer, the wall time and the peak memory traced by
tracemalloc (Python allocations, which is what grew to 451 MiB before the limits).
"""

from __future__ import annotations

import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from responder.services import imports
from tests.security import crafted

CASES = {
    "300,000 rows": crafted.many_rows,
    "claims A1:XFD2000": crafted.claimed_range,
    "value in column XFD": crafted.far_column,
    "unpacks to 64 MiB": crafted.bomb,
}


def main() -> None:
    imports.read_table(crafted.many_rows(5), aliases={"name": "name"})  # warm up the imports
    print(f"{'file':22} {'bytes':>8} {'seconds':>8} {'peak MiB':>9}  answer")
    for name, make in CASES.items():
        data = make()
        tracemalloc.start()
        started = time.perf_counter()
        try:
            imports.read_table(data, aliases={"name": "name"})
            answer = "accepted"
        except imports.UploadTooLarge as error:
            answer = f"{error.status}: {error.message}"
        elapsed = time.perf_counter() - started
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        print(f"{name:22} {len(data):>8} {elapsed:>8.3f} {peak / 2**20:>9.1f}  {answer}")


if __name__ == "__main__":
    main()
