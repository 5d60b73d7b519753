"""Writes a new service from the kit: `python scripts/new_service.py ledger` (`make new-service`).

It writes the contract (proto/meshwork/<name>/v1/), the package (services/<name>/) in the one
anatomy, its migrations and tests and its Kubernetes resources, adds it to services/catalog.toml
on the next free port, to the README's services table and to the shared deployment files
(scripts/deployment.py), then regenerates gen/ and the Grafana dashboards. See
docs/adding-a-service.md.
"""

from __future__ import annotations

import argparse
import datetime
import keyword
import re
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import jinja2
from deployment import DeploymentError, Service, add_to_deployment

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = Path(__file__).resolve().parent / "scaffold"
#: In template paths, the folder or file-name part replaced by the service's name.
PLACEHOLDER = "NAME"
SUFFIX = ".jinja"
#: The ports a new service may take (gRPC, on a local stack).
PORTS = range(50050, 50100)
#: The catalogue's rule for a name (mesh.catalog): it becomes variables, packages, client ids.
_NAME = re.compile(r"^[a-z][a-z0-9]*$")
#: Long enough for a noun, short enough for the generated lines to stay in the line limit.
NAME_MAX = 16
#: Top-level names of this repository and the generated code's package parts.
_TAKEN = {"mesh", "meshwork", "services", "edge", "sandbox", "tests", "gen", "scripts", "bench"}
_TAKEN |= {"options", "deploy", "proto", "v1", "test"}


class ScaffoldError(ValueError):
    """The service cannot be written; the message says why and what to do."""


@dataclass(frozen=True, slots=True)
class Names:
    """Every spelling of the new service's name the templates use."""

    name: str
    plural: str
    port: int

    @property
    def context(self) -> dict[str, object]:
        return {
            "name": self.name,
            "Name": self.name.capitalize(),
            "NAME": self.name.upper(),
            "plural": self.plural,
            "Plural": self.plural.capitalize(),
            "port": self.port,
            "today": datetime.date.today().isoformat(),
        }


def plural_of(name: str) -> str:
    """The English plural of a simple noun: ledger → ledgers, policy → policies, box → boxes."""
    if name.endswith("y") and name[-2:-1] not in set("aeiou"):
        return name[:-1] + "ies"
    if name.endswith(("s", "x", "z", "ch", "sh")):
        return name + "es"
    return name + "s"


def check_name(name: str, root: Path) -> None:
    """Refuses a name the catalogue would refuse, or that is taken or would shadow a module."""
    if not _NAME.match(name):
        raise ScaffoldError(
            f"NAME {name!r} must be lowercase letters and digits, starting with a letter "
            "(it becomes a Python package, a proto package and environment variables), "
            "for example NAME=ledger"
        )
    if len(name) > NAME_MAX:
        raise ScaffoldError(f"NAME {name!r} is longer than {NAME_MAX} characters")
    if keyword.iskeyword(name) or keyword.issoftkeyword(name):
        raise ScaffoldError(f"NAME {name!r} is a Python keyword; choose another name")
    if name in sys.stdlib_module_names or name in _TAKEN:
        raise ScaffoldError(
            f"NAME {name!r} would shadow the module {name!r} "
            "(of the standard library or of this repository); choose another name"
        )
    catalogue = tomllib.loads((root / "services" / "catalog.toml").read_text())
    if name in catalogue.get("services", {}):
        raise ScaffoldError(f"NAME {name!r} is already a service in services/catalog.toml")
    for taken in (root / "services" / name, root / "proto" / "meshwork" / name):
        if taken.exists():
            raise ScaffoldError(f"NAME {name!r} is taken: {taken.relative_to(root)} exists")


def free_port(root: Path) -> int:
    """The port after the highest of PORTS the catalogue's services use, else the lowest free
    one of PORTS (services keep the order they were added in)."""
    catalogue = tomllib.loads((root / "services" / "catalog.toml").read_text())
    used = {entry["port"] for entry in catalogue.get("services", {}).values()}
    highest = max((port for port in used if port in PORTS), default=PORTS.start - 1)
    after = [port for port in PORTS if port > highest]
    port = next((port for port in [*after, *PORTS] if port not in used), None)
    if port is None:
        raise ScaffoldError(f"no free port left in {PORTS.start}-{PORTS.stop - 1}")
    return port


def templates() -> Iterator[Path]:
    """The template files, relative to TEMPLATES, in a stable order."""
    for path in sorted(TEMPLATES.rglob(f"*{SUFFIX}")):
        yield path.relative_to(TEMPLATES)


def target_of(template: Path, names: Names) -> Path:
    return Path(str(template).removesuffix(SUFFIX).replace(PLACEHOLDER, names.name))


def write_files(root: Path, names: Names) -> list[Path]:
    """Renders every template under `root`; returns the files written."""
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )
    written = []
    for template in templates():
        target = root / target_of(template, names)
        target.parent.mkdir(parents=True, exist_ok=True)
        rendered = environment.get_template(template.as_posix()).render(names.context)
        target.write_text(rendered)
        written.append(target)
    return written


def add_to_catalogue(root: Path, names: Names) -> None:
    """Adds `[services.<name>]` after the last service entry, before the edge's section."""
    path = root / "services" / "catalog.toml"
    lines = path.read_text().splitlines(keepends=True)
    edge = next(i for i, line in enumerate(lines) if line.strip() == "[edge]")
    while edge > 0 and lines[edge - 1].startswith("#"):  # the edge's own comment stays on it
        edge -= 1
    entry = f'[services.{names.name}]\nport = {names.port}\npackage = "services.{names.name}"\n\n'
    path.write_text("".join(lines[:edge]) + entry + "".join(lines[edge:]))


def add_to_readme(root: Path, names: Names) -> None:
    """Adds the service's row to the README's services table, after the last runnable one."""
    path = root / "README.md"
    lines = path.read_text().splitlines(keepends=True)
    header = next(i for i, line in enumerate(lines) if line.startswith("| service | port"))
    end = next(i for i in range(header, len(lines)) if not lines[i].startswith("|"))
    row = (
        f"| {names.name} | {names.port} | {names.plural} owned by users: create, get, list, "
        "update, delete (written by `make new-service`; describe it here) |\n"
    )
    path.write_text("".join(lines[:end]) + row + "".join(lines[end:]))


def run(root: Path, *command: str) -> None:
    subprocess.run(command, cwd=root, check=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("name", help="the service's name, a singular noun: ledger")
    parser.add_argument("--plural", help="the resource collection's name (default: name + s)")
    parser.add_argument("--root", type=Path, default=ROOT, help="the repository to write into")
    args = parser.parse_args(argv)
    root: Path = args.root.resolve()
    try:
        check_name(args.name, root)
        plural = args.plural or plural_of(args.name)
        if not _NAME.match(plural) or plural == args.name:
            raise ScaffoldError(f"--plural {plural!r} must be a lowercase word other than NAME")
        names = Names(args.name, plural, free_port(root))
    except ScaffoldError as error:
        print(f"new-service: {error}", file=sys.stderr)
        return 2
    written = write_files(root, names)
    add_to_catalogue(root, names)
    add_to_readme(root, names)
    try:
        add_to_deployment(root, Service(names.name, names.port))
    except DeploymentError as error:
        print(f"new-service: the service is written, but {error}", file=sys.stderr)
        return 1
    python = [str(f) for f in written if f.suffix == ".py"]
    try:
        # A name sorts its imports differently and a long one pushes lines past the limit:
        # ruff orders and wraps them as the house style does.
        run(root, sys.executable, "-m", "ruff", "check", "--select", "I", "--fix", "-q", *python)
        run(root, sys.executable, "-m", "ruff", "format", "--quiet", *python)
        run(root, sys.executable, "scripts/protogen.py")
        run(root, sys.executable, "-m", "deploy.grafana.dashboards")  # one dashboard each
    except subprocess.CalledProcessError as error:
        print(f"new-service: the files are written, but {error.cmd[1:]} failed", file=sys.stderr)
        return 1
    print(
        f"new-service: wrote services/{names.name} (port {names.port}), "
        f"proto/meshwork/{names.name}/v1 and its tests; next: docs/adding-a-service.md"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
