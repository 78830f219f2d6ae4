// Page import: preview the chosen file (columns and the fields they map to, first rows),
// then run the all-or-nothing import and follow its streamed progress (NDJSON lines).
(function () {
  "use strict";
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const form = document.getElementById("import-form");
  const input = document.getElementById("import-file");
  const words = JSON.parse(document.getElementById("import-words").textContent);
  const $ = (id) => document.getElementById(id);
  const say = (template, values) =>
    template.replace(/\{(\w+)\}/g, (_m, key) => String(values[key]));

  function body() {
    const data = new FormData();
    data.append("file", input.files[0]);
    return data;
  }

  function cell(row, text, tag) {
    const el = document.createElement(tag || "td");
    el.textContent = text;
    row.appendChild(el);
    return el;
  }

  function showProblems(answer) {
    $("problems").hidden = false;
    $("problems-summary").textContent = words.failed + " " + (answer.message || "");
    const tbody = $("problems-table").querySelector("tbody");
    tbody.replaceChildren();
    (answer.problems || []).forEach((p) => {
      const tr = document.createElement("tr");
      tr.className = "problem";
      cell(tr, p.row == null ? "" : p.row);
      cell(tr, p.column == null ? "" : p.column);
      cell(tr, p.message);
      tbody.appendChild(tr);
    });
  }

  function reset() {
    $("problems").hidden = true;
    $("preview").hidden = true;
    $("progress-box").hidden = true;
    $("import-message").textContent = "";
    $("import-message").className = "";
  }

  async function preview() {
    reset();
    if (!input.files.length) return;
    const response = await fetch(form.dataset.preview, {
      method: "POST", credentials: "same-origin", headers: { "X-CSRFToken": csrf }, body: body(),
    });
    const answer = await response.json().catch(() => ({ message: response.statusText }));
    if (!answer.ok) { showProblems(answer); return; }
    const thead = $("preview-table").querySelector("thead");
    const tbody = $("preview-table").querySelector("tbody");
    thead.replaceChildren();
    tbody.replaceChildren();
    const head = document.createElement("tr");
    cell(head, words.row, "th");
    answer.columns.forEach((c) => { cell(head, c.header, "th"); });
    const maps = document.createElement("tr");
    maps.className = "mapping";
    cell(maps, words.column_maps, "th");
    answer.columns.forEach((c) => { cell(maps, "→ " + c.label, "th").className = "more"; });
    thead.append(head, maps);
    answer.rows.forEach((r) => {
      const tr = document.createElement("tr");
      cell(tr, r.row);
      r.values.forEach((v) => cell(tr, v));
      tbody.appendChild(tr);
    });
    $("preview-count").textContent = say(words.rows, { n: answer.total, shown: answer.rows.length });
    $("preview-missing").hidden = !answer.missing.length;
    $("preview-missing").textContent = say(words.missing, { cols: answer.missing.join("、") });
    $("preview").hidden = false;
    $("import-run").disabled = false;
  }

  function progress(done, total) {
    $("progress-box").hidden = false;
    $("import-progress").max = Math.max(total, 1);
    $("import-progress").value = done;
    $("progress-text").textContent = say(words.progress, { done, total });
    document.body.dataset.importProgress = String(done);
  }

  async function run() {
    $("import-run").disabled = true;
    $("problems").hidden = true;
    const response = await fetch(form.dataset.run, {
      method: "POST", credentials: "same-origin", headers: { "X-CSRFToken": csrf }, body: body(),
    });
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    let buffered = "";
    let last = null;
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffered += decoder.decode(value, { stream: true });
      const lines = buffered.split("\n");
      buffered = lines.pop();
      for (const line of lines) {
        if (!line.trim()) continue;
        const event = JSON.parse(line);
        if ("done" in event) progress(event.done, event.total);
        else last = event;
      }
    }
    if (buffered.trim()) last = JSON.parse(buffered);
    if (last && last.result) {
      progress(last.result.rows, last.result.rows);
      const message = $("import-message");
      message.className = "flash success";
      message.textContent = say(words.done, { n: last.result.rows }) + " ";
      const link = document.createElement("a");
      link.href = form.dataset.list;
      link.textContent = words.open_list;
      message.appendChild(link);
      $("preview").hidden = true;
    } else {
      $("progress-box").hidden = true;
      showProblems(last || {});
      $("import-run").disabled = false;
    }
    document.body.dataset.importState = last && last.result ? "done" : "rejected";
  }

  input.addEventListener("change", () => { preview(); });
  $("import-run").addEventListener("click", () => { run(); });
})();
