"""Generates Python code from the protos into gen/ (and tests/gen/), or checks it is fresh."""

from __future__ import annotations

import argparse
import filecmp
import shutil
import sys
import tempfile
from pathlib import Path

from grpc_tools import protoc

ROOT = Path(__file__).resolve().parent.parent
# (proto root to compile, extra include roots, output folder); paths relative to ROOT.
TARGETS = [
    ("proto/meshwork", ["proto"], "gen"),
    ("tests/proto/meshwork", ["proto", "tests/proto"], "tests/gen"),
]

#: Where, inside each output folder, the descriptor set with source info is written.
DESCRIPTOR_SET = "meshwork/descriptors.binpb"


def generate(out_root: Path) -> None:
    """Compiles every target into out_root/<output folder>, replacing what was there."""
    well_known = Path(protoc.__file__).parent / "_proto"
    for source, includes, output in TARGETS:
        out = out_root / output
        shutil.rmtree(out / "meshwork", ignore_errors=True)
        out.mkdir(parents=True, exist_ok=True)
        files = sorted(str(p.relative_to(ROOT)) for p in (ROOT / source).rglob("*.proto"))
        args = ["protoc", *(f"-I{ROOT / inc}" for inc in includes), f"-I{well_known}"]
        args += [f"--python_out={out}", f"--pyi_out={out}", f"--grpc_python_out={out}"]
        # The same files with their comments, so reflection (grpcurl describe) can show them.
        args += [f"--descriptor_set_out={out / DESCRIPTOR_SET}", "--include_source_info"]
        args += [str(ROOT / f) for f in files]
        if protoc.main(args) != 0:
            raise SystemExit(f"protoc failed for {source}")


def stale_files(left: Path, right: Path) -> list[str]:
    """Lists files that differ between two generated trees (ignoring bytecode caches)."""
    cmp = filecmp.dircmp(left, right, ignore=["__pycache__"])
    found = [str(Path(left, n)) for n in cmp.left_only + cmp.right_only + cmp.diff_files]
    for name in cmp.common_dirs:
        found += stale_files(left / name, right / name)
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true", help="fail when gen/ is stale")
    check = parser.parse_args().check
    if not check:
        generate(ROOT)
        return
    with tempfile.TemporaryDirectory() as tmp:
        generate(Path(tmp))
        stale = []
        for _, _, output in TARGETS:
            stale += stale_files(ROOT / output / "meshwork", Path(tmp) / output / "meshwork")
    if stale:
        print("generated code is stale; run `make gen` and commit:", *stale, sep="\n  ")
        sys.exit(1)
    print("generated code is fresh")


if __name__ == "__main__":
    main()
