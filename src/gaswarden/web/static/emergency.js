// The resources map from the JSON the server embedded: roads, teams by duty status,
// reserves and open incidents on longitude/latitude axes, drawn offline (no tiles).
(function () {
  "use strict";
  var el = document.getElementById("em-map");
  var src = document.getElementById("em-map-data");
  if (!el || !src || !window.Plotly) { return; }
  var data = JSON.parse(src.textContent);
  var colours = { green: "#27ae60", red: "#c0392b", amber: "#e6a23c", grey: "#8a94a6",
                  teal: "#16a085", blue: "#2e86de", orange: "#e67e22", purple: "#8e44ad" };
  var traces = [];
  if (data.roads.x.length) {
    traces.push({ type: "scatter", mode: "lines", x: data.roads.x, y: data.roads.y,
                  name: data.roads.name, hoverinfo: "skip", line: { color: "#c8ced8", width: 1.5 } });
  }
  var lats = [];
  data.layers.forEach(function (l) {
    if (!l.x.length) { return; }
    lats = lats.concat(l.y);
    traces.push({ type: "scatter", mode: "markers", x: l.x, y: l.y, name: l.name, text: l.text,
                  hoverinfo: "text",
                  marker: { color: colours[l.colour] || l.colour, symbol: l.symbol, size: l.size,
                            line: { color: "#ffffff", width: 1 } } });
  });
  var mean = lats.length ? lats.reduce(function (a, b) { return a + b; }, 0) / lats.length : 30;
  var layout = {
    margin: { l: 56, r: 12, t: 12, b: 48 },
    xaxis: { title: { text: data.labels.x }, zeroline: false, gridcolor: "#eef1f5" },
    yaxis: { title: { text: data.labels.y }, zeroline: false, gridcolor: "#eef1f5",
             scaleanchor: "x", scaleratio: 1 / Math.cos(mean * Math.PI / 180) },
    legend: { orientation: "h", y: -0.12 }, hovermode: "closest", dragmode: "pan",
    plot_bgcolor: "#fbfcfe", paper_bgcolor: "#ffffff"
  };
  Plotly.newPlot(el, traces, layout, { responsive: true, displaylogo: false, scrollZoom: true });
})();
