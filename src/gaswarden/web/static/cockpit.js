// The cockpit: live alarms and figures over server-sent events (/cockpit/stream), the map
// (plotly from the plotly wheel, loaded after the first paint, refreshed every few seconds and
// after an alarm) and the safety score per town and enterprise with 30-day sparklines.
(function () {
  "use strict";
  var root = document.getElementById("cockpit");
  if (!root) { return; }
  var texts = JSON.parse(document.getElementById("cockpit-texts").textContent);
  var feedEl = document.getElementById("cockpit-feed");
  var stateEl = root.querySelector("[data-live-state]");
  var FEED_MAX = 30;

  // ---- figures ---------------------------------------------------------------------------
  var figureUpdates = 0;
  function setFigures(d) {
    Object.keys(d.text || {}).forEach(function (key) {
      Array.prototype.forEach.call(root.querySelectorAll("[data-fig='" + key + "']"), function (el) {
        if (el.textContent !== d.text[key]) {
          el.textContent = d.text[key];
          el.classList.remove("ck-changed");
          void el.offsetWidth;  // restart the flash
          el.classList.add("ck-changed");
        }
      });
    });
    var upd = root.querySelector("[data-updated]");
    if (upd && d.updated) { upd.textContent = d.updated; }
    figureUpdates += 1;
    root.setAttribute("data-figure-updates", String(figureUpdates));
  }

  // ---- the alarm feed ------------------------------------------------------------------------
  function esc(s) {
    return String(s == null ? "" : s).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }
  function item(a) {
    var li = document.createElement("li");
    li.setAttribute("data-alarm-id", a.id);
    li.setAttribute("data-grade", a.grade);
    li.setAttribute("data-stage", a.stage);
    li.className = "grade-" + a.grade + (a.open ? "" : " ck-done");
    li.innerHTML = '<a href="' + esc(a.url) + '"><b data-grade-label>' + esc(a.grade_label) +
      '</b> <span class="ck-serial">' + esc(a.serial) + "</span> " + esc(a.rule) + "</a>" +
      '<span class="ck-sub">' + esc(a.site) + " · " + esc(a.raised) +
      ' · <span data-stage-label>' + esc(a.stage_label) + "</span></span>";
    return li;
  }
  function onAlarm(a) {
    var empty = feedEl.querySelector(".ck-empty");
    if (empty) { empty.remove(); }
    var old = feedEl.querySelector("li[data-alarm-id='" + a.id + "']");
    var li = item(a);
    if (old) {
      old.replaceWith(li);
    } else {
      if (a.loud) { li.classList.add("ck-fresh"); }
      feedEl.insertBefore(li, feedEl.firstChild);
      while (feedEl.children.length > FEED_MAX) { feedEl.removeChild(feedEl.lastChild); }
    }
    root.setAttribute("data-last-alarm", String(a.id));
    scheduleMap(1500);
  }

  // ---- the stream ----------------------------------------------------------------------------
  function connect() {
    if (!window.EventSource) { return; }
    var es = new EventSource(root.getAttribute("data-stream"));
    es.addEventListener("open", function () {
      root.setAttribute("data-live", "1");
      if (stateEl) { stateEl.textContent = "● " + texts.live; stateEl.classList.add("on"); }
    });
    es.addEventListener("error", function () {
      root.setAttribute("data-live", "0");
      if (stateEl) { stateEl.textContent = texts.connecting; stateEl.classList.remove("on"); }
    });
    es.addEventListener("alarm", function (ev) { onAlarm(JSON.parse(ev.data)); });
    es.addEventListener("figures", function (ev) { setFigures(JSON.parse(ev.data)); });
  }

  // ---- the map -------------------------------------------------------------------------------
  var mapEl = document.getElementById("cockpit-map");
  var mapTimer = null;
  var drawn = false;
  var SYMBOLS = { sites: "circle", devices: "diamond", alarms: "circle-open", hazards: "triangle-up",
                  incidents: "star", teams: "square" };
  var SIZES = { sites: 11, devices: 7, alarms: 18, hazards: 11, incidents: 16, teams: 12 };
  function traces(d) {
    var out = [];
    d.areas.forEach(function (a) {
      out.push({ type: "scatter", mode: "lines", x: a.x, y: a.y, name: a.name, fill: "toself",
                 fillcolor: "rgba(80,160,255,0.04)", line: { color: "#3b5878", width: a.width },
                 hoverinfo: "text", text: a.name, showlegend: false });
    });
    var groups = {};
    var order = [];
    d.geojson.features.forEach(function (f) {
      var p = f.properties;
      var key = p.layer + ":" + p.group;
      var g = groups[key];
      if (!g) {
        g = groups[key] = { type: "scatter", mode: "markers", x: [], y: [], text: [], customdata: [],
                            name: (d.layers[p.layer] || p.layer) + " · " + p.label, hoverinfo: "text",
                            legendgroup: p.layer, meta: p.layer,
                            marker: { color: [], symbol: SYMBOLS[p.layer] || "circle",
                                      size: SIZES[p.layer] || 9,
                                      line: { color: p.layer === "alarms" ? p.colour : "#0b1622",
                                              width: p.layer === "alarms" ? 3 : 1 } } };
        order.push(key);
      }
      g.x.push(f.geometry.coordinates[0]);
      g.y.push(f.geometry.coordinates[1]);
      g.text.push(p.name + "<br>" + p.label);
      g.customdata.push(p.url);
      g.marker.color.push(p.colour);  // open symbols (alarms' rings) stroke in it
    });
    order.forEach(function (k) { out.push(groups[k]); });
    return out;
  }
  function layout(d) {
    var axis = { zeroline: false, showgrid: true, gridcolor: "#1d2f44", color: "#8aa4c0" };
    var y = Object.assign({ scaleanchor: "x", scaleratio: d.scaleratio, title: { text: texts.lat } }, axis);
    var x = Object.assign({ title: { text: texts.lon } }, axis);
    if (drawn && mapEl.layout) {
      x.range = mapEl.layout.xaxis.range.slice(); x.autorange = false;
      y.range = mapEl.layout.yaxis.range.slice(); y.autorange = false;
    }
    return { margin: { l: 48, r: 8, t: 8, b: 40 }, xaxis: x, yaxis: y,
             // beside the map, not under it: the wide panel has room; the map keeps its height
             legend: { orientation: "v", x: 1.01, y: 1, font: { color: "#c7d6e6", size: 11 } },
             hovermode: "closest", dragmode: "pan", plot_bgcolor: "#0b1622", paper_bgcolor: "#0f1d2d",
             font: { color: "#c7d6e6", family: "system-ui, 'PingFang SC', 'Microsoft YaHei', 'Noto Sans CJK SC', sans-serif" } };
  }
  function drawMap() {
    mapTimer = null;
    if (!window.Plotly || document.hidden) { return; }
    fetch(mapEl.getAttribute("data-src"), { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (d) {
        if (!d) { return; }
        var counts = root.querySelector("[data-map-counts]");
        if (counts) {
          counts.textContent = Object.keys(d.geojson.counts).map(function (k) {
            return (d.layers[k] || k) + " " + d.geojson.counts[k];
          }).join(" · ");
        }
        var config = { responsive: true, displaylogo: false, scrollZoom: true,
                       modeBarButtonsToRemove: ["toImage", "select2d", "lasso2d"] };
        var first = !drawn;
        if (first) { mapEl.innerHTML = ""; }
        return Plotly.react(mapEl, traces(d), layout(d), config).then(function () {
          drawn = true;
          mapEl.setAttribute("data-ready", "1");
          if (first) {
            mapEl.on("plotly_click", function (ev) {
              var p = ev && ev.points && ev.points[0];
              if (p && typeof p.customdata === "string") { window.location.href = p.customdata; }
            });
          }
        });
      })
      .catch(function () {});
  }
  function scheduleMap(ms) {
    if (mapTimer) { return; }
    mapTimer = window.setTimeout(drawMap, ms);
  }
  function loadPlotly() {
    if (window.Plotly) { drawMap(); return; }
    var s = document.createElement("script");
    s.src = "/static/vendor/plotly.min.js";
    s.onload = drawMap;
    document.body.appendChild(s);
  }
  window.setInterval(function () { scheduleMap(0); }, Number(mapEl.getAttribute("data-refresh-ms") || 15000));

  // ---- the scores ----------------------------------------------------------------------------
  var scoresEl = document.getElementById("cockpit-scores");
  function colour(v) { return v == null ? "#6b7785" : v >= 90 ? "#2e9e4f" : v >= 75 ? "#d9a21b" : v >= 60 ? "#e8772e" : "#d64545"; }
  function spark(values) {
    var w = 150, h = 26, pts = [];
    var n = values.length;
    values.forEach(function (v, i) {
      if (v == null) { return; }
      pts.push((n > 1 ? (i * (w - 2)) / (n - 1) + 1 : w / 2).toFixed(1) + "," + (h - 2 - (v / 100) * (h - 4)).toFixed(1));
    });
    var last = values.length ? values[values.length - 1] : null;
    return '<svg class="ck-spark" viewBox="0 0 ' + w + " " + h + '" width="' + w + '" height="' + h +
      '" aria-hidden="true"><polyline fill="none" stroke="' + colour(last) + '" stroke-width="1.6" points="' +
      pts.join(" ") + '"/></svg>';
  }
  function scoreRows(units) {
    return units.map(function (u) {
      return '<tr data-unit-id="' + u.id + '"><td class="ck-name">' + esc(u.name) + '</td><td class="ck-score" style="color:' +
        colour(u.score) + '" title="' + esc(texts.today) + '">' + u.score.toFixed(1) + "</td><td>" + spark(u.trend) + "</td></tr>";
    }).join("");
  }
  function loadScores() {
    fetch(scoresEl.getAttribute("data-src"), { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (d) {
        if (!d) { return; }
        ["towns", "enterprises"].forEach(function (kind) {
          var table = scoresEl.querySelector("[data-score-kind='" + kind + "'] tbody");
          if (table) { table.innerHTML = scoreRows(d[kind]) || "<tr><td>—</td></tr>"; }
        });
        scoresEl.setAttribute("data-ready", "1");
      })
      .catch(function () {});
  }

  // ---- the report form: a new period picks its usual start --------------------------------
  var period = root.querySelector("[data-report-period]");
  var start = root.querySelector("[data-report-start]");
  if (period && start) {
    period.addEventListener("change", function () {
      var opt = period.options[period.selectedIndex];
      start.value = opt.getAttribute("data-start");
    });
  }

  connect();
  // after the first paint: the heavy parts
  window.requestAnimationFrame(function () {
    window.setTimeout(function () { loadPlotly(); loadScores(); }, 0);
  });
})();
