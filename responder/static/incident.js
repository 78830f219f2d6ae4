// The incident page: team status buttons, the record and grade, notes, reinforcement and
// the close form with consumption, all through the JSON API; the live part of the page
// (teams, stock, timeline) is re-read from the server whenever the board changes.
(function () {
  "use strict";
  const { api, watch } = window.responder;
  const text = JSON.parse(document.getElementById("page-labels").textContent);
  const page = document.querySelector(".incident-page");
  const id = page.dataset.incident;
  const base = `/api/v1/incidents/${id}`;
  const status = document.getElementById("page-status");

  function say(message, ok) {
    if (!status) return;
    status.className = "flash " + (ok ? "success" : "error");
    status.textContent = message;
  }

  // Replace the live part with the server's fresh rendering of it (already escaped there).
  async function refresh() {
    const response = await fetch(location.pathname + location.search, { credentials: "same-origin" });
    const fresh = new DOMParser().parseFromString(await response.text(), "text/html");
    const live = fresh.getElementById("live");
    if (live) document.getElementById("live").replaceChildren(
      ...[...live.childNodes].map((n) => document.importNode(n, true)));
    // New stock lines (a reinforcement) join the close form; figures already typed stay.
    const ids = (root) => [...root.querySelectorAll("#close-form input[data-dispatch]")]
      .map((input) => input.dataset.dispatch).join(",");
    const lines = document.querySelector("#close-form tbody");
    if (lines && ids(fresh) !== ids(document)) {
      const typed = Object.fromEntries([...lines.querySelectorAll("input[data-dispatch]")]
        .map((input) => [input.dataset.dispatch, input.value]));
      lines.replaceChildren(...[...fresh.querySelector("#close-form tbody").childNodes]
        .map((n) => document.importNode(n, true)));
      lines.querySelectorAll("input[data-dispatch]").forEach((input) => {
        input.value = typed[input.dataset.dispatch] || "";
      });
    }
    if (fresh.querySelector(".incident-page").dataset.status !== page.dataset.status) {
      location.reload();  // closed elsewhere: the forms go away
    }
  }

  document.getElementById("live").addEventListener("click", async (event) => {
    const button = event.target.closest("button[data-advance]");
    if (!button) return;
    button.disabled = true;
    try {
      await api("POST", `${base}/assignments/${button.dataset.advance}/status`,
                { status: button.dataset.next });
      await refresh();
    } catch (error) { say(error.message, false); button.disabled = false; }
  });

  function on(formId, handler) {
    const form = document.getElementById(formId);
    if (!form) return;
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      try { await handler(form); } catch (error) { say(error.message, false); }
    });
  }

  on("record-form", async (form) => {
    await api("PUT", `${base}/record`, {
      deaths: Number(form.deaths.value), serious_injuries: Number(form.serious_injuries.value),
      direct_loss_yuan: Number(form.direct_loss_wan.value) * 10000,
      severity: form.severity.value, severity_reason: form.severity_reason.value,
    });
    say(text.saved, true);
    await refresh();
  });

  on("note-form", async (form) => {
    await api("POST", `${base}/notes`, { text: form.text.value });
    form.reset();
    say(text.saved, true);
    await refresh();
  });

  on("close-form", async (form) => {
    const consumed = [...form.querySelectorAll("input[data-dispatch]")]
      .filter((input) => input.value !== "")
      .map((input) => ({ material_dispatch_id: Number(input.dataset.dispatch),
                         consumed: Number(input.value) }));
    await api("POST", `${base}/close`, { reason: form.reason.value, consumed });
    location.reload();
  });

  const reinforce = document.getElementById("reinforce");
  if (reinforce) reinforce.addEventListener("click", async () => {
    try {
      const proposal = await api("POST", `${base}/proposal?reinforce=true`);
      window.responderProposal.render(document.getElementById("proposal"), proposal, text,
        text.timezone, refresh);
      document.getElementById("proposal").scrollIntoView();
    } catch (error) { say(error.message, false); }
  });

  // The map starts in a closed section, where Leaflet framed it at 0×0: the whole world.
  // On the first opening it is sized and framed again on the bounds Folium gave it; a later
  // opening keeps whatever view the user has chosen since (Leaflet's own resize handling).
  const mapSection = document.querySelector("details.incident-map");
  const mapFrame = mapSection && mapSection.querySelector("iframe.map");
  let mapFramed = false;
  function frameMap() {
    if (!mapSection.open) return;  // closed again before the map had loaded
    const win = mapFrame.contentWindow;
    const map = win && win[mapFrame.dataset.mapName];
    // Until Folium's script has run, the name is the map <div> (ids are window globals).
    if (!map || typeof map.invalidateSize !== "function") { setTimeout(frameMap, 100); return; }
    map.invalidateSize({ animate: false });  // keeps the centre
    if (!map.getSize().x) { requestAnimationFrame(frameMap); return; }  // not laid out yet
    if (!mapFramed && mapFrame.dataset.mapBounds) {
      map.fitBounds(JSON.parse(mapFrame.dataset.mapBounds), { animate: false });
    }
    mapFramed = true;
  }
  if (mapFrame) mapSection.addEventListener("toggle", () => { if (mapSection.open) frameMap(); });

  watch(refresh, 1500);
  page.dataset.ready = "yes";  // the buttons answer from here on (tests wait for it)
})();
