// The map of open hazards: grid polygons and one point per hazard, coloured by grade and
// shaped by status; no tiles, nothing from the internet. A click opens the hazard's page.
(function () {
  "use strict";
  var el = document.getElementById("hazard-map");
  var src = document.getElementById("hazard-map-data");
  if (!el || !src || !window.Plotly) { return; }
  var data = JSON.parse(src.textContent);
  var traces = [];
  data.areas.forEach(function (a) {
    traces.push({
      type: "scatter", mode: "lines", x: a.x, y: a.y, name: a.name,
      fill: "toself", fillcolor: a.fill, line: { color: a.line, width: a.width },
      hoverinfo: "text", text: a.name + " (" + a.level + ")", hoveron: "fills+points",
      showlegend: false
    });
  });
  data.layers.forEach(function (l) {
    traces.push({
      type: "scatter", mode: "markers", x: l.x, y: l.y, name: l.name,
      text: l.text, customdata: l.url, hoverinfo: "text",
      marker: { color: l.colour, symbol: l.symbols, size: 13,
                line: { color: "#ffffff", width: 1 } }
    });
  });
  var layout = {
    margin: { l: 56, r: 12, t: 12, b: 48 },
    xaxis: { title: { text: data.labels.x }, zeroline: false, showgrid: true, gridcolor: "#eef1f5" },
    yaxis: { title: { text: data.labels.y }, zeroline: false, showgrid: true, gridcolor: "#eef1f5",
             scaleanchor: "x", scaleratio: data.scaleratio },
    legend: { orientation: "h", y: -0.12 },
    hovermode: "closest", dragmode: "pan",
    plot_bgcolor: "#fbfcfe", paper_bgcolor: "#ffffff",
    font: { family: "system-ui, -apple-system, 'PingFang SC', 'Microsoft YaHei', 'Noto Sans CJK SC', sans-serif" }
  };
  var config = { responsive: true, displaylogo: false, scrollZoom: true,
                 modeBarButtonsToRemove: ["toImage", "select2d", "lasso2d"] };
  Plotly.newPlot(el, traces, layout, config).then(function () {
    el.setAttribute("data-ready", "1");
  });
  el.on("plotly_click", function (ev) {
    var p = ev && ev.points && ev.points[0];
    if (p && typeof p.customdata === "string") { window.location.href = p.customdata; }
  });
})();
