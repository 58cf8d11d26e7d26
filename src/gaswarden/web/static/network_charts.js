// The network's forecast chart and sensor-placement map, drawn by plotly.js from the plotly wheel
// (nothing from the internet). Forecast: the last two weeks' actual hourly demand, the forecast
// line and its band as a filled area. Placement: the pipes, the feed, the existing pressure
// monitors and the suggested ones numbered in order. Each container gets data-ready="1" once drawn.
(function () {
  "use strict";
  if (!window.Plotly) { return; }
  var font = { family: "system-ui, -apple-system, 'PingFang SC', 'Microsoft YaHei', 'Noto Sans CJK SC', sans-serif", size: 12 };
  var config = { responsive: true, displaylogo: false, modeBarButtonsToRemove: ["select2d", "lasso2d"] };

  function data(id) {
    var src = document.getElementById(id);
    return src ? JSON.parse(src.textContent) : null;
  }
  function draw(el, traces, layout, extra) {
    if (extra) { for (var k in extra) { config[k] = extra[k]; } }
    Plotly.newPlot(el, traces, layout, config).then(function () {
      el.setAttribute("data-traces", String(traces.length));
      el.setAttribute("data-ready", "1");
    });
  }

  var chart = document.getElementById("nw-forecast-chart");
  var c = data("nw-forecast-data");
  if (chart && c) {
    var L = c.labels, f = c.forecast;
    draw(chart, [
      { type: "scatter", mode: "lines", x: f.x, y: f.low, name: L.band, meta: "band-low",
        line: { width: 0, color: "rgba(47,111,222,0)" }, hoverinfo: "skip", showlegend: false },
      { type: "scatter", mode: "lines", x: f.x, y: f.high, name: L.band, meta: "band",
        fill: "tonexty", fillcolor: "rgba(47,111,222,0.18)", line: { width: 0, color: "rgba(47,111,222,0)" },
        hovertemplate: "%{y:.1f} m³/h<extra>" + L.band + "</extra>" },
      { type: "scatter", mode: "lines", x: c.actual.x, y: c.actual.y, name: L.actual, meta: "actual",
        line: { color: "#3a3f4b", width: 1.6 } },
      { type: "scatter", mode: "lines", x: f.x, y: f.y, name: L.forecast, meta: "forecast",
        line: { color: "#2f6fde", width: 2.2 } }
    ], {
      margin: { l: 60, r: 12, t: 8, b: 56 }, font: font, hovermode: "x unified",
      paper_bgcolor: "#ffffff", plot_bgcolor: "#fbfcfe",
      legend: { orientation: "h", y: -0.18 },
      xaxis: { type: "date", title: { text: L.x }, gridcolor: "#eef1f5" },
      yaxis: { title: { text: L.y }, rangemode: "tozero", gridcolor: "#eef1f5" }
    });
  }

  var map = document.getElementById("nw-place-map");
  var m = data("nw-place-data");
  if (map && m) {
    var traces = [];
    m.pipes.forEach(function (p) {
      traces.push({ type: "scatter", mode: "lines", x: p.x, y: p.y, text: p.text, hoverinfo: "text",
                    name: p.name, line: { color: "#9aa3b2", width: 2 }, connectgaps: false, showlegend: false });
    });
    if (m.feeds.x.length) {
      traces.push({ type: "scatter", mode: "markers", x: m.feeds.x, y: m.feeds.y, text: m.feeds.text,
                    hoverinfo: "text", name: m.labels.feed, meta: "feed",
                    marker: { size: 16, symbol: "square", color: "#5a55d6", line: { color: "#fff", width: 2 } } });
    }
    var e = m.placement.existing, s = m.placement.suggested;
    if (e.x.length) {
      traces.push({ type: "scatter", mode: "markers", x: e.x, y: e.y, text: e.text, hoverinfo: "text",
                    name: e.name, meta: "existing",
                    marker: { size: 12, symbol: "circle", color: "#2f6fde", line: { color: "#222", width: 1 } } });
    }
    if (s.x.length) {
      traces.push({ type: "scatter", mode: "markers+text", x: s.x, y: s.y, text: s.label, hovertext: s.text,
                    hoverinfo: "text", textposition: "top center", textfont: { color: "#8a3b00", size: 12 },
                    name: s.name, meta: "suggested",
                    marker: { size: 12, symbol: "diamond", color: "#e8772e", line: { color: "#222", width: 1 } } });
    }
    draw(map, traces, {
      margin: { l: 56, r: 12, t: 12, b: 48 }, font: font, hovermode: "closest", dragmode: "pan",
      paper_bgcolor: "#ffffff", plot_bgcolor: "#fbfcfe",
      legend: { orientation: "h", y: -0.14 },
      xaxis: { title: { text: m.labels.x }, zeroline: false, gridcolor: "#eef1f5" },
      yaxis: { title: { text: m.labels.y }, zeroline: false, gridcolor: "#eef1f5",
               scaleanchor: "x", scaleratio: m.scaleratio }
    }, { scrollZoom: true });
  }
})();
