"""Comparing two runs of a drill: the registry they saw, the scenario and the outcome."""

from __future__ import annotations

from typing import Any

from responder.errors import InvalidInput
from responder.models import (
    DrillRun,
)


def compare(first: DrillRun, second: DrillRun) -> dict[str, Any]:
    """What changed between two runs of the same drill: in the registry they saw, in the
    scenario, and in the outcome (teams sent, response times, met standards, unmet needs)."""
    if first.drill_id != second.drill_id:
        raise InvalidInput(
            f"runs {first.id} and {second.id} belong to different drills", field="other"
        )
    if first.id == second.id:
        raise InvalidInput("pick two different runs", field="other")
    a, b = first.registry_snapshot or {}, second.registry_snapshot or {}
    return {
        "drill_id": first.drill_id,
        "runs": [_run_head(first), _run_head(second)],
        "same_registry": first.fingerprint == second.fingerprint,
        "registry": {
            "teams": _diff_records(a.get("teams", {}), b.get("teams", {}), "name"),
            "stock": _diff_records(a.get("stock", {}), b.get("stock", {}), "name"),
            "network_version": _changed(a.get("network_version"), b.get("network_version")),
            "closures": _changed(a.get("closures"), b.get("closures")),
        },
        "summary": {
            key: {"before": first.summary.get(key), "after": second.summary.get(key)}
            for key in (
                "teams_dispatched",
                "arrivals_met",
                "arrivals_missed",
                "unmet_needs",
                "worst_response_s",
            )
            if first.summary.get(key) != second.summary.get(key)
        },
        "incidents": _diff_outcomes(
            first.results.get("incidents", []), second.results.get("incidents", [])
        ),
    }


def _run_head(drill_run: DrillRun) -> dict[str, Any]:
    return {
        "id": drill_run.id,
        "started_at": drill_run.started_at.isoformat(),
        "fingerprint": drill_run.fingerprint,
        "summary": drill_run.summary,
    }


def _changed(before: Any, after: Any) -> dict[str, Any] | None:
    return None if before == after else {"before": before, "after": after}


def _diff_records(
    before: dict[str, dict[str, Any]], after: dict[str, dict[str, Any]], name_key: str
) -> dict[str, list[dict[str, Any]]]:
    added = [{"id": int(k), **after[k]} for k in after if k not in before]
    removed = [{"id": int(k), **before[k]} for k in before if k not in after]
    changed = []
    for key in before.keys() & after.keys():
        fields = {
            f: {"before": before[key].get(f), "after": after[key].get(f)}
            for f in sorted(before[key].keys() | after[key].keys())
            if before[key].get(f) != after[key].get(f)
        }
        if fields:
            changed.append({"id": int(key), "name": after[key].get(name_key), "fields": fields})
    return {
        "added": sorted(added, key=lambda r: r["id"]),
        "removed": sorted(removed, key=lambda r: r["id"]),
        "changed": sorted(changed, key=lambda r: r["id"]),
    }


def _incident_key(entry: dict[str, Any]) -> tuple[int, int]:
    """A simulated incident's identity across runs: its scenario id, or for a second
    incident its inject's id (kept apart by the first number)."""
    incident = entry["incident"]
    if incident.get("inject_id") is not None:
        return 1, incident["inject_id"]
    return 0, incident["id"]


def _team_key(team: dict[str, Any]) -> tuple[str, int]:
    return team["specialty"], team["team_id"]


def _diff_outcomes(
    before: list[dict[str, Any]], after: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Per simulated incident (matched by :func:`_incident_key`): teams in and out, response
    time changes, standards newly met or missed, unmet needs that appeared or went away."""
    old = {_incident_key(e): e for e in before}
    new = {_incident_key(e): e for e in after}
    out = []
    for key in sorted(old.keys() | new.keys()):
        a, b = old.get(key), new.get(key)
        incident_id = (a or b or {})["incident"]["id"]
        if a is None or b is None:
            present = b or a
            assert present is not None
            out.append(
                {
                    "incident_id": incident_id,
                    "incident": present["incident"],
                    "scenario": "added" if a is None else "removed",
                }
            )
            continue
        teams_a = {_team_key(t): t for t in a["teams"]}
        teams_b = {_team_key(t): t for t in b["teams"]}
        response = [
            {
                "specialty": k[0],
                "team_id": k[1],
                "team": teams_b[k]["name"],
                "before_s": teams_a[k]["response_s"],
                "after_s": teams_b[k]["response_s"],
                "met_before": teams_a[k]["met"],
                "met_after": teams_b[k]["met"],
            }
            for k in sorted(teams_a.keys() & teams_b.keys())
            if abs(teams_a[k]["response_s"] - teams_b[k]["response_s"]) > 1e-6
            or teams_a[k]["met"] != teams_b[k]["met"]
        ]
        unmet_a = {u["message"] for u in a["unmet"]}
        unmet_b = {u["message"] for u in b["unmet"]}
        diff = {
            "incident_id": incident_id,
            "incident": b["incident"],
            "scenario": "changed" if a["incident"] != b["incident"] else "same",
            "teams_out": [_brief(teams_a[k]) for k in sorted(teams_a.keys() - teams_b.keys())],
            "teams_in": [_brief(teams_b[k]) for k in sorted(teams_b.keys() - teams_a.keys())],
            "response_changed": response,
            "unmet_resolved": sorted(unmet_a - unmet_b),
            "unmet_new": sorted(unmet_b - unmet_a),
        }
        if (
            any(
                diff[k]
                for k in (
                    "teams_out",
                    "teams_in",
                    "response_changed",
                    "unmet_resolved",
                    "unmet_new",
                )
            )
            or diff["scenario"] != "same"
        ):
            out.append(diff)
    return out


def _brief(team: dict[str, Any]) -> dict[str, Any]:
    return {
        "team_id": team["team_id"],
        "name": team["name"],
        "specialty": team["specialty"],
        "response_s": team["response_s"],
        "met": team["met"],
    }
