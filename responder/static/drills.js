// Drill editor: click on the map (or on an enterprise dot) to choose where a simulated
// incident or an inject happens; the incident and inject forms post to the page (CSRF
// token in the form); removing and running go through the JSON API (session cookie +
// CSRF header).  The map keeps the organizer's view across the page reloads.
(function () {
  "use strict";
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const incidentForm = document.getElementById("drill-incident-form");
  const injectForm = document.getElementById("drill-inject-form");
  const forms = [incidentForm, injectForm].filter(Boolean);
  const errorBox = document.getElementById("drill-error");
  const frame = document.querySelector("iframe.map");
  const chosenText = document.getElementById("chosen-text");
  const byLine = document.getElementById("closure-by-line");
  const viewKey = "drill-view:" + window.location.pathname;
  const read = (id) => {
    const node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  };
  const places = read("drill-places") || [];
  const words = read("drill-words") || {};
  let marker = null;
  let lineLayer = null;
  let linePoints = [];

  async function api(method, url, body) {
    const response = await fetch(url, {
      method, credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const data = response.status === 204 ? {} : await response.json().catch(() => ({}));
    if (!response.ok) {
      const e = data.error || {};
      throw new Error((e.field ? e.field + ": " : "") + (e.message || response.statusText));
    }
    return data;
  }

  function showError(error) {
    if (errorBox) errorBox.textContent = error ? String(error.message || error) : "";
  }

  function escape(text) {
    return String(text).replace(/[&<>"]/g,
      (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" }[c]));
  }

  function injectKind() { return injectForm ? injectForm.elements.kind.value : ""; }

  function showKindFields() {
    if (!injectForm) return;
    const kind = injectKind();
    injectForm.querySelectorAll("[data-kinds]").forEach((label) => {
      label.hidden = !label.dataset.kinds.split(" ").includes(kind);
    });
  }

  function choose(lon, lat, enterpriseId, text) {
    forms.forEach((form) => {
      form.elements.lon.value = lon.toFixed(6);
      form.elements.lat.value = lat.toFixed(6);
      form.elements.enterprise_id.value = enterpriseId || "";
    });
    if (incidentForm) incidentForm.querySelector("#add-incident").disabled = false;
    if (chosenText) chosenText.textContent = text;
  }

  function addLinePoint(win, map, lon, lat) {
    linePoints.push([Number(lon.toFixed(6)), Number(lat.toFixed(6))]);
    injectForm.elements.line.value = JSON.stringify(linePoints);
    if (lineLayer) lineLayer.remove();
    lineLayer = win.L.polyline(linePoints.map(([x, y]) => [y, x]),
      { color: "#7a0019", weight: 7, dashArray: "4 6" }).addTo(map);
    if (chosenText) chosenText.textContent = (words.line_points || "") + " " + linePoints.length;
  }

  function resetLine() {
    linePoints = [];
    if (injectForm) injectForm.elements.line.value = "";
    if (lineLayer) { lineLayer.remove(); lineLayer = null; }
  }

  function drawPlaces(win, map) {
    const group = win.L.layerGroup();
    places.forEach((place) => {
      const major = place.grade !== null && place.grade !== undefined;
      const dot = win.L.circleMarker([place.lat, place.lon], {
        radius: major ? 8 : 6, color: "#ffffff", weight: 1.5,
        fillColor: major ? "#d9480f" : "#1c5d99", fillOpacity: 0.9,
        bubblingMouseEvents: false,
      });
      const lines = [place.name, place.industry];
      if (place.hazards.length) lines.push((words.hazards || "") + ": " + place.hazards.join(", "));
      dot.bindTooltip(lines.map(escape).join("<br>"));
      dot.on("click", () => {
        if (marker) { marker.remove(); marker = null; }
        resetLine();
        choose(place.lon, place.lat, place.id, (words.chosen_enterprise || "") + ": " + place.name);
      });
      group.addLayer(dot);
    });
    group.addTo(map);
  }

  function attachMap() {
    const win = frame && frame.contentWindow;
    const map = win && win[frame.dataset.mapName];
    // Until Folium's script has run, the name is the map <div> (ids are window globals).
    if (!map || typeof map.on !== "function" || !win.L) { setTimeout(attachMap, 100); return; }
    const saved = sessionStorage.getItem(viewKey);
    if (saved) {
      try {
        const view = JSON.parse(saved);
        map.setView([view.lat, view.lng], view.zoom, { animate: false });
      } catch (error) { sessionStorage.removeItem(viewKey); }
    }
    if (forms.length) {
      drawPlaces(win, map);
      map.on("click", (event) => {
        const { lng, lat } = event.latlng;
        if (byLine && byLine.checked && injectKind() === "road_closure") {
          addLinePoint(win, map, lng, lat);
          forms.forEach((form) => { form.elements.lon.value = ""; form.elements.lat.value = ""; });
          return;
        }
        resetLine();
        choose(lng, lat, null, (words.chosen_point || "") + " " + lng.toFixed(5) + ", " + lat.toFixed(5));
        if (marker) marker.remove();
        marker = win.L.circleMarker([lat, lng],
          { radius: 9, color: "#b00020", fillOpacity: 0.8 }).addTo(map);
      });
    }
    map.on("moveend", () => {
      const c = map.getCenter();
      sessionStorage.setItem(viewKey, JSON.stringify({ lat: c.lat, lng: c.lng, zoom: map.getZoom() }));
    });
    document.body.dataset.mapReady = "yes";
  }

  if (incidentForm && incidentForm.elements.lon.value !== "") {
    incidentForm.querySelector("#add-incident").disabled = false;  // kept after an error
  }
  if (injectForm) {
    injectForm.elements.kind.addEventListener("change", () => { showKindFields(); resetLine(); });
    if (byLine) byLine.addEventListener("change", resetLine);
    showKindFields();
  }
  document.querySelectorAll(".remove-incident, .remove-inject").forEach((button) => {
    button.addEventListener("click", async () => {
      showError(null);
      try { await api("DELETE", button.dataset.url); window.location.reload(); }
      catch (error) { showError(error); }
    });
  });
  const run = document.getElementById("run-drill");
  if (run) {
    run.addEventListener("click", async () => {
      showError(null);
      run.disabled = true;
      const onScene = document.getElementById("on-scene").value;
      try {
        const result = await api("POST", run.dataset.url,
          onScene === "" ? {} : { on_scene_min: Number(onScene) });
        window.location.href = run.dataset.report.replace(/\/0$/, "/" + result.id);
      } catch (error) { showError(error); run.disabled = false; }
    });
  }
  if (frame) attachMap();
})();
