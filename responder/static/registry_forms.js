// Registry forms: click the map to set the location (WGS-84; the coordinate-system select
// follows), and a marker shows the point typed or picked.
(function () {
  "use strict";
  const form = document.getElementById("record-form");
  const frame = document.querySelector(".location-picker iframe.map");
  if (!form || !frame) return;
  let marker = null;

  function show(win, map, lat, lon) {
    if (marker) marker.remove();
    marker = win.L.circleMarker([lat, lon],
      { radius: 9, color: "#b00020", fillOpacity: 0.8 }).addTo(map);
  }

  function attach() {
    const win = frame.contentWindow;
    const map = win && win[frame.dataset.mapName];
    // Until Folium's script has run, the name is the map <div> (ids are window globals).
    if (!map || typeof map.on !== "function") { setTimeout(attach, 100); return; }
    map.on("click", (event) => {
      form.lon.value = event.latlng.lng.toFixed(6);
      form.lat.value = event.latlng.lat.toFixed(6);
      form.crs.value = "wgs84";
      show(win, map, event.latlng.lat, event.latlng.lng);
    });
    document.body.dataset.mapReady = "yes";
  }
  attach();
})();
