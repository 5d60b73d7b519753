"""`make breaking` compares the contracts with the ones that last landed, and can fail."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.support import ROOT

FIELD = "  string display_name = 4;\n"
USERS = Path("proto/meshwork/users/v1/resources.proto")


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
        cwd=repo, capture_output=True, text=True, check=True,
    )  # fmt: skip
    return done.stdout.strip()


@pytest.fixture
def landed(tmp_path: Path) -> Path:
    """A repository whose one commit holds the contracts as they are now, recorded as the
    baseline, with the project's Makefile and its installed buf."""
    for part in ("proto", "tests/proto"):
        shutil.copytree(ROOT / part, tmp_path / part)
    for part in ("buf.yaml", "Makefile"):
        shutil.copy(ROOT / part, tmp_path / part)
    subprocess.run(["make", "-s", "-C", str(ROOT), ".tools/node_modules/.bin/buf"], check=True)
    (tmp_path / ".tools").symlink_to(ROOT / ".tools")
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", "proto", "tests", "buf.yaml", "Makefile")
    git(tmp_path, "commit", "-q", "-m", "landed")
    (tmp_path / ".ci").mkdir()
    (tmp_path / ".ci" / "contracts-baseline").write_text(git(tmp_path, "rev-parse", "HEAD"))
    return tmp_path


def change_and_commit(repo: Path, old: str, new: str) -> None:
    path = repo / USERS
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))
    git(repo, "commit", "-q", "-am", "change the contract")


def breaking(repo: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["make", "-s", "breaking"], cwd=repo, capture_output=True, text=True, timeout=120
    )


def test_a_deleted_field_fails_make_breaking(landed: Path) -> None:
    change_and_commit(landed, FIELD, "  reserved 4;\n")
    result = breaking(landed)
    assert result.returncode != 0
    assert "display_name" in result.stdout + result.stderr


def test_an_added_field_passes_make_breaking(landed: Path) -> None:
    change_and_commit(landed, FIELD, FIELD + "  // A nickname.\n  string nickname = 99;\n")
    result = breaking(landed)
    assert result.returncode == 0, result.stdout + result.stderr
