"""Coverage figures, what-if and site suggestions against brute force with networkx."""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import networkx as nx
import numpy as np
import pytest
from flask import Flask

from responder.models import db
from responder.routing.coverage import road_shares
from responder.services import coverage, credit_codes, registry
from responder.services.actors import SYSTEM
from responder.services.dispatch import RoutingContext
from responder.services.resources import BASES, DEPOTS, ENTERPRISES, HAZARD_SOURCES
from tests.conftest import app_with_roads, compiled_region
from tests.fixtures.dispatch import central_node, reference_graph_of

STANDARD_S = 30 * 60  # hazchem arrival standard (rules.toml)
MOBILIZATION_S = {"professional": 300, "quasi_professional": 600, "volunteer": 1200}


@pytest.fixture
def app(app_config: dict[str, Any]) -> Iterator[Flask]:
    """Coquimbo: the cases below are sized for its sprawl (the 30 min standard leaves some
    sources uncovered there; compact central Hangzhou covers them all)."""
    yield from app_with_roads(app_config, "coquimbo")


@pytest.fixture(scope="module")
def reference_graph() -> nx.DiGraph:
    return reference_graph_of(compiled_region("coquimbo"))


def ctx_for(app, network):
    return RoutingContext(
        network=network,
        rules=app.extensions["responder.rules"],
        closures=None,
        closure_ids=[],
        snap_max_m=2000.0,
        hazard_radius_m=2000.0,
    )


def brute_times(graph, teams):
    """node -> min over teams of mobilization + networkx travel time team -> node."""
    best: dict[int, float] = {}
    for node, mobilization in teams:
        for other, seconds in nx.single_source_dijkstra_path_length(
            graph, node, weight="t"
        ).items():
            best[other] = min(best.get(other, np.inf), mobilization + seconds)
    return best


def add_site(world, node, number, grade=None):
    lon, lat = world.node_point(node)
    enterprise = registry.create(
        db.session,
        SYSTEM,
        ENTERPRISES,
        {
            "name": f"企业{number}",
            "credit_code": credit_codes.make(f"9133010300000{number:04d}"),
            "industry": "hazchem_storage",
            "scale": "above",
            "lon": lon,
            "lat": lat,
        },
    )
    if grade is not None:
        registry.create(
            db.session,
            SYSTEM,
            HAZARD_SOURCES,
            {
                "name": f"危险源{number}",
                "enterprise_id": enterprise.id,
                "grade": grade,
                "substances": [],
                "monitored": True,
            },
        )
    db.session.commit()
    return enterprise


@pytest.fixture
def scene(world, reference_graph):
    """Three hazchem teams around the centre and 40 enterprises (half with a major hazard
    source) at road nodes whose brute-force arrival time is not within 2 s of the standard."""
    rng = random.Random(11)
    centre = central_node(world.network)
    near = nx.single_source_dijkstra_path_length(reference_graph, centre, weight="t", cutoff=900)
    placed = [
        (rng.choice(sorted(near)), kind)
        for kind in ("professional", "quasi_professional", "volunteer")
    ]
    teams = [world.add_team(node, ["hazchem"], kind=kind) for node, kind in placed]
    world.add_team(placed[0][0], ["fire"])  # another specialty never counts
    times = brute_times(reference_graph, [(n, MOBILIZATION_S[k]) for n, k in placed])
    nodes = [n for n in sorted(reference_graph) if abs(times.get(n, np.inf) - STANDARD_S) > 2]
    site_nodes = rng.sample(nodes, 40)
    for i, node in enumerate(site_nodes):
        add_site(world, node, i, grade=(i % 4) + 1 if i % 2 == 0 else None)
    return {"teams": teams, "placed": placed, "site_nodes": site_nodes}


def test_figures_match_networkx(app, world, scene, reference_graph):
    network = world.network
    result = coverage.coverage(db.session, SYSTEM, ctx_for(app, network), specialty="hazchem")
    times = brute_times(reference_graph, [(n, MOBILIZATION_S[k]) for n, k in scene["placed"]])
    expected = np.array([times.get(n, np.inf) for n in range(network.node_count)])
    within = expected <= STANDARD_S * coverage.REPORT_FACTOR
    assert np.allclose(result.node_times[within], expected[within], atol=1e-6)
    assert np.isinf(result.node_times[~within]).all()

    hazards = [n for i, n in enumerate(scene["site_nodes"]) if i % 2 == 0]
    figures = result.figures
    assert figures["teams"] == 3
    assert figures["enterprises"]["total"] == 40
    assert figures["enterprises"]["covered"] == sum(
        times.get(n, np.inf) <= STANDARD_S for n in scene["site_nodes"]
    )
    assert figures["hazard_sources"]["total"] == 20
    covered = sum(times.get(n, np.inf) <= STANDARD_S for n in hazards)
    assert figures["hazard_sources"]["covered"] == covered
    assert len(figures["uncovered_hazard_sources"]) == 20 - covered
    assert 0 < covered < 20, "the case should have both covered and uncovered sources"

    # Road length: the engine's own rule fed with networkx times gives the same figure.
    shares = road_shares(network, np.where(within, expected, np.inf), STANDARD_S)
    reference_m, total_m = shares @ network.road_length_m, network.road_length_m.sum()
    assert figures["roads"]["covered_km"] == pytest.approx(reference_m / 1000, abs=1e-3)
    assert figures["roads"]["total_km"] == pytest.approx(total_m / 1000, abs=1e-3)
    assert 0 < figures["roads"]["share"] < 1


def test_jurisdiction_counts_only_its_own_sites(app, world, scene):
    network = world.network
    ctx = ctx_for(app, network)
    whole = coverage.coverage(db.session, SYSTEM, ctx, specialty="hazchem").figures
    parts = [
        coverage.coverage(
            db.session, SYSTEM, ctx, specialty="hazchem", jurisdiction_id=j.id
        ).figures
        for j in (world.west, world.east)
    ]
    for key in ("enterprises", "hazard_sources"):
        assert sum(p[key]["total"] for p in parts) == whole[key]["total"]
        assert sum(p[key]["covered"] for p in parts) == whole[key]["covered"]
    assert sum(p["roads"]["total_km"] for p in parts) == pytest.approx(
        whole["roads"]["total_km"], abs=0.01
    )
    city = coverage.coverage(
        db.session, SYSTEM, ctx, specialty="hazchem", jurisdiction_id=world.west.parent_id
    ).figures
    assert [a["jurisdiction_id"] for a in city["by_area"]] == [world.west.id, world.east.id]


def test_what_if_removes_exactly_the_given_teams(app, world, scene, reference_graph):
    network = world.network
    gone = scene["teams"][0]
    result = coverage.coverage(
        db.session, SYSTEM, ctx_for(app, network), specialty="hazchem", away=[gone.id]
    )
    what_if = result.figures["what_if"]
    assert what_if["away"] == [gone.id]
    assert result.figures["teams"] == 2 and what_if["baseline"]["teams"] == 3
    rest = [(n, MOBILIZATION_S[k]) for n, k in scene["placed"][1:]]
    times = brute_times(reference_graph, rest)
    expected = np.array([times.get(n, np.inf) for n in range(network.node_count)])
    within = expected <= STANDARD_S * coverage.REPORT_FACTOR
    assert np.allclose(result.node_times[within], expected[within], atol=1e-6)
    hazards = [n for i, n in enumerate(scene["site_nodes"]) if i % 2 == 0]
    assert result.figures["hazard_sources"]["covered"] == sum(
        times.get(n, np.inf) <= STANDARD_S for n in hazards
    )
    before = what_if["baseline"]["hazard_sources"]["covered"]
    assert len(what_if["newly_uncovered_hazard_sources"]) == (
        before - result.figures["hazard_sources"]["covered"]
    )


def test_what_if_rejects_unknown_teams(app, world, scene, login_as):
    api = login_as("viewer")
    response = api.get("/api/v1/coverage", query_string={"specialty": "hazchem", "away": "999999"})
    assert response.status_code == 422 and response.json["error"]["field"] == "away"


def test_site_suggestion_beats_every_single_candidate(app, world, scene, reference_graph):
    network = world.network
    rng = random.Random(5)
    candidates = rng.sample(sorted(reference_graph), 12)
    for i, node in enumerate(candidates):
        lon, lat = world.node_point(node)
        kind = BASES if i % 2 else DEPOTS
        data = {"name": f"候选{i}", "lon": lon, "lat": lat}
        if kind is BASES:
            data |= {"level": "county", "specialties": ["hazchem"]}
        registry.create(db.session, SYSTEM, kind, data)
    db.session.commit()
    ctx = ctx_for(app, network)
    answer = coverage.suggest_sites(db.session, SYSTEM, ctx, specialty="hazchem", k=3)

    uncovered = {h["id"] for h in answer["coverage"]["uncovered_hazard_sources"]}
    hazard_node = {}
    for i, node in enumerate(scene["site_nodes"]):
        if i % 2 == 0:
            hazard_node[f"危险源{i}"] = node
    names = {h["id"]: h["name"] for h in answer["coverage"]["uncovered_hazard_sources"]}
    budget = STANDARD_S - MOBILIZATION_S["professional"]
    single = []
    for node in candidates:
        reach = nx.single_source_dijkstra_path_length(
            reference_graph, node, weight="t", cutoff=budget
        )
        single.append({h for h in uncovered if hazard_node[names[h]] in reach})
    best_single = max(len(s) for s in single)
    assert best_single > 0, "the case should let some candidate help"
    picks = answer["picks"]
    assert picks[0]["gain"] == best_single
    assert all(picks[0]["gain"] >= len(s) for s in single)
    gains = [p["gain"] for p in picks]
    assert gains == sorted(gains, reverse=True)
    seen: set[int] = set()
    for pick in picks:
        covers = {c["id"] for c in pick["covers"]}
        assert len(covers) == pick["gain"] and not covers & seen
        node = candidates[
            [world.node_point(n) for n in candidates].index((pick["lon"], pick["lat"]))
        ]
        assert covers <= single[candidates.index(node)]
        seen |= covers
    # Nodes as candidates can only do at least as well as the registry's sites.
    by_node = coverage.suggest_sites(
        db.session, SYSTEM, ctx, specialty="hazchem", k=1, candidates="nodes"
    )
    assert by_node["picks"][0]["gain"] >= best_single


def test_greedy_cover_on_a_hand_made_case():
    import scipy.sparse as sp

    cover = sp.csr_matrix(
        np.array(
            [
                [1, 1, 0, 0, 0],
                [0, 1, 1, 1, 0],
                [0, 0, 0, 1, 1],
                [1, 0, 0, 0, 0],
            ],
            dtype=float,
        )
    )
    picks = coverage.greedy_cover(cover, 5)
    assert [(c, newly) for c, newly, _ in picks] == [(1, [1, 2, 3]), (0, [0]), (2, [4])]
    assert [g for *_, g in picks] == [3, 1, 1]


def test_closed_roads_shrink_coverage(app, world, scene, reference_graph):
    """Closing every road around the quickest team's base takes that team out of reach."""
    from responder.routing import Closures

    network = world.network
    node, _kind = scene["placed"][0]
    lon, lat = world.node_point(node)
    closed = Closures.closed(network.edges_near(lon, lat, radius_m=30.0))
    open_ctx = ctx_for(app, network)
    closed_ctx = replace(open_ctx, closures=closed, closure_ids=[1])
    before = coverage.coverage(db.session, SYSTEM, open_ctx, specialty="hazchem")
    after = coverage.coverage(db.session, SYSTEM, closed_ctx, specialty="hazchem")
    rest = brute_times(reference_graph, [(n, MOBILIZATION_S[k]) for n, k in scene["placed"][1:]])
    hazards = [n for i, n in enumerate(scene["site_nodes"]) if i % 2 == 0]
    assert after.figures["roads"]["covered_km"] < before.figures["roads"]["covered_km"]
    assert after.figures["hazard_sources"]["covered"] <= sum(
        rest.get(n, np.inf) <= STANDARD_S for n in hazards if n != node
    )
    assert after.figures["basis"]["closures_in_force"] == [1]
