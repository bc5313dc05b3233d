"""Layers -> one layered Altair chart, made without Altair's per-layer copies where they do nothing.

Why: alt.LayerChart deep-copies every layer twice each time it is made (to lift selection
parameters out of the layers and merge them), and `to_dict()` makes the chart again through
`copy()`: about half of a chart spec's CPU (bench/chart_cost.py: 15 -> 7 ms a chart for both
layouts, the same specs). Those steps change nothing for layers that hold none of what it lifts,
which is every layer our chart kinds draw; with any other layer the chart is Altair's own.
"""
from __future__ import annotations

import altair as alt
from altair.vegalite.v6.api import TOPLEVEL_ONLY_KEYS

# What alt.layer and alt.LayerChart lift out of the layers or refuse in them: selection parameters,
# the properties a layer may not hold, facet channels shared by every layer, top-level-only
# properties (Altair raises TypeError for those); and data, below.
_LIFTED = ("params", "width", "height", "view", *TOPLEVEL_ONLY_KEYS)
_FACET_CHANNELS = ("row", "column", "facet")


def _lifts_nothing(layers: tuple, properties: dict) -> bool:
    """True when alt.layer(*layers, **properties) keeps every layer as it is and makes no
    parameter of its own, with the chart's data given later as a new object (alt.LayerChart lifts
    data at its first making, when it is the top-level data or held by every layer alike; later
    makings see deep copies of the layers, whose data objects are new too)."""
    undefined = alt.utils.is_undefined
    for chart in layers:
        if not isinstance(chart, alt.Chart) or not all(undefined(chart._get(name)) for name in _LIFTED):
            return False
        encoding = chart._get("encoding")
        if not undefined(encoding) and not all(undefined(encoding._get(name)) for name in _FACET_CHANNELS):
            return False
    own = [id(data) for chart in layers if not undefined(data := chart._get("data"))]
    if not all(undefined(properties.get(name, alt.Undefined)) for name in ("data", "params")):
        return False
    return len(own) == len(set(own)) and not (len(layers) == len(own) == 1)  # one layer's data is lifted


class _Layered(alt.LayerChart):
    """alt.LayerChart whose layers are kept as they are: TopLevelLayerSpec's constructor is called
    directly, also when to_dict() makes the chart again. Made only by layered(), for layers that
    alt.LayerChart would not change."""

    def __init__(self, data=alt.Undefined, layer=(), **kwargs) -> None:
        super(alt.LayerChart, self).__init__(data=data, layer=list(layer), **kwargs)


def layered(*layers: alt.Chart, **properties) -> alt.LayerChart:
    """Layers and top-level properties -> the chart alt.layer(*layers, **properties) makes (the same
    spec from to_dict()), without copying the layers where that changes nothing."""
    if _lifts_nothing(layers, properties):
        return _Layered(layer=layers, **properties)
    return alt.layer(*layers, **properties)
