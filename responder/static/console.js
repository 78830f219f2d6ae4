// Operator console: find the place (search box or map click), record the incident, get the
// ranked proposal, confirm it.  The list of open incidents follows the board live.
(function () {
  "use strict";
  const { el, api, watch } = window.responder;
  const text = JSON.parse(document.getElementById("page-labels").textContent);
  const form = document.getElementById("incident-form");
  const errorBox = document.getElementById("console-error");
  const frame = document.querySelector("iframe.map");
  const state = { map: null, L: null, marker: null, routes: [] };
  const colours = text.routeColours;  // the map legend's colours, by specialty

  function say(message, ok) {
    errorBox.className = "flash " + (ok ? "success" : "error");
    errorBox.textContent = message || "";
  }

  function attachMap() {
    const win = frame && frame.contentWindow;
    const map = win && win[frame.dataset.mapName];
    if (!map || typeof map.on !== "function") { setTimeout(attachMap, 100); return; }
    state.map = map; state.L = win.L;
    map.on("click", (event) => choose({ lon: event.latlng.lng, lat: event.latlng.lat,
                                        enterprise_id: null, name: "" }));
    document.body.dataset.mapReady = "yes";
  }

  function placeMarker(lat, lon) {
    if (!state.map) return;
    if (state.marker) state.marker.remove();
    state.marker = state.L.circleMarker([lat, lon], { radius: 9, color: "#8b1a1a",
                                                      fillOpacity: 0.8 }).addTo(state.map);
    state.map.setView([lat, lon], Math.max(state.map.getZoom(), 15));
  }

  function choose(place) {
    if (!form) return;
    form.lon.value = Number(place.lon).toFixed(6);
    form.lat.value = Number(place.lat).toFixed(6);
    form.enterprise_id.value = place.enterprise_id || "";
    if (place.likely_type) form.type.value = place.likely_type;
    document.getElementById("place-chosen").textContent = place.name
      ? (text.kinds[place.kind] || "") + " · " + place.name : "";
    placeMarker(place.lat, place.lon);
  }

  const q = document.getElementById("place-q");
  const results = document.getElementById("place-results");
  let searchTimer = null;
  async function search() {
    if (!q.value.trim()) { results.replaceChildren(); return; }
    try {
      const found = await api("GET", "/api/v1/dispatch/places?q=" + encodeURIComponent(q.value) +
        "&crs=" + document.getElementById("place-crs").value);
      results.replaceChildren(...found.items.map((p) => {
        const button = el("button", { type: "button", class: "place-hit", "data-kind": p.kind },
          [el("strong", { text: p.name }), " " + (text.kinds[p.kind] || p.kind) +
           (p.detail ? " · " + p.detail : "")]);
        button.addEventListener("click", () => { choose(p); results.replaceChildren(); });
        return el("li", {}, [button]);
      }));
      if (!found.items.length) results.replaceChildren(el("li", { class: "empty", text: text.none }));
    } catch (error) { say(error.message, false); }
  }
  if (q) {
    q.addEventListener("input", () => { clearTimeout(searchTimer); searchTimer = setTimeout(search, 200); });
    document.getElementById("place-search").addEventListener("submit", (event) => {
      event.preventDefault(); search();
    });
  }

  function drawRoutes(proposal) {
    if (!state.map) return;
    state.routes.forEach((layer) => layer.remove());
    state.routes = [];
    Object.entries(proposal.teams).forEach(([specialty, options]) => options
      .filter((o) => o.recommended && o.route.length).forEach((o) => {
        const line = state.L.polyline(o.route.map(([lon, lat]) => [lat, lon]),
          { color: colours[specialty] || "#1f5fa8", weight: 4, opacity: 0.8 });
        // Leaflet reads a string tooltip as HTML; a text node keeps the team name text.
        line.bindTooltip(document.createTextNode(
          o.name + ": " + (o.arrival_s / 60).toFixed(1) + " " + text.min));
        state.routes.push(line.addTo(state.map));
      }));
    const points = state.routes.flatMap((line) => line.getLatLngs());
    if (state.marker) points.push(state.marker.getLatLng());
    if (points.length) state.map.fitBounds(state.L.latLngBounds(points), { padding: [30, 30] });
  }

  function listIncident(incident) {
    const list = document.getElementById("open-incidents");
    if (list.querySelector(`[data-incident="${incident.id}"]`)) return;
    list.prepend(el("li", { "data-incident": incident.id }, [el("a", {
      href: "/incidents/" + incident.id, text: "#" + incident.id + " " +
        (text.types[incident.type] || incident.type) + " · " + text.severities[incident.severity] })]));
  }

  if (form) form.addEventListener("submit", async (event) => {
    event.preventDefault();
    say("");
    try {
      const incident = await api("POST", "/api/v1/incidents", {
        type: form.type.value, severity: form.severity.value,
        severity_reason: form.severity_reason.value,
        lon: parseFloat(form.lon.value), lat: parseFloat(form.lat.value),
        enterprise_id: form.enterprise_id.value ? Number(form.enterprise_id.value) : null,
        description: form.description.value,
      });
      listIncident(incident);
      const proposal = await api("POST", `/api/v1/incidents/${incident.id}/proposal`);
      document.getElementById("stale").hidden = true;
      window.responderProposal.render(document.getElementById("proposal"), proposal, text,
        text.timezone, (confirmed) => {
          say(text.confirmed + " #" + confirmed.id, true);
        });
      drawRoutes(proposal);
    } catch (error) { say(error.message, false); }
  });

  // Other operators' changes: new incidents join the list, teams taken elsewhere are
  // struck through in the open proposal (confirming it would be refused).
  watch(async (board) => {
    board.items.forEach(listIncident);
    const rows = [...document.querySelectorAll("#proposal [data-team-row]")];
    if (!rows.length) return;
    const now = await api("GET", "/api/v1/dispatch/availability");
    const status = Object.fromEntries(now.teams.map((t) => [t.id, t.status]));
    const gone = rows.filter((row) => status[row.dataset.teamRow] !== "available");
    gone.forEach((row) => row.classList.add("taken"));
    document.getElementById("stale").hidden = gone.length === 0;
  }, 1500);

  if (frame) { frame.addEventListener("load", attachMap); attachMap(); }
})();
