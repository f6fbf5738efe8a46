// Cascading 区划 picker (issue 11): a <select data-cascade="URL"> listing every division becomes three selects,
// county → township → community, fed by the JSON at URL. The original select stays in the form (hidden) and
// always holds the deepest place chosen, so the server receives and validates the same code as without script.
// Without this script (or if the JSON cannot be had) the long select works as it is.
(function () {
  function option(value, text) {
    const o = document.createElement("option");
    o.value = value;
    o.textContent = text;
    return o;
  }

  function enhance(select) {
    const labels = (select.dataset.cascadeLabels || "").split("|");
    const blank = labels[3] || "—";
    fetch(select.dataset.cascade, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then((r) => (r.ok ? r.json() : Promise.reject(r.status)))
      .then((data) => build(select, data.divisions || [], labels, blank))
      .catch(() => {}); // keep the plain select
  }

  function build(select, rows, labels, blank) {
    const children = new Map();
    const byCode = new Map();
    for (const row of rows) {
      byCode.set(row.code, row);
      if (!children.has(row.parent)) children.set(row.parent, []);
      children.get(row.parent).push(row);
    }
    const counties = rows.filter((r) => r.level === "county");
    if (!counties.length) return;

    const wrap = document.createElement("div");
    wrap.className = "cascade";
    const levels = [0, 1, 2].map((i) => {
      const s = document.createElement("select");
      s.className = "cascade-level";
      s.dataset.level = String(i);
      s.setAttribute("aria-label", labels[i] || "");
      wrap.appendChild(s);
      return s;
    });
    function fill(s, list) {
      s.replaceChildren(option("", (s.getAttribute("aria-label") || "") + " " + blank));
      for (const r of list) s.appendChild(option(r.code, r.name));
      s.disabled = !list.length;
    }
    function sync() {
      // The deepest level with a choice is the place; the hidden select carries it to the server.
      let code = "";
      for (const s of levels) if (s.value) code = s.value;
      select.value = code;
    }
    levels.forEach((s, i) => s.addEventListener("change", () => {
      for (let j = i + 1; j < levels.length; j++) fill(levels[j], j === i + 1 && s.value ? children.get(s.value) || [] : []);
      sync();
    }));

    fill(levels[0], counties);
    fill(levels[1], []);
    fill(levels[2], []);
    // A form shown again after an error keeps the place chosen before.
    const chain = [];
    for (let r = byCode.get(select.value); r; r = byCode.get(r.parent)) chain.unshift(r.code);
    chain.forEach((code, i) => {
      if (!levels[i]) return;
      levels[i].value = code;
      if (levels[i + 1]) fill(levels[i + 1], children.get(code) || []);
    });

    const label = document.querySelector('label[for="' + select.id + '"]');
    if (label) label.htmlFor = levels[0].id = select.id + "_county";
    select.hidden = true;
    select.tabIndex = -1;
    select.after(wrap);
  }

  document.addEventListener("DOMContentLoaded", () => document.querySelectorAll("select[data-cascade]").forEach(enhance));
})();
