"""Generated code: regeneration is deterministic, and a stale gen/ is caught."""

from __future__ import annotations

import filecmp
import shutil
import subprocess
import sys
from pathlib import Path

from tests.support import ROOT

COPIED = ["proto", "tests/proto", "scripts", "gen", "tests/gen"]


def checkout_copy(tmp_path: Path) -> Path:
    for part in COPIED:
        shutil.copytree(ROOT / part, tmp_path / part, ignore=shutil.ignore_patterns("__pycache__"))
    return tmp_path


def protogen(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(root / "scripts" / "protogen.py"), *args],
        capture_output=True,
        text=True,
        timeout=120,
    )


def same_tree(left: Path, right: Path) -> bool:
    cmp = filecmp.dircmp(left, right, ignore=["__pycache__"])
    if cmp.left_only or cmp.right_only or cmp.diff_files:
        return False
    return all(same_tree(left / d, right / d) for d in cmp.common_dirs)


def test_the_committed_generated_code_is_fresh(tmp_path: Path) -> None:
    result = protogen(checkout_copy(tmp_path), "--check")
    assert result.returncode == 0, result.stdout + result.stderr


def test_generating_twice_changes_nothing(tmp_path: Path) -> None:
    root = checkout_copy(tmp_path)
    assert protogen(root).returncode == 0
    first = tmp_path.parent / f"{tmp_path.name}-first"
    shutil.copytree(root / "gen", first)
    assert protogen(root).returncode == 0
    assert same_tree(first, root / "gen")
    assert same_tree(root / "gen", ROOT / "gen")


def test_a_changed_contract_makes_the_check_fail_naming_the_file(tmp_path: Path) -> None:
    root = checkout_copy(tmp_path)
    options = root / "proto" / "meshwork" / "options" / "v1" / "options.proto"
    options.write_text(options.read_text().replace("Who may call the method.", "Who calls."))
    result = protogen(root, "--check")
    assert result.returncode == 1
    assert "stale" in result.stdout
    assert "descriptors.binpb" in result.stdout
