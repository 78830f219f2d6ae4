// Live pages: poll the board's change version with conditional requests (If-None-Match);
// the server answers 304 with no body until any operator changes anything, in any worker.
// Also the small DOM and time helpers the dispatch pages share (text only, never HTML).
(function () {
  "use strict";
  const csrf = document.querySelector('meta[name="csrf-token"]').content;

  function el(tag, attrs, children) {
    const node = document.createElement(tag);
    Object.entries(attrs || {}).forEach(([k, v]) => {
      if (v === undefined || v === null || v === false) return;
      if (k === "text") node.textContent = v; else node.setAttribute(k, v === true ? "" : v);
    });
    (children || []).forEach((child) => node.appendChild(
      typeof child === "string" ? document.createTextNode(child) : child));
    return node;
  }

  async function api(method, url, body) {
    const response = await fetch(url, {
      method, credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const data = await response.json().catch(() => ({}));
    if (!response.ok) {
      const e = data.error || {};
      const error = new Error((e.field ? e.field + ": " : "") + (e.message || response.statusText));
      error.field = e.field;
      throw error;
    }
    return data;
  }

  // Local clock time of an ISO UTC timestamp (or a Date) in the office's time zone.
  function clock(moment, zone) {
    const date = moment instanceof Date ? moment : new Date(/Z|[+-]\d\d:\d\d$/.test(moment)
      ? moment : moment + "Z");
    return new Intl.DateTimeFormat("zh-CN", { timeZone: zone, hour: "2-digit",
      minute: "2-digit", hour12: false }).format(date);
  }

  // Call onChange(body) whenever the board changes; every `every` ms otherwise a 304.
  function watch(onChange, every) {
    let etag = null;
    async function tick() {
      try {
        const response = await fetch("/api/v1/dispatch/board", {
          credentials: "same-origin", headers: etag ? { "If-None-Match": etag } : {},
        });
        if (response.status === 200) {
          const first = etag === null;
          etag = response.headers.get("ETag");
          const body = await response.json();
          if (!first) await onChange(body); else if (watch.initial) watch.initial(body);
        }
      } catch (error) { /* a missed poll is retried on the next tick */ }
      setTimeout(tick, every || 1500);
    }
    tick();
  }

  window.responder = { el, api, clock, watch, csrf };
})();
