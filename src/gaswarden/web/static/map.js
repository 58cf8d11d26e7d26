// Draws the map from the JSON the server embedded: grid polygons and points, no tiles.
(function () {
  "use strict";
  var el = document.getElementById("map");
  var src = document.getElementById("map-data");
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
  var areaCount = traces.length;
  function pointTrace(l) {
    // shaped by kind, coloured by state (alarm grade, offline grey, normal green)
    return {
      type: "scatter", mode: "markers", x: l.x, y: l.y, name: l.name,
      text: l.text, customdata: l.url, hoverinfo: "text", meta: l.state,
      marker: { color: l.colours || l.colour, symbol: l.symbol, size: l.size + 3,
                line: { color: "#ffffff", width: 1 } }
    };
  }
  data.layers.forEach(function (l) { traces.push(pointTrace(l)); });
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
  // Live states: refresh the points every few seconds, keeping the view the user chose.
  var pointsUrl = "/map/points" + window.location.search;
  var refreshed = 0;
  function refresh() {
    if (document.hidden) { return; }
    fetch(pointsUrl, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (d) {
        if (!d) { return; }
        var next = traces.slice(0, areaCount).concat(d.layers.map(pointTrace));
        traces = next;
        layout.xaxis.autorange = false;
        layout.yaxis.autorange = false;
        layout.xaxis.range = el.layout.xaxis.range.slice();
        layout.yaxis.range = el.layout.yaxis.range.slice();
        return Plotly.react(el, traces, layout, config);
      })
      .then(function () {
        refreshed += 1;
        el.setAttribute("data-refreshed", String(refreshed));
      })
      .catch(function () {});
  }
  window.setInterval(refresh, Number(el.getAttribute("data-refresh-ms") || 5000));
  el.on("plotly_click", function (ev) {
    var p = ev && ev.points && ev.points[0];
    if (p && typeof p.customdata === "string") { window.location.href = p.customdata; }
  });
})();
