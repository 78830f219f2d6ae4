// Coverage page and its printable county summary: the 打印 button, and the teams-away
// checklist (filter by name, clear, count of teams chosen).  No inline handlers (CSP).
(function () {
  "use strict";
  document.querySelectorAll("[data-print]").forEach((button) => {
    button.addEventListener("click", () => window.print());
  });

  const boxes = Array.from(document.querySelectorAll('.away-teams input[name="away"]'));
  const count = document.querySelector("[data-away-count]");
  function recount() {
    if (count) count.textContent = String(boxes.filter((b) => b.checked).length);
  }
  boxes.forEach((box) => box.addEventListener("change", recount));

  const clear = document.querySelector("[data-away-clear]");
  if (clear) {
    clear.addEventListener("click", () => {
      boxes.forEach((box) => { box.checked = false; });
      recount();
    });
  }

  const filter = document.querySelector("[data-team-filter]");
  if (filter) {
    filter.addEventListener("input", () => {
      const wanted = filter.value.trim().toLowerCase();
      document.querySelectorAll(".away-groups fieldset").forEach((group) => {
        let shown = 0;
        group.querySelectorAll("label.away-team").forEach((label) => {
          const hit = !wanted || label.textContent.toLowerCase().includes(wanted);
          label.hidden = !hit;
          if (hit) shown += 1;
        });
        group.hidden = shown === 0;
      });
    });
  }
})();
