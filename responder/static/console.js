// Operator console: place an incident on the map, get the ranked proposal, confirm it,
// follow the teams.  Talks to the JSON API with the session cookie and the CSRF token;
// polls team availability so every open console sees other operators' dispatches.
(function () {
  "use strict";
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const text = JSON.parse(document.getElementById("console-labels").textContent);
  const form = document.getElementById("incident-form");
  const errorBox = document.getElementById("console-error");
  const frame = document.querySelector("iframe.map");
  const state = { map: null, L: null, marker: null, routes: [], incident: null,
                  proposal: null, version: null, statuses: {} };

  async function api(method, url, body) {
    const response = await fetch(url, {
      method, credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const data = await response.json().catch(() => ({}));
    if (!response.ok) {
      const e = data.error || {};
      throw new Error((e.field ? e.field + ": " : "") + (e.message || response.statusText));
    }
    return data;
  }

  function showError(error) { errorBox.textContent = error ? String(error.message || error) : ""; }
  function el(tag, attrs, children) {
    const node = document.createElement(tag);
    Object.entries(attrs || {}).forEach(([k, v]) => {
      if (k === "text") node.textContent = v; else node.setAttribute(k, v);
    });
    (children || []).forEach((child) => node.appendChild(child));
    return node;
  }

  function attachMap() {
    const win = frame.contentWindow;
    const map = win && win[frame.dataset.mapName];
    // Until Folium's script has run, the name is the map <div> (ids are window globals).
    if (!map || typeof map.on !== "function") { setTimeout(attachMap, 100); return; }
    state.map = map; state.L = win.L;
    map.on("click", (event) => {
      form.lon.value = event.latlng.lng.toFixed(6);
      form.lat.value = event.latlng.lat.toFixed(6);
      placeMarker(event.latlng.lat, event.latlng.lng);
    });
    document.body.dataset.mapReady = "yes";
  }

  function placeMarker(lat, lon) {
    if (state.marker) state.marker.remove();
    state.marker = state.L.circleMarker([lat, lon], { radius: 9, color: "#8b1a1a",
                                                      fillOpacity: 0.8 }).addTo(state.map);
  }

  function drawRoutes(proposal) {
    state.routes.forEach((layer) => layer.remove());
    state.routes = [];
    Object.values(proposal.teams).flat().filter((o) => o.recommended && o.route.length)
      .forEach((o) => {
        const line = state.L.polyline(o.route.map(([lon, lat]) => [lat, lon]),
                                      { color: "#1f5fa8", weight: 4, opacity: 0.8 });
        // Leaflet reads a string tooltip as HTML; a text node keeps the team name text.
        line.bindTooltip(frame.contentDocument.createTextNode(
          o.name + ": " + (o.arrival_s / 60).toFixed(1) + " min"));
        state.routes.push(line.addTo(state.map));
      });
    // Frame the incident and every recommended route.
    const points = state.routes.flatMap((line) => line.getLatLngs());
    if (state.marker) points.push(state.marker.getLatLng());
    if (points.length) state.map.fitBounds(state.L.latLngBounds(points), { padding: [30, 30] });
  }

  function renderProposal(proposal) {
    state.proposal = proposal;
    document.getElementById("proposal").hidden = false;
    document.getElementById("stale").hidden = true;
    document.getElementById("proposal-incident").textContent = "#" + proposal.incident_id;
    const unmet = document.getElementById("unmet");
    unmet.replaceChildren(...proposal.unmet.map((u) => el("p", { class: "error",
                                                                 text: unmetText(u, proposal) })));
    const teams = document.querySelector("#team-options tbody");
    teams.replaceChildren();
    Object.entries(proposal.teams).forEach(([specialty, options]) => options.forEach((o) => {
      const box = el("input", { type: "checkbox", "data-team": o.team_id,
                                "data-specialty": specialty });
      box.checked = o.recommended;
      teams.appendChild(el("tr", { "data-team-row": o.team_id }, [
        el("td", {}, [box]),
        el("td", { text: text.specialties[specialty] || specialty }),
        el("td", { text: o.name }),
        el("td", { class: "num", text: (o.arrival_s / 60).toFixed(1) }),
        el("td", { class: "num", text: ((o.road_m || 0) / 1000).toFixed(1) }),
        el("td", { text: o.cross_jurisdiction ? text.cross : "" }),
      ]));
    }));
    const materials = document.querySelector("#material-options tbody");
    materials.replaceChildren();
    proposal.materials.forEach((m) => m.sources.forEach((s) => {
      const box = el("input", { type: "checkbox", "data-line": s.inventory_line_id,
                                "data-quantity": s.quantity });
      box.checked = true;
      materials.appendChild(el("tr", {}, [el("td", {}, [box]), el("td", { text: m.name }),
        el("td", { text: s.depot }), el("td", { class: "num", text: s.quantity + " " + m.unit })]));
    }));
    const hazards = document.getElementById("hazards");
    hazards.replaceChildren(el("h3", { text: text.hazards }), el("ul", {},
      proposal.hazard_sources.length
        ? proposal.hazard_sources.map((h) => el("li", { text: h.enterprise + " · " + h.name +
            " (" + h.grade + ") " + Math.round(h.distance_m) + " m" }))
        : [el("li", { text: text.none })]));
    const b = proposal.basis;
    document.getElementById("basis").textContent = b.network_version + " · closures " +
      b.closures_in_force.length + " · snap " + b.incident_snap_m + " m";
    drawRoutes(proposal);
  }

  // Unmet needs in the page's language (the API's own message stays English).
  function unmetText(u, proposal) {
    if (u.kind === "team") {
      return (text.specialties[u.specialty] || u.specialty) + " " + text.unmetTeam
        .replace("{needed}", u.needed).replace("{found}", u.found);
    }
    const m = proposal.materials.find((x) => x.code === u.material);
    return (m ? m.name : u.material) + " " + text.unmetMaterial
      .replace("{shortfall}", u.shortfall).replace("{unit}", m ? m.unit : "");
  }

  function renderAssignments(incident) {
    const section = document.getElementById("assignments");
    section.hidden = incident.assignments.length === 0;
    document.getElementById("incident-link").href = "/incidents/" + incident.id;
    const body = section.querySelector("tbody");
    body.replaceChildren(...incident.assignments.map((a) => {
      const next = { dispatched: "on_scene", on_scene: "returning", returning: "available" }[a.status];
      const cells = [el("td", { text: a.team_name }),
                     el("td", { class: "assignment-status", "data-assignment": a.id,
                                text: text.statuses[a.status] || a.status })];
      if (next) {
        const button = el("button", { type: "button", "data-advance": a.id, "data-next": next,
                                      text: text.next[a.status] });
        button.addEventListener("click", () => advance(a.id, next));
        cells.push(el("td", {}, [button]));
      }
      return el("tr", {}, cells);
    }));
  }

  async function advance(assignmentId, next) {
    showError(null);
    try {
      await api("POST", `/api/v1/incidents/${state.incident.id}/assignments/${assignmentId}/status`,
                { status: next });
      state.incident = await api("GET", `/api/v1/incidents/${state.incident.id}`);
      renderAssignments(state.incident);
    } catch (error) { showError(error); }
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    showError(null);
    placeMarker(parseFloat(form.lat.value), parseFloat(form.lon.value));
    try {
      state.incident = await api("POST", "/api/v1/incidents", {
        type: form.type.value, severity: form.severity.value,
        lon: parseFloat(form.lon.value), lat: parseFloat(form.lat.value),
        description: form.description.value,
      });
      renderProposal(await api("POST", `/api/v1/incidents/${state.incident.id}/proposal`));
    } catch (error) { showError(error); }
  });

  document.getElementById("confirm-dispatch").addEventListener("click", async () => {
    showError(null);
    const teams = [...document.querySelectorAll("#team-options input:checked")]
      .filter((box, i, all) => all.findIndex((b) => b.dataset.team === box.dataset.team) === i)
      .map((box) => ({ team_id: Number(box.dataset.team), specialty: box.dataset.specialty }));
    const materials = [...document.querySelectorAll("#material-options input:checked")]
      .map((box) => ({ inventory_line_id: Number(box.dataset.line),
                       quantity: Number(box.dataset.quantity) }));
    try {
      state.incident = await api("POST", `/api/v1/incidents/${state.incident.id}/dispatch`, {
        proposal_id: state.proposal.proposal_id, teams, materials,
        deviation_reason: document.getElementById("deviation-reason").value,
      });
      document.getElementById("proposal").hidden = true;
      renderAssignments(state.incident);
      errorBox.textContent = text.confirmed;
    } catch (error) { showError(error); }
  });

  async function poll() {
    try {
      const now = await api("GET", "/api/v1/dispatch/availability");
      if (state.version !== null && now.version !== state.version) {
        const status = Object.fromEntries(now.teams.map((t) => [t.id, t.status]));
        if (state.proposal) {
          const gone = Object.values(state.proposal.teams).flat()
            .filter((o) => status[o.team_id] !== "available");
          gone.forEach((o) => {
            const row = document.querySelector(`[data-team-row="${o.team_id}"]`);
            if (row) row.classList.add("taken");
          });
          document.getElementById("stale").hidden = gone.length === 0;
        }
        if (state.incident) {
          state.incident = await api("GET", `/api/v1/incidents/${state.incident.id}`);
          renderAssignments(state.incident);
        }
      }
      state.version = now.version;
    } catch (error) { /* a missed poll is retried on the next tick */ }
    setTimeout(poll, 2000);
  }

  frame.addEventListener("load", attachMap);
  attachMap();
  poll();
})();
