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
  var ready = Plotly.newPlot(el, traces, layout, config).then(function () {
    el.setAttribute("data-ready", "1");
  });
  ready.then(function () { closures(el); });
  el.on("plotly_click", function (ev) {
    var p = ev && ev.points && ev.points[0];
    if (p && typeof p.customdata === "string") { window.location.href = p.customdata; }
  });
})();

// Closed illegal sites (取缔点位) from the enforcement API: a ✕ per site, coloured by closure kind,
// ringed in red where activity was seen after the closure; the legend lists the kinds shown.
function closures(el) {
  "use strict";
  var url = el.getAttribute("data-closures-url");
  var legend = document.querySelector("[data-closures-legend]");
  if (!url || !window.fetch) { return; }
  var COLOURS = { red: "#d64545", orange: "#e8772e", purple: "#8e44ad", grey: "#7a8290",
                  amber: "#d9a21b", blue: "#2f6fde" };
  var zh = (document.documentElement.lang || "").indexOf("zh") === 0;
  fetch(url, { credentials: "same-origin", headers: { Accept: "application/geo+json" } })
    .then(function (r) { return r.ok ? r.json() : { features: [] }; })
    .then(function (geo) {
      var byKind = {}, order = [], flagged = { x: [], y: [], text: [], url: [] };
      (geo.features || []).forEach(function (f) {
        var p = f.properties, c = f.geometry.coordinates;
        var k = byKind[p.closure_kind];
        if (!k) {
          k = byKind[p.closure_kind] = { name: zh ? p.closure_kind_zh : p.closure_kind_en,
                                         colour: COLOURS[p.colour] || "#44546a",
                                         x: [], y: [], text: [], url: [] };
          order.push(p.closure_kind);
        }
        var label = p.code + " " + p.party_name + "<br>" + (zh ? p.closure_kind_zh : p.closure_kind_en) +
                    " · " + p.closed_on + (p.address ? "<br>" + p.address : "");
        k.x.push(c[0]); k.y.push(c[1]); k.text.push(label); k.url.push("/enforcement/" + p.case_id);
        if (p.activity_flagged) {
          flagged.x.push(c[0]); flagged.y.push(c[1]); flagged.url.push("/enforcement/" + p.case_id);
          flagged.text.push(label + "<br>" + (zh ? "关停后发现活动" : "activity after closure"));
        }
      });
      var traces = order.map(function (kind) {
        var k = byKind[kind];
        return { type: "scatter", mode: "markers", x: k.x, y: k.y, name: "✕ " + k.name,
                 text: k.text, customdata: k.url, hoverinfo: "text",
                 marker: { symbol: "x-thin-open", size: 14, color: k.colour,
                           line: { color: k.colour, width: 3 } } };
      });
      if (flagged.x.length) {
        traces.push({ type: "scatter", mode: "markers", x: flagged.x, y: flagged.y,
                      name: zh ? "关停后发现活动" : "Activity after closure",
                      text: flagged.text, customdata: flagged.url, hoverinfo: "text",
                      marker: { symbol: "circle-open", size: 24, color: "#d64545",
                                line: { color: "#d64545", width: 3 } } });
      }
      if (legend) {
        order.forEach(function (kind) {
          var span = document.createElement("span");
          span.setAttribute("data-closure-kind", kind);
          span.innerHTML = '<b style="color: ' + byKind[kind].colour + '">✕</b> ';
          span.appendChild(document.createTextNode(byKind[kind].name + " " + byKind[kind].x.length));
          legend.appendChild(span);
        });
        legend.hidden = order.length === 0;
      }
      el.setAttribute("data-closures", String((geo.features || []).length));
      return traces.length ? Plotly.addTraces(el, traces) : null;
    })
    .catch(function () { el.setAttribute("data-closures", "error"); });
}
