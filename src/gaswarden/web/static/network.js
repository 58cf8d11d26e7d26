// The pipe-network map on a lon/lat plane (no tiles; plotly.js from the plotly wheel): pipes by
// simulated pressure class, pressure monitors by residual (diverging, ± Pa), the feeds, and on
// a leak's page the search-zone pipes in thick red, the numbered candidates and, when the leak
// was injected by the simulator, the true leak junction as a star. Sets data-ready="1" once drawn.
(function () {
  "use strict";
  var el = document.getElementById("nw-map");
  var src = document.getElementById("nw-map-data");
  if (!el || !src || !window.Plotly) { return; }
  var m = JSON.parse(src.textContent);
  var traces = [];
  m.pipes.forEach(function (p) {
    traces.push({ type: "scatter", mode: "lines", x: p.x, y: p.y, text: p.text, hoverinfo: "text",
                  name: p.name, legendgroup: "pipes", line: { color: p.colour, width: 2.2 },
                  connectgaps: false });
  });
  var leak = m.leak;
  if (leak && leak.zone.x.length) {
    traces.push({ type: "scatter", mode: "lines", x: leak.zone.x, y: leak.zone.y, text: leak.zone.text,
                  hoverinfo: "text", name: leak.zone.name, line: { color: "rgba(214,30,30,0.6)", width: 9 },
                  connectgaps: false, meta: "zone" });
  }
  var s = m.sensors;
  if (s.x.length) {
    var known = s.residual.map(function (r) { return r !== null; });
    var range = s.range_pa;
    traces.push({ type: "scatter", mode: "markers", x: s.x, y: s.y, text: s.text, hoverinfo: "text",
                  name: m.labels.monitors, meta: "sensors",
                  marker: { size: 13, symbol: "circle", line: { color: "#222", width: 1 },
                            color: s.residual.map(function (r) { return r === null ? 0 : r; }),
                            colorscale: "RdBu", reversescale: true, cmin: -range, cmax: range, cmid: 0,
                            opacity: known.map(function (k) { return k ? 1 : 0.45; }),
                            showscale: true,
                            colorbar: { title: { text: m.labels.residual }, thickness: 12, len: 0.6, x: 1.02 } } });
  }
  if (m.feeds.x.length) {
    traces.push({ type: "scatter", mode: "markers", x: m.feeds.x, y: m.feeds.y, text: m.feeds.text,
                  hoverinfo: "text", name: m.labels.feed, meta: "feed",
                  marker: { size: 18, symbol: "square", color: "#5a55d6", line: { color: "#fff", width: 2 } } });
  }
  if (leak) {
    var c = leak.candidates;
    if (c.x.length) {
      traces.push({ type: "scatter", mode: "markers+text", x: c.x, y: c.y, text: c.label, hovertext: c.text,
                    hoverinfo: "text", textposition: "top center", textfont: { color: "#7a1010", size: 13 },
                    name: c.name, meta: "candidates",
                    marker: { size: 11, symbol: "circle-open", color: "#b2182b", line: { width: 2.5 } } });
    }
    if (leak.truth) {
      traces.push({ type: "scatter", mode: "markers", x: leak.truth.x, y: leak.truth.y,
                    name: leak.truth.name, text: [leak.truth.name], hoverinfo: "text", meta: "truth",
                    marker: { size: 22, symbol: "star", color: "#ffd400", line: { color: "#222", width: 1.5 } } });
    }
  }
  var layout = {
    margin: { l: 56, r: 12, t: 12, b: 48 },
    xaxis: { title: { text: m.labels.x }, zeroline: false, gridcolor: "#eef1f5" },
    yaxis: { title: { text: m.labels.y }, zeroline: false, gridcolor: "#eef1f5",
             scaleanchor: "x", scaleratio: m.scaleratio },
    legend: { orientation: "h", y: -0.14, title: { text: m.labels.pressure + " " } },
    hovermode: "closest", dragmode: "pan",
    plot_bgcolor: "#fbfcfe", paper_bgcolor: "#ffffff",
    font: { family: "system-ui, -apple-system, 'PingFang SC', 'Microsoft YaHei', 'Noto Sans CJK SC', sans-serif", size: 12 }
  };
  var config = { responsive: true, displaylogo: false, scrollZoom: true,
                 modeBarButtonsToRemove: ["select2d", "lasso2d"] };
  Plotly.newPlot(el, traces, layout, config).then(function () {
    el.setAttribute("data-traces", String(traces.length));
    el.setAttribute("data-ready", "1");
  });
})();
