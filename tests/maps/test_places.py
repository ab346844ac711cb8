"""The street-name index: accent- and case-insensitive prefix search with Danish letters."""

from __future__ import annotations

import numpy as np

from maps.places import Place, PlaceIndex, build_index, fold
from routing.network.ways import OsmData, OsmWay


def _index(*names: str) -> PlaceIndex:
    ways = tuple(
        OsmWay(i + 1, (10 * i + 1, 10 * i + 2), "residential", name=n) for i, n in enumerate(names)
    )
    ids = np.array(sorted(n for w in ways for n in w.node_ids), dtype=np.int64)
    lon = 12.5 + ids * 1e-4
    lat = 55.6 + ids * 1e-4
    return build_index([OsmData(ids, lon, lat, ways)])


def test_fold_spells_danish_letters_both_ways() -> None:
    """ø, æ, å fold to their short and long spellings; accents and case go."""
    assert fold("Nørre  Allé") == ("norre alle", "noerre alle")
    assert fold("Ærø Å") == ("aro a", "aeroe aa")


def test_search_finds_by_prefix_without_danish_keyboard() -> None:
    """Nørrebrogade is found as 'nørrebro', 'Norrebro' and 'noerrebrogade'; exact names first."""
    ix = _index("Nørrebrogade", "Nørrebros Runddel", "Jagtvej", "Dronning Louises Bro")
    for q in ("nørrebro", "Norrebro", "NOERREBRO"):
        assert [p.name for p in ix.search(q)] == ["Nørrebrogade", "Nørrebros Runddel"]
    assert [p.name for p in ix.search("noerrebrogade")] == ["Nørrebrogade"]
    assert [p.name for p in ix.search("louise")] == ["Dronning Louises Bro"]
    assert ix.search("xyz") == [] and ix.search("  ") == []
    assert ix.resolve("jagtvej") == Place("Jagtvej", ix.places[1].lon, ix.places[1].lat)


def test_one_place_per_name_on_its_ways() -> None:
    """Ways sharing a name make one place, at one of their nodes; unnamed ways none."""
    ix = _index("Ågade", "Ågade", "")
    assert [p.name for p in ix.places] == ["Ågade"]
    assert 12.5 < ix.places[0].lon < 12.51 and 55.6 < ix.places[0].lat < 55.61


def test_index_of_the_city_extracts_has_real_streets() -> None:
    """Copenhagen's extracts give hundreds of names; 'norrebro' finds Nørrebrogade."""
    from core.settings import Settings
    from routing.network.osm import load_osm

    ix = build_index(load_osm(Settings().city_profile().osm_files))
    assert len(ix) > 100
    assert "Nørrebrogade" in [p.name for p in ix.search("norrebro")]
