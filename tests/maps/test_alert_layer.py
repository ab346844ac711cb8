"""The live map's bins tell their status without colour (size, dashes, a label) with their
predicted-full time; the alert markers, the alert panel's words in both languages, the legend,
and hostile text escaped for HTML and for folium's JavaScript template literals."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import folium

from api.alert_texts import alert_text, alert_views, alerts_html
from api.i18n import Lang
from api.live_page import legend_html, map_labels
from fleet.alerts.types import Alert, AlertKind, Evidence
from maps.geojson import bins_geojson
from maps.layers import alerts_layer, bins_layer, safe_text
from maps.pages import operations_map
from maps.views import AlertView, BinView
from tests.cities import COPENHAGEN, COPENHAGEN_TZ

T = datetime(2025, 3, 5, 12, 0, tzinfo=UTC)  # 13:00 in Copenhagen
BINS = [
    BinView("low", 12.56, 55.68, "A", 0.1, 0.2, 0.8, T + timedelta(hours=30)),
    BinView("half", 12.57, 55.68, "B", 0.5, 0.6),
    BinView("full", 12.58, 55.68, "C", 0.9, 1.0, 0.8, T),
    BinView("none", 12.59, 55.68, "D", None),
]


def _circles(group: folium.FeatureGroup) -> list[folium.CircleMarker]:
    return [c for c in group._children.values() if isinstance(c, folium.CircleMarker)]


def _tooltip(marker: folium.Map) -> str:
    return next(str(c.text) for c in marker._children.values() if isinstance(c, folium.Tooltip))


def test_bins_differ_by_size_dashes_and_label_not_only_colour() -> None:
    circles = _circles(bins_layer(BINS))
    assert [c.options["radius"] for c in circles] == [4, 6, 8, 5]
    assert [c.options.get("dashArray") for c in circles] == [None, None, None, "3 3"]
    assert [c.options["className"].split()[-1] for c in circles] == [
        "fill-low",
        "fill-filling",
        "fill-full",
        "fill-unknown",
    ]
    tips = [_tooltip(c) for c in circles]
    assert tips[0].startswith("low A: below half full · 10% now, 20% forecast")
    assert tips[0].endswith("predicted full: 2025-03-06 18:00")
    assert tips[1].endswith("predicted full: not within the forecast horizon")
    assert tips[3].startswith("none D: no reading") and tips[3].endswith("no forecast")


def test_bin_tooltips_in_danish() -> None:
    tips = [_tooltip(c) for c in _circles(bins_layer(BINS, "Kurve", map_labels(Lang.DA)))]
    assert tips[2] == "full C: fuld · 90% nu, 100% prognose · forventes fuld: 2025-03-05 12:00"


def test_hostile_ids_and_streets_are_escaped_for_html_and_template_literals() -> None:
    """A backtick, ``${`` or a backslash would end or run code in folium's tooltip template
    literal; tags would run as HTML. The rendered map holds none of them raw."""
    street = "</script><img src=x onerror=alert(1)>`${document.cookie}`\\"
    assert safe_text(street) == (
        "&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;&#96;&#36;{document.cookie}&#96;&#92;"
    )
    bins = [BinView("b`${1}", 12.56, 55.68, street, 0.5)]
    alerts = [AlertView("b`${1}", street, 12.56, 55.68, ("low_battery",), (street,))]
    html = (
        operations_map(bins, [], [], "/static", city_centre=COPENHAGEN.map_centre, alerts=alerts)
        .get_root()
        .render()
    )
    assert "`${" not in html and "<img src=x" not in html and "</script><img" not in html


def test_alert_markers_one_per_bin_listing_its_alerts() -> None:
    a = [
        Alert(AlertKind.SILENT, "b1", "Vej", 12.5, 55.6, T, {"last_reading_at": None}),
        Alert(AlertKind.LOW_BATTERY, "b1", "Vej", 12.5, 55.6, T, _battery()),
        Alert(AlertKind.SILENT, "b2", "Gade", 12.6, 55.6, T, {"last_reading_at": None}),
    ]
    views = alert_views(a, Lang.EN, COPENHAGEN_TZ)
    assert [(v.bin_id, v.kinds) for v in views] == [
        ("b1", ("silent_sensor", "low_battery")),
        ("b2", ("silent_sensor",)),
    ]
    assert views[0].lines == (
        "Silent sensor: no reading ever",
        "Low battery: battery 9% at 2025-03-05 13:00 (alert below 15%)",
    )
    markers = [c for c in alerts_layer(views)._children.values() if isinstance(c, folium.Marker)]
    assert len(markers) == 2


def _battery() -> dict[str, Evidence]:
    return {"battery": 0.09, "observed_at": T, "threshold": 0.15}


def test_alert_texts_for_every_kind_in_both_languages() -> None:
    """Times in the city's local time, levels in per cent."""
    h = timedelta(hours=1)
    cases = [
        (
            AlertKind.OVERFLOW,
            {"predicted_full_at": T, "visit_at": T + 2 * h, "planned": True, "plan_id": 7}
            | {"vehicle_id": "truck-1"},
            "predicted full 2025-03-05 13:00, planned visit 2025-03-05 15:00 (truck-1, plan 7)",
            "forventes fuld 2025-03-05 13:00, planlagt besøg 2025-03-05 15:00 (truck-1, plan 7)",
        ),
        (
            AlertKind.OVERFLOW,
            {"predicted_full_at": T, "visit_at": T + 17 * h, "planned": False},
            "predicted full 2025-03-05 13:00; in no plan, next shift 2025-03-06 06:00",
            "forventes fuld 2025-03-05 13:00; i ingen plan, næste vagt 2025-03-06 06:00",
        ),
        (
            AlertKind.SILENT,
            {"last_reading_at": T - 7 * h, "hours_silent": 7.0},
            "no reading since 2025-03-05 06:00 (7.0 h)",
            "ingen måling siden 2025-03-05 06:00 (7.0 t)",
        ),
        (
            AlertKind.STUCK,
            {"value": 0.3, "since": T - 30 * h, "hours": 30.0, "readings": 31}
            | {"expected_change": 0.3},
            "reads 30% since 2025-03-04 07:00 (30.0 h, 31 readings); its neighbours fill 30% in"
            " that time",
            "viser 30% siden 2025-03-04 07:00 (30.0 t, 31 målinger); naboerne fyldes 30% på den"
            " tid",
        ),
        (
            AlertKind.JUMP,
            {"direction": "drop", "from_level": 0.7, "to_level": 0.1, "from_at": T - h, "to_at": T},
            "dropped 70% → 10% between 2025-03-05 12:00 and 2025-03-05 13:00 with no emptying"
            " recorded",
            "faldt 70% → 10% mellem 2025-03-05 12:00 og 2025-03-05 13:00 uden registreret tømning",
        ),
        (
            AlertKind.LOW_BATTERY,
            _battery(),
            "battery 9% at 2025-03-05 13:00 (alert below 15%)",
            "batteri 9% kl. 2025-03-05 13:00 (advarsel under 15%)",
        ),
    ]
    for kind, evidence, en, da in cases:
        a = Alert(kind, "b1", "Vej", 12.5, 55.6, T, evidence)
        assert alert_text(a, Lang.EN, COPENHAGEN_TZ) == en
        assert alert_text(a, Lang.DA, COPENHAGEN_TZ) == da


def test_alert_panel_counts_lists_and_caps() -> None:
    a = [
        Alert(AlertKind.SILENT, f"b{i}", "<Vej>", 12.5, 55.6, T, {"last_reading_at": None})
        for i in range(3)
    ]
    html = alerts_html(a, Lang.EN, COPENHAGEN_TZ, limit=2)
    assert "data-count='3'" in html and " open>" in html and "3 Silent sensor" in html
    assert html.count("<li class='alert-item'") == 2 and "… and 1 more" in html
    assert "&lt;Vej&gt;" in html and "<Vej>" not in html
    none = alerts_html([], Lang.DA, COPENHAGEN_TZ)
    assert "Ingen advarsler." in none and " open>" not in none


def test_legend_names_every_status_in_both_languages() -> None:
    en, da = legend_html(Lang.EN), legend_html(Lang.DA)
    for key in ("bin-low", "bin-filling", "bin-full", "bin-unknown", "stop-skipped"):
        assert f"data-legend='{key}'" in en
    for word in ("below half full", "full", "no reading", "skipped", "missed", "off route"):
        assert word in en
    for word in ("Signaturforklaring", "under halvt fuld", "ingen måling", "sprunget over"):
        assert word in da
    assert "✗" in en and "⚠" in en and "stroke-dasharray" in en


def test_bins_geojson_has_the_predicted_full_time() -> None:
    props = [f["properties"] for f in bins_geojson(BINS)["features"]]
    assert props[0]["predictedFullAt"] == "2025-03-06T18:00:00+00:00"
    assert props[1]["predictedFullAt"] is None
