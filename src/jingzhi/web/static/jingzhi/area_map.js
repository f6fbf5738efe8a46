// The leader's map on the dashboard: the city's counties coloured by one figure (per 10,000 residents,
// overdue now, live hotspots), each clickable through to its case list. Everything comes from this site:
// the figures from web:area_map, the boundaries from the installed npm package, ECharts from PyPI.
const box = document.getElementById("area-map");
if (box) {
  const status = box.querySelector("[data-map-note]");
  const canvas = box.querySelector("[data-map-canvas]");
  const buttons = box.querySelector("[data-map-buttons]");
  const table = box.querySelector("[data-map-table]");
  const esc = (s) => String(s ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
  const fetchJson = (url) => fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
    .then((r) => { if (!r.ok) throw new Error(r.status); return r.json(); });

  function drawTable(data) {
    const L = data.labels;
    const rows = data.areas.map((a) => a.received === null
      ? `<tr><td>${esc(a.name)}</td><td colspan="4" class="muted">${esc(L.outside)}</td></tr>`
      : `<tr><td><a href="${esc(a.url)}">${esc(a.name)}</a></td><td class="num">${a.population ?? "—"}</td>
         <td class="num"><a href="${esc(a.url)}">${a.received}</a></td><td class="num">${a.per_10k ?? "—"}</td>
         <td class="num"><a href="${esc(a.overdue_url)}">${a.overdue}</a></td><td class="num"><a href="${esc(data.hotspots_url)}">${a.hotspots}</a></td></tr>`);
    table.innerHTML = `<details class="numbers"><summary>${esc(L.numbers)}</summary><table class="data"><thead><tr>
      <th>${esc(L.area)}</th><th>${esc(L.population)}</th><th>${esc(L.received)}</th><th>${esc(L.per_10k)}</th>
      <th>${esc(L.overdue)}</th><th>${esc(L.hotspots)}</th></tr></thead><tbody>${rows.join("")}</tbody></table></details>`;
  }

  // ECharts lays the map out in its box: a box of no size (styles not applied yet on a busy machine, or a page
  // being resized for a full-page capture) gives the map a view it cannot invert, and it throws. So the map is
  // drawn once the box has a size, and resized only while it has one, at most once a frame.
  const hasSize = () => canvas.clientWidth > 0 && canvas.clientHeight > 0;
  const sized = () => new Promise((resolve) => {
    if (hasSize()) { resolve(); return; }
    const watch = new ResizeObserver(() => { if (hasSize()) { watch.disconnect(); resolve(); } });
    watch.observe(canvas);
  });

  async function draw(data) {
    const echarts = await import(box.dataset.echarts);
    const geo = await fetchJson(data.boundaries);
    echarts.registerMap(data.city, geo);
    await sized();
    const chart = echarts.init(canvas, null, { renderer: "canvas" });
    const L = data.labels;
    const show = (key) => {
      const values = data.areas.filter((a) => a[key] !== null).map((a) => a[key]);
      const top = Math.max(0, ...values);
      // Rates are small decimals (0.4 per 10,000 a month); counts are whole numbers.
      const max = key === "per_10k" ? Math.max(0.1, Math.ceil(top * 10) / 10) : Math.max(1, Math.ceil(top));
      chart.setOption({
        tooltip: { trigger: "item", formatter: (p) => {
          const a = p.data && p.data.area;
          if (!a || a.received === null) return `${esc(p.name)}<br>${esc(L.outside)}`;
          return `<b>${esc(a.name)}</b><br>${esc(L.per_10k)}: ${a.per_10k ?? "—"}<br>${esc(L.overdue)}: ${a.overdue}`
            + `<br>${esc(L.hotspots)}: ${a.hotspots}<br><span style="opacity:.7">${esc(L.click)}</span>`;
        } },
        visualMap: { min: 0, max, calculable: true, left: 8, bottom: 8, precision: key === "per_10k" ? 1 : 0,
                     inRange: { color: key === "per_10k" ? ["#e8f1fb", "#1f5fa8"] : ["#fdf0e6", "#c0392b"] } },
        series: [{ type: "map", map: data.city, roam: false, selectedMode: false,
          // ECharts turns a missing value into NaN: an area without a figure shows its name only.
          label: { show: true, formatter: (p) => (Number.isFinite(p.value) ? `${p.name}\n${p.value}` : p.name), fontSize: 13, color: "#1d2733",
                   textBorderColor: "#fff", textBorderWidth: 2, lineHeight: 16 },
          layoutCenter: ["50%", "50%"], layoutSize: "96%",
          emphasis: { label: { show: true }, itemStyle: { areaColor: "#f6c343" } },
          itemStyle: { borderColor: "#fff", borderWidth: 1 },
          data: data.areas.map((a) => ({ name: a.name, value: a[key], area: a,
                                         itemStyle: a.received === null ? { areaColor: "#ddd" } : undefined })) }],
      }, true);
      buttons.querySelectorAll("button").forEach((b) => b.classList.toggle("btn-primary", b.dataset.key === key));
      canvas.dataset.showing = key;
    };
    chart.on("click", (p) => { const a = p.data && p.data.area; if (a && a.url) window.location.href = a.url; });
    let pending = false;
    new ResizeObserver(() => {
      if (pending) return;
      pending = true;
      requestAnimationFrame(() => { pending = false; if (hasSize()) chart.resize(); });
    }).observe(canvas);
    buttons.innerHTML = ["per_10k", "overdue", "hotspots"].map((k) =>
      `<button type="button" class="btn btn-small" data-key="${k}">${esc(L[k])}</button>`).join(" ");
    buttons.addEventListener("click", (e) => { const k = e.target.closest("button")?.dataset.key; if (k) show(k); });
    show("per_10k");
    box.dataset.ready = "1";
  }

  fetchJson(box.dataset.src).then((data) => {
    drawTable(data);
    if (!data.boundaries) {
      status.textContent = data.note;
      canvas.hidden = true;
      box.dataset.ready = "1";
      return null;
    }
    return draw(data);
  }).catch((e) => { status.textContent = box.dataset.error; canvas.hidden = true; console.error(e); });
}
