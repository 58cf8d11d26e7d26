// The statistics page's charts, drawn by plotly.js from the wheel (nothing from the internet):
// found and closed per month (with the open backlog), per area, per category; found per source.
(function () {
  "use strict";
  var src = document.getElementById("stats-data");
  if (!src || !window.Plotly) { return; }
  var data = JSON.parse(src.textContent);
  var L = data.labels;
  var font = { family: "system-ui, -apple-system, 'PingFang SC', 'Microsoft YaHei', 'Noto Sans CJK SC', sans-serif", size: 12 };
  var config = { responsive: true, displaylogo: false, modeBarButtonsToRemove: ["select2d", "lasso2d"] };
  var FOUND = "#d9a21b", CLOSED = "#2e9e4f", OPEN = "#d64545";

  function layout(extra) {
    var base = { margin: { l: 40, r: 12, t: 8, b: 56 }, barmode: "group", font: font,
                 legend: { orientation: "h", y: -0.25 }, paper_bgcolor: "#ffffff", plot_bgcolor: "#fbfcfe",
                 xaxis: { automargin: true }, yaxis: { rangemode: "tozero", automargin: true } };
    for (var k in extra) { base[k] = extra[k]; }
    return base;
  }
  function draw(id, traces, lay) {
    var el = document.getElementById(id);
    if (!el) { return; }
    Plotly.newPlot(el, traces, lay, config).then(function () { el.setAttribute("data-ready", "1"); });
  }
  function pair(d) {
    return [
      { type: "bar", name: L.found, x: d.x, y: d.found, marker: { color: FOUND } },
      { type: "bar", name: L.closed, x: d.x, y: d.closed, marker: { color: CLOSED } }
    ];
  }
  var m = data.months;
  draw("chart-months", pair(m).concat([
    { type: "scatter", mode: "lines+markers", name: L.open, x: m.x, y: m.open, line: { color: OPEN } }
  ]), layout({ xaxis: { type: "category", automargin: true } }));
  var cat = { xaxis: { type: "category", automargin: true } };
  draw("chart-areas", pair(data.areas), layout(cat));
  draw("chart-categories", pair(data.categories), layout(cat));
  var s = data.sources;
  draw("chart-sources", [{ type: "pie", labels: s.labels, values: s.values, hole: 0.45,
                           textinfo: "label+value", sort: false }],
       layout({ showlegend: false, margin: { l: 8, r: 8, t: 8, b: 8 } }));
})();
// Picking a month clears since/until and the other way round: one period at a time.
(function () {
  "use strict";
  var form = document.querySelector("form[data-stats-filters]");
  if (!form) { return; }
  var month = form.elements.month, since = form.elements.since, until = form.elements.until;
  if (!month || !since || !until) { return; }
  month.addEventListener("change", function () { if (month.value) { since.value = ""; until.value = ""; } });
  [since, until].forEach(function (el) {
    el.addEventListener("change", function () { if (el.value) { month.value = ""; } });
  });
})();
