"""Fetch (or check) the map's JavaScript/CSS under responder/static/vendor/ from npm packages.

The files are committed, so a clean clone serves maps offline without this script.  It exists
to make them reproducible and to repair a damaged copy:

    python scripts/vendor_assets.py            # check; fetch with `npm pack` only if missing
    python scripts/vendor_assets.py --refresh  # fetch everything again (after a version bump)

The package list and the files kept from each are in responder/mapping/assets.py.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

from responder.mapping.assets import PACKAGES, VendorPackage

ROOT = Path(__file__).resolve().parent.parent

VENDOR = ROOT / "responder" / "static" / "vendor"


def missing(package: VendorPackage) -> list[str]:
    """The files of ``package`` not present under vendor/."""
    return [dest for dest in package.files.values() if not (VENDOR / dest).is_file()]


def fetch(package: VendorPackage, workdir: Path) -> None:
    """Download the package tarball with npm and copy the files we keep."""
    npm = shutil.which("npm")
    if npm is None:
        raise SystemExit(f"npm is needed to fetch {package.spec} (apt-get install npm)")
    out = subprocess.run(
        [npm, "pack", "--silent", "--pack-destination", str(workdir), package.spec],
        check=True,
        capture_output=True,
        text=True,
    )
    tarball = workdir / out.stdout.strip().splitlines()[-1]
    with tarfile.open(tarball) as archive:
        for source, dest in package.files.items():
            member = archive.extractfile(source)
            if member is None:
                raise SystemExit(f"{package.spec} has no file {source}")
            target = VENDOR / dest
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(member.read())
    print(f"vendored {package.spec}: {len(package.files)} files")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--refresh", action="store_true", help="fetch every package again")
    args = parser.parse_args()
    todo = [p for p in PACKAGES if args.refresh or missing(p)]
    if not todo:
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        for package in todo:
            fetch(package, Path(tmp))
    return 0


if __name__ == "__main__":
    sys.exit(main())
