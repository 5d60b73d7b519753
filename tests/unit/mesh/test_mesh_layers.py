"""mesh's layers depend one way: events build on the database layer, never the reverse."""

from __future__ import annotations

import grimp


def test_the_database_layer_does_not_depend_on_events() -> None:
    graph = grimp.build_graph("mesh")

    chains = graph.find_shortest_chains(importer="mesh.db", imported="mesh.events")
    assert chains == set(), f"mesh.db reaches mesh.events: {sorted(chains)}"
    assert graph.chain_exists(importer="mesh.events", imported="mesh.db", as_packages=True)
