// Draws the pain-over-time chart as SVG from the JSON block named by data-pain-chart.
// The table beside it carries the same numbers, so the page works without this script.
(function () {
  "use strict";
  var SVG = "http://www.w3.org/2000/svg";
  var WIDTH = 640, HEIGHT = 260;
  var PAD = { left: 36, right: 12, top: 12, bottom: 40 };

  function el(name, attrs, parent) {
    var node = document.createElementNS(SVG, name);
    Object.keys(attrs).forEach(function (key) { node.setAttribute(key, attrs[key]); });
    if (parent) { parent.appendChild(node); }
    return node;
  }

  function draw(figure) {
    var source = document.getElementById(figure.getAttribute("data-pain-chart"));
    if (!source) { return; }
    var data;
    try { data = JSON.parse(source.textContent); } catch (e) { return; }
    if (!Array.isArray(data) || data.length === 0) { return; }

    var plotW = WIDTH - PAD.left - PAD.right, plotH = HEIGHT - PAD.top - PAD.bottom;
    var x = function (i) { return PAD.left + (data.length === 1 ? plotW / 2 : (i * plotW) / (data.length - 1)); };
    var y = function (pain) { return PAD.top + plotH - (pain * plotH) / 10; };

    var svg = el("svg", {
      viewBox: "0 0 " + WIDTH + " " + HEIGHT, role: "img", "class": "pain-svg",
      "aria-label": "Pain before and after each session; the table below has the same numbers."
    });
    [0, 2, 4, 6, 8, 10].forEach(function (level) {
      el("line", { x1: PAD.left, x2: WIDTH - PAD.right, y1: y(level), y2: y(level), "class": "grid" }, svg);
      el("text", { x: PAD.left - 8, y: y(level) + 4, "text-anchor": "end", "class": "axis" }, svg).textContent = level;
    });
    var step = Math.max(1, Math.ceil(data.length / 6));
    data.forEach(function (row, i) {
      if (i % step === 0 || i === data.length - 1) {
        el("text", { x: x(i), y: HEIGHT - PAD.bottom + 18, "text-anchor": "middle", "class": "axis" }, svg)
          .textContent = row.date;
      }
    });
    [["pain_before", "before"], ["pain_after", "after"]].forEach(function (series) {
      var key = series[0], name = series[1];
      var points = data.map(function (row, i) { return x(i) + "," + y(row[key]); }).join(" ");
      el("polyline", { points: points, "class": "series series-" + name, fill: "none" }, svg);
      data.forEach(function (row, i) {
        var dot = el("circle", { cx: x(i), cy: y(row[key]), r: 4, "class": "dot dot-" + name }, svg);
        el("title", {}, dot).textContent = row.date + ": pain " + name + " " + row[key] + "/10";
      });
    });
    var legend = el("g", { "class": "legend" }, svg);
    el("line", { x1: PAD.left, x2: PAD.left + 24, y1: HEIGHT - 8, y2: HEIGHT - 8, "class": "series series-before" }, legend);
    el("text", { x: PAD.left + 30, y: HEIGHT - 4, "class": "axis" }, legend).textContent = "before";
    el("line", { x1: PAD.left + 90, x2: PAD.left + 114, y1: HEIGHT - 8, y2: HEIGHT - 8, "class": "series series-after" }, legend);
    el("text", { x: PAD.left + 120, y: HEIGHT - 4, "class": "axis" }, legend).textContent = "after";
    figure.insertBefore(svg, figure.firstChild);
    figure.classList.add("is-drawn");
  }

  function init() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-pain-chart]"), draw);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
