// The proposal panel shared by the console and the incident page: each team once (all its
// specialties), recommended rows marked and pre-checked, arrival in minutes and as a local
// clock time, materials, nearby hazard sources with substances, plans, unmet needs in words,
// and a confirm bar that stays in view.  Everything is built with textContent.
(function () {
  "use strict";
  const { el, api, clock } = window.responder;

  // A catalog unit as a word of the page's language (套, 台 ...); a unit typed by an admin
  // that is not in the catalog shows as typed.
  const unitWord = (text, unit) => (text.units || {})[unit] || unit;

  function unmetText(u, proposal, text) {
    if (u.kind === "team") {
      return (text.specialties[u.specialty] || u.specialty) + " " + text.unmetTeam
        .replace("{needed}", u.needed).replace("{found}", u.found);
    }
    const m = proposal.materials.find((x) => x.code === u.material);
    return (m ? m.name : u.name || u.material) + " " + text.unmetMaterial
      .replace("{shortfall}", u.shortfall).replace("{unit}", unitWord(text, m ? m.unit : u.unit || ""));
  }

  // One row per team: the specialties it is offered for, recommended if any is.
  function teamRows(proposal) {
    const byTeam = new Map();
    Object.entries(proposal.teams).forEach(([specialty, options]) => options.forEach((o) => {
      const row = byTeam.get(o.team_id) || { ...o, offered: [], recommendedFor: "" };
      row.offered.push(specialty);
      if (o.recommended && !row.recommendedFor) { row.recommendedFor = specialty; row.recommended = true; }
      byTeam.set(o.team_id, row);
    }));
    return [...byTeam.values()].sort((a, b) => (b.recommended - a.recommended) || (a.arrival_s - b.arrival_s));
  }

  function render(box, proposal, text, zone, onConfirmed) {
    const start = new Date(proposal.computed_at.endsWith("Z") || proposal.computed_at.includes("+")
      ? proposal.computed_at : proposal.computed_at + "Z");
    const rows = teamRows(proposal);
    const teamBody = el("tbody", {}, rows.map((o) => {
      const check = el("input", { type: "checkbox", "data-team": o.team_id,
        "data-specialty": o.recommendedFor || o.offered[0], "aria-label": o.name });
      check.checked = !!o.recommended;
      const arrival = new Date(start.getTime() + o.arrival_s * 1000);
      return el("tr", { class: o.recommended ? "recommended" : "", "data-team-row": o.team_id }, [
        el("td", {}, [check]),
        el("td", {}, [el("strong", { text: o.name }), o.recommended
          ? el("span", { class: "badge ok", text: text.recommended }) : el("span")]),
        el("td", { text: o.specialties.map((s) => text.specialties[s] || s).join("、") }),
        el("td", { class: "num", text: (o.arrival_s / 60).toFixed(1) + " " + text.min }),
        el("td", { class: "num", text: clock(arrival, zone) }),
        el("td", { text: o.cross_jurisdiction ? text.cross : "" }),
      ]);
    }));
    const materialBody = el("tbody", {}, proposal.materials.flatMap((m) => m.sources.map((s) => {
      const check = el("input", { type: "checkbox", "data-line": s.inventory_line_id,
        "data-quantity": s.quantity, "aria-label": m.name });
      check.checked = true;
      return el("tr", {}, [el("td", {}, [check]), el("td", { text: m.name }),
        el("td", { text: s.depot }), el("td", { class: "num", text: s.quantity + " " + unitWord(text, m.unit) }),
        el("td", { class: "num", text: (s.arrival_s / 60).toFixed(1) + " " + text.min })]);
    })));
    const hazards = proposal.hazard_sources.map((h) => el("li", {}, [
      el("strong", { text: h.enterprise + " · " + h.name }),
      " (" + text.grade.replace("{grade}", h.grade) + ", " + Math.round(h.distance_m) + " m) ",
      el("span", { class: "substances", text: (h.substances || [])
        .map((x) => x.name + " " + x.quantity_t + " t").join("、") }),
    ]));
    const plans = (proposal.plans || []).map((p) => el("li", {}, [
      (text.planRoles[p.role] || p.role) + ": ",
      el("a", { href: "/plans/" + p.id, text: p.title }),
      p.filing_number ? " · " + p.filing_number : "",
    ]));
    const experts = (proposal.experts || []).map((x) => el("li", {}, [
      el("strong", { text: x.name }),
      " " + [text.specialties[x.specialty] || x.specialty, x.unit, x.phone]
        .filter(Boolean).join(" · "),
    ]));
    const reason = el("input", { id: "deviation-reason", maxlength: 500,
      placeholder: text.reason, "aria-label": text.reason });
    const confirm = el("button", { type: "button", id: "confirm-dispatch", class: "primary",
      text: text.confirm });
    const status = el("p", { class: "flash", role: "status" });
    confirm.addEventListener("click", async () => {
      const teams = [...teamBody.querySelectorAll("input:checked")].map((b) => ({
        team_id: Number(b.dataset.team), specialty: b.dataset.specialty }));
      const materials = [...materialBody.querySelectorAll("input:checked")].map((b) => ({
        inventory_line_id: Number(b.dataset.line), quantity: Number(b.dataset.quantity) }));
      status.className = "flash"; status.textContent = "";
      try {
        const incident = await api("POST", `/api/v1/incidents/${proposal.incident_id}/dispatch`, {
          proposal_id: proposal.proposal_id, teams, materials, deviation_reason: reason.value });
        status.className = "flash success"; status.textContent = text.confirmed;
        confirm.disabled = true;
        if (onConfirmed) onConfirmed(incident);
      } catch (error) { status.className = "flash error"; status.textContent = error.message; }
    });
    box.replaceChildren(
      el("h2", { text: (proposal.reinforcement ? text.reinforcement : text.proposal) +
        " #" + proposal.incident_id + " · " + (text.severities[proposal.severity] || "") }),
      el("div", { class: "unmet" }, proposal.unmet.map((u) => el("p", { class: "error",
        text: unmetText(u, proposal, text) }))),
      el("table", { class: "records team-options" }, [el("thead", {}, [el("tr", {},
        ["", text.team, text.specialty, text.arrival, text.arrivalClock, ""].map((h) =>
          el("th", { text: h })))]), teamBody]),
      el("table", { class: "records material-options" }, [el("thead", {}, [el("tr", {},
        ["", text.material, text.depot, text.quantity, text.arrival].map((h) =>
          el("th", { text: h })))]), materialBody]),
      el("h3", { text: text.hazards }),
      el("ul", { class: "hazards" }, hazards.length ? hazards : [el("li", { text: text.none })]),
      el("h3", { text: text.plans }),
      el("ul", { class: "plans" }, plans.length ? plans : [el("li", { text: text.noPlan })]),
      el("h3", { text: text.experts }),
      el("ul", { class: "experts" }, experts.length ? experts : [el("li", { text: text.noExperts })]),
      el("div", { class: "confirm-bar" }, [reason, confirm, status]),
    );
    box.hidden = false;
  }

  window.responderProposal = { render, unmetText };
})();
