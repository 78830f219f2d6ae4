// Registry markers of a Folium map, drawn from the JSON blocks that
// responder.mapping.markers writes (one per layer): an awesome-marker per point with the
// title as tooltip and a popup of the title and its rows.  Every piece of record text is
// set with textContent, never parsed as HTML.  Runs inside the map's document, after
// Folium's own script has made the map and its feature groups (window globals).
(function () {
  "use strict";

  function popup(point) {
    const [, , title, , rows, url] = point;
    const box = document.createElement("div");
    box.className = "responder-popup";
    const heading = box.appendChild(document.createElement("strong"));
    // our own pages only ("/x", not "//host/x"), opened in the parent page
    if (url && url.startsWith("/") && !url.startsWith("//")) {
      const link = heading.appendChild(document.createElement("a"));
      link.href = url;
      link.target = "_top";
      link.textContent = title;
    } else {
      heading.textContent = title;
    }
    const table = box.appendChild(document.createElement("table"));
    rows.forEach(([label, value]) => {
      const row = table.appendChild(document.createElement("tr"));
      row.appendChild(document.createElement("th")).textContent = label;
      row.appendChild(document.createElement("td")).textContent = value;
    });
    return box;
  }

  function draw(block) {
    const data = JSON.parse(block.textContent);
    const group = window[data.group];
    const icons = data.styles.map(([color, icon]) => [false, true].map((muted) =>
      L.AwesomeMarkers.icon({ markerColor: color, icon: icon, prefix: "fa",
                              iconColor: muted ? "#dddddd" : "white" })));
    data.points.forEach((point) => {
      const [lon, lat, title, style, , , muted] = point;
      const tip = document.createElement("div");
      tip.textContent = title;
      const marker = L.marker([lat, lon], { icon: icons[style][muted ? 1 : 0] })
        .bindTooltip(tip, { sticky: true })
        .bindPopup(() => popup(point), { maxWidth: 320 });
      // Leaflet makes the icon a button; its name is the record's (screen readers, tests).
      marker.on("add", () => marker.getElement().setAttribute("aria-label", title));
      marker.addTo(group);
    });
  }

  function drawAll() {
    document.querySelectorAll("script.responder-points").forEach(draw);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", drawAll);
  else drawAll();
})();
