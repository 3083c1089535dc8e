// hipstride planner: click a start (and an end for A → B), plan on the server, draw the routes.
"use strict";
(function () {
  const COLOURS = ["#d6336c", "#1c7ed6", "#f08c00", "#7048e8", "#0ca678"];
  document.addEventListener("DOMContentLoaded", function () {
    const c = document.getElementById("plan-map"), form = document.getElementById("plan-form");
    if (!c || !form) { return; }
    const $ = function (id) { return document.getElementById(id); };
    const result = $("plan-result"), gpx = $("plan-gpx"), fit = $("plan-fit"), select = $("p-map");
    let clicks = 0;
    const m = new window.HipstrideMap(c, {
      waysUrl: c.dataset.ways,
      onClick: function (lat, lon) {
        const ab = $("p-kind").value === "to";
        if (!ab || clicks % 2 === 0) { $("p-lat").value = lat.toFixed(6); $("p-lon").value = lon.toFixed(6); }
        else { $("p-end-lat").value = lat.toFixed(6); $("p-end-lon").value = lon.toFixed(6); }
        clicks++;
        marks();
      }
    });
    function marks() {
      m.clear();
      if ($("p-lat").value) { m.marker(+$("p-lat").value, +$("p-lon").value, "#0b7285"); }
      if ($("p-kind").value === "to" && $("p-end-lat").value) { m.marker(+$("p-end-lat").value, +$("p-end-lon").value, "#c92a2a"); }
    }
    function showMap() {
      const opt = select.options[select.selectedIndex];
      const b = opt.dataset.bbox.split(",").map(Number);
      const centre = opt.dataset.centre.split(",").map(Number);
      const lat = +$("p-lat").value || centre[0], lon = +$("p-lon").value || centre[1], h = Math.min((b[2] - b[0]) / 2, 0.015), w = Math.min((b[3] - b[1]) / 2, 0.025);
      m.mapName = opt.value;
      m.fit([lat - h, lon - w, lat + h, lon + w]);
    }
    select.addEventListener("change", function () { window.location.search = "?map=" + encodeURIComponent(select.value); });
    showMap();
    function fields() {
      const d = {};
      new FormData(form).forEach(function (v, k) { if (k !== "csrf_token" && v !== "") { d[k] = v; } });
      return d;
    }
    function row(label, r, colour) {
      const li = document.createElement("li");
      const hl = r.hip_load.index === null ? "–" : r.hip_load.index.toFixed(3);
      li.textContent = label + ": " + (r.distance_m / 1000).toFixed(2) + " km, hip-load index " + hl +
        ", soft " + Math.round(100 * r.surface.shares.soft) + " %, " + r.turns.sharp_count + " sharp turns";
      li.style.borderLeft = "6px solid " + colour; li.style.paddingLeft = ".5rem";
      return li;
    }
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      const d = fields();
      result.textContent = "Planning…"; gpx.hidden = true; fit.hidden = true;
      fetch(form.action, { method: "POST", headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRF-Token": window.hipstrideCsrf() }, body: JSON.stringify(d) })
        .then(function (r) { return r.json().then(function (doc) { return [r.ok, doc]; }); })
        .then(function (res) {
          const ok = res[0], doc = res[1];
          result.textContent = "";
          if (!ok) { const p = document.createElement("p"); p.className = "error"; p.setAttribute("role", "alert"); p.textContent = doc.error; result.appendChild(p); return; }
          marks();
          if (doc.baseline && doc.baseline.coordinates) { m.line(doc.baseline.coordinates, "#343a40", "route baseline"); }
          doc.routes.slice().reverse().forEach(function (r) { m.line(r.coordinates, COLOURS[(r.rank - 1) % COLOURS.length]); });
          const ul = document.createElement("ul");
          const q = new URLSearchParams(d);
          doc.routes.forEach(function (r) {
            const li = row((doc.kind === "loop" ? "Loop " : "Route ") + r.rank, r, COLOURS[(r.rank - 1) % COLOURS.length]);
            const a = document.createElement("a");
            const qr = new URLSearchParams(q); qr.set("route", String(r.rank));
            a.href = "/planner/plan.fit?" + qr.toString(); a.textContent = "FIT course"; a.setAttribute("download", "");
            a.className = "route-fit";
            li.appendChild(document.createTextNode(" · ")); li.appendChild(a);
            ul.appendChild(li);
          });
          if (doc.baseline) { ul.appendChild(row("Shortest (baseline, dashed)", doc.baseline, "#343a40")); }
          result.appendChild(ul);
          (doc.notes || []).forEach(function (n) { const p = document.createElement("p"); p.className = "note"; p.textContent = n; result.appendChild(p); });
          gpx.href = "/planner/plan.gpx?" + q.toString(); gpx.hidden = false;
          fit.href = "/planner/plan.fit?" + q.toString() + "&route=1"; fit.hidden = false;
          c.dataset.routes = String(doc.routes.length);
        })
        .catch(function () { result.textContent = "The plan failed: is hipstride serve still running?"; });
    });
    marks();
    if (form.dataset.auto === "1" && $("p-lat").value && $("p-lon").value) { form.requestSubmit(); }
  });
})();
