"""The service catalogue: the real file lists every service there is, and a bad entry is named."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from mesh.catalog import CATALOG_FILE, CatalogError, catalog, load_catalog
from tests.support import ROOT

VALID = """
[services.widgets]
port = 50101
package = "services.widgets"

[services.gadgets]
port = 50102

[edge]
port = 8080
package = "edge"

[clients]
cli = "developers' tools"
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "services.toml"
    path.write_text(text)
    return path


def refusal(tmp_path: Path, text: str) -> str:
    path = write(tmp_path, text)
    with pytest.raises(CatalogError) as caught:
        load_catalog(path)
    message = str(caught.value)
    assert str(path) in message
    return message


class TestThePlatformsCatalogue:
    def test_it_is_the_file_beside_the_service_packages(self) -> None:
        assert CATALOG_FILE == ROOT / "services" / "catalog.toml"
        assert catalog().path == CATALOG_FILE

    def test_every_service_package_with_an_entry_point_is_listed_and_runnable(self) -> None:
        packages = {path.parent.name for path in (ROOT / "services").glob("*/__main__.py")}
        runnable = {entry.name: entry.package for entry in catalog().runnable}
        assert runnable == {name: f"services.{name}" for name in packages}

    def test_every_runnable_entry_names_a_package_python_can_run(self) -> None:
        for entry in catalog().runnable:
            assert importlib.util.find_spec(f"{entry.package}.__main__"), entry.name
        assert importlib.util.find_spec(f"{catalog().edge.package}.__main__")

    def test_every_contract_in_proto_is_listed_and_every_entry_has_one(self) -> None:
        contracts = {
            path.parent.parent.name for path in (ROOT / "proto/meshwork").glob("*/v1/errors.proto")
        }
        assert contracts == set(catalog().names)

    def test_the_edge_and_the_cli_obtain_tokens_besides_the_services(self) -> None:
        assert catalog().client_ids == (*catalog().names, "edge", "cli")


def test_what_follows_from_a_services_name(tmp_path: Path) -> None:
    widgets = load_catalog(write(tmp_path, VALID)).service("widgets")
    assert widgets.runnable
    assert widgets.client_id == "widgets"
    assert widgets.env_prefix == "WIDGETS_"
    assert widgets.address_setting == "widgets_address"
    assert widgets.address_variable == "MESHWORK_WIDGETS_ADDRESS"
    assert widgets.local_address == "127.0.0.1:50101"
    assert widgets.proto_package == "meshwork.widgets.v1"
    assert widgets.error_domain == "widgets.meshwork"


def test_services_keep_the_files_order_and_only_packaged_ones_run(tmp_path: Path) -> None:
    loaded = load_catalog(write(tmp_path, VALID))
    assert loaded.names == ("widgets", "gadgets")
    assert [entry.name for entry in loaded.runnable] == ["widgets"]
    assert loaded.client_ids == ("widgets", "gadgets", "cli")


def test_an_unknown_service_is_refused_naming_the_ones_listed(tmp_path: Path) -> None:
    with pytest.raises(KeyError, match="it lists widgets, gadgets"):
        load_catalog(write(tmp_path, VALID)).service("gizmos")


class TestAMalformedCatalogueIsRefusedNamingTheEntry:
    def test_a_port_that_is_not_a_number(self, tmp_path: Path) -> None:
        message = refusal(tmp_path, VALID.replace("port = 50102", 'port = "50102"'))
        assert "[services.gadgets] port must be an integer from 1 to 65535, got '50102'" in message

    def test_a_port_out_of_range(self, tmp_path: Path) -> None:
        message = refusal(tmp_path, VALID.replace("port = 50101", "port = 70000"))
        assert "[services.widgets] port" in message

    def test_a_missing_port(self, tmp_path: Path) -> None:
        message = refusal(tmp_path, VALID.replace("port = 50102\n", ""))
        assert "[services.gadgets] port must be an integer" in message

    def test_a_misspelt_key(self, tmp_path: Path) -> None:
        message = refusal(tmp_path, VALID.replace('package = "services', 'pakage = "services'))
        assert "[services.widgets] has unknown keys ['pakage']" in message

    def test_a_package_that_is_not_a_module_name(self, tmp_path: Path) -> None:
        message = refusal(tmp_path, VALID.replace('services.widgets"', 'services/widgets"'))
        assert "[services.widgets] package must be a module name" in message

    def test_a_name_unfit_for_variables_and_proto_packages(self, tmp_path: Path) -> None:
        message = refusal(tmp_path, VALID.replace("[services.gadgets]", "[services.Gad-gets]"))
        assert "[services.Gad-gets]: a service name is lower-case letters and digits" in message

    def test_two_services_on_one_port(self, tmp_path: Path) -> None:
        message = refusal(tmp_path, VALID.replace("port = 50102", "port = 50101"))
        assert "[services.gadgets] port 50101 is already [services.widgets]'s" in message

    def test_a_service_on_the_edges_port(self, tmp_path: Path) -> None:
        message = refusal(tmp_path, VALID.replace("port = 50102", "port = 8080"))
        assert "[edge] port 8080 is already [services.gadgets]'s" in message

    def test_a_client_that_is_also_a_service(self, tmp_path: Path) -> None:
        message = refusal(tmp_path, VALID + 'widgets = "again"\n')
        assert "[clients] widgets is a service" in message

    def test_no_edge(self, tmp_path: Path) -> None:
        message = refusal(tmp_path, VALID.replace('[edge]\nport = 8080\npackage = "edge"\n', ""))
        assert "a [edge] table is required" in message

    def test_an_unknown_table(self, tmp_path: Path) -> None:
        message = refusal(tmp_path, VALID + "[registry]\nurl = 'x'\n")
        assert "the top level has unknown keys ['registry']" in message

    def test_no_services(self, tmp_path: Path) -> None:
        message = refusal(tmp_path, "services = {}\n" + VALID[VALID.index("[edge]") :])
        assert "[services] lists no service" in message

    def test_text_that_is_not_toml(self, tmp_path: Path) -> None:
        message = refusal(tmp_path, VALID.replace("port = 50102", "port = "))
        assert "is not valid TOML" in message

    def test_a_missing_file(self, tmp_path: Path) -> None:
        with pytest.raises(CatalogError, match=r"nowhere\.toml does not exist"):
            load_catalog(tmp_path / "nowhere.toml")
