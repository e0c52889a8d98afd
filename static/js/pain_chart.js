// Draws the pain-over-time chart as SVG from the JSON block named by data-pain-chart.
// The table beside it carries the same numbers, so the page works without this script.
// The drawing is as wide as its figure (one SVG unit is one CSS pixel), so its text keeps
// the stylesheet's size on a phone; it is drawn again when the figure's width changes.
(function () {
  "use strict";
  var SVG = "http://www.w3.org/2000/svg";
  var MIN_WIDTH = 240, NARROW = 480;
  var PAD = { left: 36, right: 16, top: 12, bottom: 52 };
  var LABEL_GAP = 8;

  function el(name, attrs, parent) {
    var node = document.createElementNS(SVG, name);
    Object.keys(attrs).forEach(function (key) { node.setAttribute(key, attrs[key]); });
    if (parent) { parent.appendChild(node); }
    return node;
  }

  function overlaps(a, b) {
    return a[0] < b[1] + LABEL_GAP && b[0] < a[1] + LABEL_GAP;
  }

  // Every k-th date label, the smallest k whose labels keep apart. The first and the last
  // are always shown; a label that would touch the last one gives way to it.
  function labelsToShow(boxes) {
    var last = boxes.length - 1;
    for (var step = 1; step <= Math.max(last, 1); step++) {
      var shown = [0];
      for (var i = step; i < last; i += step) {
        if (!overlaps(boxes[i], boxes[last])) { shown.push(i); }
      }
      if (last > 0) { shown.push(last); }
      var apart = shown.every(function (index, n) {
        return n === 0 || n === shown.length - 1 || !overlaps(boxes[shown[n - 1]], boxes[index]);
      });
      if (apart) { return shown; }
    }
    return [0, last];
  }

  function dateLabels(svg, data, x, baseline, width) {
    var boxes = data.map(function (row, i) {
      var label = el("text", { y: baseline, "class": "axis date-label" }, svg);
      label.textContent = row.date;
      var length = label.getComputedTextLength() || row.date.length * 7;
      var start = Math.min(Math.max(x(i) - length / 2, 0), width - length);
      label.setAttribute("x", start);
      return { node: label, box: [start, start + length] };
    });
    var shown = labelsToShow(boxes.map(function (b) { return b.box; }));
    boxes.forEach(function (b, i) {
      if (shown.indexOf(i) === -1) { svg.removeChild(b.node); }
    });
    // Two labels on a chart too narrow for both side by side: the last goes a line lower.
    if (shown.length === 2 && overlaps(boxes[0].box, boxes[shown[1]].box)) {
      boxes[shown[1]].node.setAttribute("y", baseline + 16);
    }
  }

  function draw(figure, data) {
    var width = Math.max(Math.floor(figure.clientWidth), MIN_WIDTH);
    var height = width < NARROW ? 240 : 260;
    var plotW = width - PAD.left - PAD.right, plotH = height - PAD.top - PAD.bottom;
    var x = function (i) { return PAD.left + (data.length === 1 ? plotW / 2 : (i * plotW) / (data.length - 1)); };
    var y = function (pain) { return PAD.top + plotH - (pain * plotH) / 10; };

    var svg = el("svg", {
      viewBox: "0 0 " + width + " " + height, width: width, height: height, role: "img", "class": "pain-svg",
      "aria-label": "Pain before and after each session; the table below has the same numbers."
    });
    figure.insertBefore(svg, figure.firstChild);
    [0, 2, 4, 6, 8, 10].forEach(function (level) {
      el("line", { x1: PAD.left, x2: width - PAD.right, y1: y(level), y2: y(level), "class": "grid" }, svg);
      el("text", { x: PAD.left - 8, y: y(level) + 4, "text-anchor": "end", "class": "axis" }, svg).textContent = level;
    });
    dateLabels(svg, data, x, height - PAD.bottom + 18, width);
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
    el("line", { x1: PAD.left, x2: PAD.left + 24, y1: height - 10, y2: height - 10, "class": "series series-before" }, legend);
    el("text", { x: PAD.left + 30, y: height - 6, "class": "axis" }, legend).textContent = "before";
    el("line", { x1: PAD.left + 90, x2: PAD.left + 114, y1: height - 10, y2: height - 10, "class": "series series-after" }, legend);
    el("text", { x: PAD.left + 120, y: height - 6, "class": "axis" }, legend).textContent = "after";
    figure.classList.add("is-drawn");
    return width;
  }

  function chart(figure) {
    var source = document.getElementById(figure.getAttribute("data-pain-chart"));
    if (!source) { return null; }
    var data;
    try { data = JSON.parse(source.textContent); } catch (e) { return null; }
    if (!Array.isArray(data) || data.length === 0) { return null; }
    var drawn = { figure: figure, width: draw(figure, data) };
    drawn.redraw = function () {
      if (Math.max(Math.floor(figure.clientWidth), MIN_WIDTH) === drawn.width) { return; }
      var old = figure.querySelector("svg.pain-svg");
      if (old) { figure.removeChild(old); }
      drawn.width = draw(figure, data);
    };
    return drawn;
  }

  function init() {
    var charts = Array.prototype.map.call(document.querySelectorAll("[data-pain-chart]"), chart)
      .filter(Boolean);
    var pending = false;
    window.addEventListener("resize", function () {
      if (pending) { return; }
      pending = true;
      window.requestAnimationFrame(function () {
        pending = false;
        charts.forEach(function (c) { c.redraw(); });
      });
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
