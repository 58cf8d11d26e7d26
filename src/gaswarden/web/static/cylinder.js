// The cylinder pages: the scanning form's position (when the phone gives one), the cylinder's
// path on a lon/lat plane over the grid polygons, and the statistics' charts. plotly.js comes
// from the plotly wheel; nothing is fetched from the internet and no map tiles are used.
(function () {
  "use strict";
  var lon = document.querySelector("[data-geo=lon]"), lat = document.querySelector("[data-geo=lat]");
  if (lon && lat && navigator.geolocation && window.isSecureContext) {
    navigator.geolocation.getCurrentPosition(function (p) {
      lon.value = p.coords.longitude.toFixed(6); lat.value = p.coords.latitude.toFixed(6);
    }, function () {}, { timeout: 5000, maximumAge: 60000 });
  }
})();
(function () {
  "use strict";
  var font = { family: "system-ui, -apple-system, 'PingFang SC', 'Microsoft YaHei', 'Noto Sans CJK SC', sans-serif", size: 12 };
  var config = { responsive: true, displaylogo: false, modeBarButtonsToRemove: ["select2d", "lasso2d"] };
  function draw(el, traces, layout) {
    if (!el || !window.Plotly) { return; }
    Plotly.newPlot(el, traces, layout, config).then(function () { el.setAttribute("data-ready", "1"); });
  }
  var mapSrc = document.getElementById("cy-map-data");
  if (mapSrc) {
    var m = JSON.parse(mapSrc.textContent);
    var traces = m.areas.map(function (a) {
      return { type: "scatter", mode: "lines", x: a.x, y: a.y, fill: "toself", fillcolor: a.fill,
               line: { color: a.line, width: a.width }, hoverinfo: "text", text: a.name, showlegend: false };
    });
    var p = m.path;
    traces.push({ type: "scatter", mode: "lines+markers", x: p.x, y: p.y, text: p.text, hoverinfo: "text",
                  name: m.labels.path, line: { color: "#5a55d6", width: 1.5, dash: "dot" },
                  marker: { color: p.colours, symbol: p.symbols, size: 11, line: { color: "#fff", width: 1 } } });
    var ys = p.y.length ? p.y : [36];
    var mid = ys.reduce(function (s, v) { return s + v; }, 0) / ys.length;
    draw(document.getElementById("cy-map"), traces, {
      margin: { l: 48, r: 8, t: 8, b: 36 }, font: font, showlegend: false, hovermode: "closest", dragmode: "pan",
      xaxis: { zeroline: false, gridcolor: "#eef1f5" },
      yaxis: { zeroline: false, gridcolor: "#eef1f5", scaleanchor: "x", scaleratio: 1 / Math.cos(mid * Math.PI / 180) },
      plot_bgcolor: "#fbfcfe", paper_bgcolor: "#ffffff"
    });
  }
  var statsSrc = document.getElementById("cy-stats-data");
  if (statsSrc) {
    var s = JSON.parse(statsSrc.textContent);
    var base = { margin: { l: 40, r: 12, t: 8, b: 56 }, font: font, paper_bgcolor: "#ffffff", plot_bgcolor: "#fbfcfe",
                 yaxis: { rangemode: "tozero", automargin: true } };
    draw(document.getElementById("cy-chart-days"),
         [{ type: "bar", x: s.days.x, y: s.days.y, name: s.days.name, marker: { color: "#1a9e8f" } }],
         Object.assign({}, base, { xaxis: { type: "date", automargin: true } }));
    draw(document.getElementById("cy-chart-stations"),
         [{ type: "bar", x: s.stations.x, y: s.stations.y, name: s.stations.name, marker: { color: "#2e9e4f" } }],
         Object.assign({}, base, { xaxis: { type: "category", automargin: true } }));
  }
})();
