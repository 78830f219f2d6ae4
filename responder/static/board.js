// The incident board: rows rebuilt from the board API whenever the change version moves
// (304 otherwise), so every open board sees other operators' incidents within seconds.
(function () {
  "use strict";
  const { el, clock, watch } = window.responder;
  const text = JSON.parse(document.getElementById("page-labels").textContent);
  const zone = text.timezone;
  const body = document.querySelector("#board tbody");

  function elapsed(seconds) {
    const minutes = Math.floor(seconds / 60);
    return minutes < 60 ? minutes + " " + text.min
      : Math.floor(minutes / 60) + " " + text.hours + " " + (minutes % 60) + " " + text.min;
  }

  function teamsCell(teams) {
    return el("td", {}, ["dispatched", "on_scene", "returning"].filter((s) => teams[s].length)
      .map((s) => el("div", { class: "state-" + s }, [el("strong", { text: text.states[s] +
        " " + teams[s].length + ": " }), teams[s].map((t) => t.name).join("、")])));
  }

  function needsCell(row) {
    const lines = row.outstanding.map((n) => n.kind === "team"
      ? text.stillNeeded + " " + (text.specialties[n.specialty] || n.specialty) + " " + n.needed
      : text.stillNeeded + " " + n.name + " " + n.needed + " " + (text.units[n.unit] || n.unit));
    return el("td", { class: "needs" }, lines.map((t) => el("div", { text: t })));
  }

  function render(items) {
    body.replaceChildren(...(items.length ? items.map((row) => el("tr", {
      "data-incident": row.id }, [
      el("td", {}, [el("a", { href: "/incidents/" + row.id, text: "#" + row.id })]),
      el("td", { text: text.types[row.type] || row.type }),
      el("td", { class: "severity-" + row.severity, text: text.severities[row.severity] }),
      el("td", { text: row.place }),
      el("td", { class: "nowrap", text: clock(row.reported_at, zone) + " · " +
        elapsed(row.elapsed_s) }),
      teamsCell(row.teams),
      needsCell(row),
    ])) : [el("tr", {}, [el("td", { colspan: 7, class: "empty", text: text.noIncidents })])]));
  }

  watch.initial = (data) => render(data.items);
  watch((data) => render(data.items), 1500);
})();
