// hipstride's vector map: the ways of the current view, fetched as JSON and drawn in SVG.
// No tiles and nothing from the network; the view is an equirectangular projection whose
// SVG viewBox pans and zooms. Mouse: drag to pan, wheel to zoom, click to pick a point.
// Keys (map focused): arrows pan, + and - zoom.
"use strict";
(function () {
  const NS = "http://www.w3.org/2000/svg";
  const K = 100000; // projected units per degree

  function el(name, attrs) {
    const e = document.createElementNS(NS, name);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    return e;
  }

  function VectorMap(container, opts) {
    this.c = container; this.opts = opts || {};
    this.cos = 1; this.mapName = null; this.timer = null; this.seq = 0;
    this.svg = el("svg", { "aria-hidden": "true", focusable: "false" });
    this.ways = el("g"); this.over = el("g"); this.marks = el("g");
    this.svg.appendChild(this.ways); this.svg.appendChild(this.over); this.svg.appendChild(this.marks);
    container.appendChild(this.svg);
    const zoom = document.createElement("div"); zoom.className = "zoom";
    const self = this;
    [["+", "Zoom in", 0.5], ["−", "Zoom out", 2]].forEach(function (z) {
      const b = document.createElement("button"); b.type = "button"; b.textContent = z[0];
      b.setAttribute("aria-label", z[1]); b.addEventListener("click", function () { self.zoom(z[2]); });
      zoom.appendChild(b);
    });
    container.appendChild(zoom);
    this.bind();
  }

  VectorMap.prototype.project = function (lat, lon) { return [lon * this.cos * K, -lat * K]; };
  VectorMap.prototype.unproject = function (x, y) { return [-y / K, x / (this.cos * K)]; };

  VectorMap.prototype.fit = function (box) { // [s, w, n, e]
    this.cos = Math.cos((box[0] + box[2]) / 2 * Math.PI / 180);
    const a = this.project(box[2], box[1]), b = this.project(box[0], box[3]);
    this.vb = [a[0], a[1], b[0] - a[0], b[1] - a[1]];
    this.apply();
  };
  VectorMap.prototype.apply = function () {
    const r = this.c.getBoundingClientRect();
    const aspect = (r.width || 600) / (r.height || 400);
    let v = this.vb;
    if (v[2] / v[3] < aspect) { const w = v[3] * aspect; v = [v[0] - (w - v[2]) / 2, v[1], w, v[3]]; }
    else { const h = v[2] / aspect; v = [v[0], v[1] - (h - v[3]) / 2, v[2], h]; }
    this.vb = v;
    this.svg.setAttribute("viewBox", v.join(" "));
    this.schedule();
  };
  VectorMap.prototype.box = function () {
    const v = this.vb, nw = this.unproject(v[0], v[1]), se = this.unproject(v[0] + v[2], v[1] + v[3]);
    return [se[0], nw[1], nw[0], se[1]];
  };
  VectorMap.prototype.zoom = function (f, cx, cy) {
    const v = this.vb;
    cx = cx === undefined ? v[0] + v[2] / 2 : cx; cy = cy === undefined ? v[1] + v[3] / 2 : cy;
    this.vb = [cx - (cx - v[0]) * f, cy - (cy - v[1]) * f, v[2] * f, v[3] * f];
    this.apply();
  };
  VectorMap.prototype.pan = function (fx, fy) {
    const v = this.vb; this.vb = [v[0] + v[2] * fx, v[1] + v[3] * fy, v[2], v[3]]; this.apply();
  };
  VectorMap.prototype.toSvg = function (clientX, clientY) {
    const p = this.svg.createSVGPoint(); p.x = clientX; p.y = clientY;
    return p.matrixTransform(this.svg.getScreenCTM().inverse());
  };
  VectorMap.prototype.bind = function () {
    const self = this; let drag = null;
    this.svg.addEventListener("pointerdown", function (e) { drag = { x: e.clientX, y: e.clientY, vb: self.vb.slice(), moved: false }; self.svg.setPointerCapture(e.pointerId); });
    this.svg.addEventListener("pointermove", function (e) {
      if (!drag) { return; }
      const r = self.c.getBoundingClientRect(), dx = e.clientX - drag.x, dy = e.clientY - drag.y;
      if (Math.abs(dx) + Math.abs(dy) > 4) { drag.moved = true; }
      self.vb = [drag.vb[0] - dx * drag.vb[2] / r.width, drag.vb[1] - dy * drag.vb[3] / r.height, drag.vb[2], drag.vb[3]];
      self.svg.setAttribute("viewBox", self.vb.join(" "));
    });
    this.svg.addEventListener("pointerup", function (e) {
      if (drag && !drag.moved && self.opts.onClick) {
        const p = self.toSvg(e.clientX, e.clientY), ll = self.unproject(p.x, p.y);
        self.opts.onClick(ll[0], ll[1]);
      }
      if (drag && drag.moved) { self.schedule(); }
      drag = null;
    });
    this.svg.addEventListener("wheel", function (e) {
      e.preventDefault(); const p = self.toSvg(e.clientX, e.clientY); self.zoom(e.deltaY > 0 ? 1.25 : 0.8, p.x, p.y);
    }, { passive: false });
    this.c.addEventListener("keydown", function (e) {
      const k = { ArrowLeft: [-0.2, 0], ArrowRight: [0.2, 0], ArrowUp: [0, -0.2], ArrowDown: [0, 0.2] }[e.key];
      if (k) { e.preventDefault(); self.pan(k[0], k[1]); }
      else if (e.key === "+" || e.key === "=") { e.preventDefault(); self.zoom(0.7); }
      else if (e.key === "-") { e.preventDefault(); self.zoom(1.4); }
    });
  };
  VectorMap.prototype.schedule = function () {
    const self = this; clearTimeout(this.timer);
    this.timer = setTimeout(function () { self.loadWays(); }, 150);
  };
  VectorMap.prototype.loadWays = function () {
    if (!this.mapName || !this.opts.waysUrl) { return; }
    const b = this.box(), self = this, seq = ++this.seq;
    const url = this.opts.waysUrl.replace("MAP", encodeURIComponent(this.mapName)) +
      "?s=" + b[0].toFixed(5) + "&w=" + b[1].toFixed(5) + "&n=" + b[2].toFixed(5) + "&e=" + b[3].toFixed(5);
    fetch(url, { headers: { Accept: "application/json" } }).then(function (r) { return r.json(); }).then(function (doc) {
      if (seq !== self.seq || !doc.ways) { return; }
      const groups = {};
      doc.ways.forEach(function (w) {
        const d = w[1].map(function (p, i) { const q = self.project(p[0], p[1]); return (i ? "L" : "M") + q[0].toFixed(1) + " " + q[1].toFixed(1); }).join("");
        (groups[w[0]] = groups[w[0]] || []).push(d);
      });
      while (self.ways.firstChild) { self.ways.removeChild(self.ways.firstChild); }
      Object.keys(groups).forEach(function (cls) {
        self.ways.appendChild(el("path", { "class": "way", d: groups[cls].join(""), stroke: doc.colours[cls] }));
      });
      self.c.dataset.waysDrawn = String(doc.ways.length);
    }).catch(function () { /* the view stays as drawn */ });
  };
  VectorMap.prototype.clear = function () {
    while (this.over.firstChild) { this.over.removeChild(this.over.firstChild); }
    while (this.marks.firstChild) { this.marks.removeChild(this.marks.firstChild); }
  };
  VectorMap.prototype.line = function (points, colour, cls) { // points: [[lat, lon], …]
    const self = this;
    const d = points.map(function (p, i) { const q = self.project(p[0], p[1]); return (i ? "L" : "M") + q[0].toFixed(1) + " " + q[1].toFixed(1); }).join("");
    this.over.appendChild(el("path", { "class": cls || "route", d: d, stroke: colour }));
  };
  VectorMap.prototype.marker = function (lat, lon, colour) {
    const q = this.project(lat, lon), r = this.vb[2] / 120;
    this.marks.appendChild(el("circle", { cx: q[0], cy: q[1], r: r, fill: colour, stroke: "#fff", "stroke-width": r / 3 }));
  };
  window.HipstrideMap = VectorMap;

  // The run page: the track coloured by hip load, over the covering map's ways.
  document.addEventListener("DOMContentLoaded", function () {
    const c = document.getElementById("run-map");
    if (!c) { return; }
    const m = new VectorMap(c, { waysUrl: c.dataset.ways });
    fetch(c.dataset.track, { headers: { Accept: "application/json" } }).then(function (r) { return r.json(); }).then(function (doc) {
      if (!doc.points) { return; }
      m.mapName = doc.map;
      m.fit(doc.box);
      let run = [], cls = null;
      doc.points.forEach(function (p, i) {
        const k = doc.load_class[i];
        if (p === null) { if (run.length > 1) { m.line(run, doc.colours[cls]); } run = []; return; }
        if (cls !== null && k !== cls && run.length) { run.push(p); m.line(run, doc.colours[cls]); run = [p]; }
        else { run.push(p); }
        cls = k;
      });
      if (run.length > 1) { m.line(run, doc.colours[cls]); }
      c.dataset.drawn = "1";
    });
  });
})();
