// Drill editor: click on the map to place a simulated incident, add it through the JSON
// API (session cookie + CSRF token), remove incidents, run the drill and open its report.
(function () {
  "use strict";
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const form = document.getElementById("drill-incident-form");
  const errorBox = document.getElementById("drill-error");
  const frame = document.querySelector("iframe.map");
  let marker = null;

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

  function showError(error) { errorBox.textContent = error ? String(error.message || error) : ""; }

  function attachMap() {
    const win = frame && frame.contentWindow;
    const map = win && win[frame.dataset.mapName];
    // Until Folium's script has run, the name is the map <div> (ids are window globals).
    if (!map || typeof map.on !== "function") { setTimeout(attachMap, 100); return; }
    if (form) {
      map.on("click", (event) => {
        form.lon.value = event.latlng.lng.toFixed(6);
        form.lat.value = event.latlng.lat.toFixed(6);
        form.querySelector("#add-incident").disabled = false;  // a point is chosen now
        if (marker) marker.remove();
        marker = win.L.circleMarker([event.latlng.lat, event.latlng.lng],
          { radius: 9, color: "#b00020", fillOpacity: 0.8 }).addTo(map);
      });
    }
    document.body.dataset.mapReady = "yes";
  }

  if (form) {
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      showError(null);
      if (form.lon.value === "" || form.lat.value === "") return;  // no point chosen yet
      try {
        await api("POST", form.dataset.url, {
          type: form.type.value, severity: form.severity.value,
          offset_min: Number(form.offset_min.value || 0),
          lon: Number(form.lon.value), lat: Number(form.lat.value), note: form.note.value,
        });
        window.location.reload();
      } catch (error) { showError(error); }
    });
  }
  document.querySelectorAll(".remove-incident").forEach((button) => {
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
