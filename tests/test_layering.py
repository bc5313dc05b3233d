"""charts.layering.layered makes the chart alt.layer makes: the same Vega-Lite spec, for layers it
takes as they are (no copies) and for layers Altair must change (parameters, a layer's width, data
every layer shares, the top-level data repeated in a layer), which go through Altair's own steps."""
from __future__ import annotations

import altair as alt
import pytest

from plantracker.charts.layering import _Layered, layered

ROWS = [{"a": 1, "b": 2}, {"a": 2, "b": 3}]


def _points(**properties) -> alt.Chart:
    return alt.Chart(**properties).mark_point().encode(x=alt.X("a:Q"), y=alt.Y("b:Q"))


def _rule() -> alt.Chart:
    return alt.Chart().mark_rule().encode(y=alt.Y("b:Q"))


SHARED = alt.Data(values=ROWS)
CASES = {
    "plain layers, data set afterwards": ([_points(), _rule()], True),
    "a layer with its own data": ([_points(), alt.Chart(alt.Data(values=ROWS)).mark_rule().encode(y=alt.Y("b:Q"))], True),
    "a selection parameter": ([_points().add_params(alt.selection_point(name="pick")), _rule()], False),
    "the same parameter twice": ([_points().add_params(alt.selection_point(name="pick")),
                                  _points().add_params(alt.selection_point(name="pick"))], False),
    "a layer's width": ([_points(width=200), _rule()], False),
    "data every layer shares": ([alt.Chart(SHARED).mark_point().encode(x=alt.X("a:Q")),
                                 alt.Chart(SHARED).mark_rule().encode(y=alt.Y("b:Q"))], False),
}


@pytest.mark.parametrize("name", CASES)
def test_layered_gives_altairs_spec(name):
    layers, plain = CASES[name]
    ours, theirs = layered(*layers, title=alt.Title("t")), alt.layer(*layers, title=alt.Title("t"))
    ours.data = theirs.data = alt.Data(values=ROWS)
    assert isinstance(ours, _Layered) == plain
    assert ours.to_dict(validate=False) == theirs.to_dict(validate=False)
    assert ours.to_dict() == theirs.to_dict()  # valid Vega-Lite too


def test_layers_with_a_facet_channel_are_altairs():
    layers = [alt.Chart(SHARED).mark_point().encode(x=alt.X("a:Q"), row=alt.Row("a:N")),
              alt.Chart(SHARED).mark_rule().encode(y=alt.Y("b:Q"), row=alt.Row("a:N"))]
    ours, theirs = layered(*layers), alt.layer(*layers)
    assert isinstance(ours, alt.FacetChart) and ours.to_dict() == theirs.to_dict()


def test_data_given_with_the_layers_is_altairs():
    assert not isinstance(layered(_points(), _rule(), data=SHARED), _Layered)


def test_one_layer_with_data_has_it_lifted_as_in_altair():
    layer = alt.Chart(alt.Data(values=ROWS)).mark_point().encode(x=alt.X("a:Q"))
    ours, theirs = layered(layer), alt.layer(layer)
    assert not isinstance(ours, _Layered)
    ours.data = theirs.data = alt.Data(values=ROWS[:1])
    assert ours.to_dict(validate=False) == theirs.to_dict(validate=False)


def test_parameters_given_with_the_layers_are_altairs():
    pick = alt.selection_point(name="pick").param
    ours, theirs = layered(_points(), _rule(), params=[pick]), alt.layer(_points(), _rule(), params=[pick])
    assert not isinstance(ours, _Layered)
    ours.data = theirs.data = alt.Data(values=ROWS)
    assert ours.to_dict() == theirs.to_dict()


def test_a_layer_with_a_top_level_property_is_refused_as_altair_refuses_it():
    with pytest.raises(TypeError, match="config"):
        layered(_points(config=alt.Config(background="white")), _rule())


def test_the_top_level_data_set_later_and_held_by_a_layer_stays_there_as_in_altair():
    layers = [alt.Chart(SHARED).mark_point().encode(x=alt.X("a:Q")), _rule()]
    ours, theirs = layered(*layers), alt.layer(*layers)
    ours.data = theirs.data = SHARED
    assert isinstance(ours, _Layered) and "data" in ours.to_dict(validate=False)["layer"][0]
    assert ours.to_dict(validate=False) == theirs.to_dict(validate=False)
