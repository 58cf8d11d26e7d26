// A device's live data: the panel (current values, health, open alarms) refreshed every
// 10 s, and a history chart of one metric over 1 h ... 1 year from the telemetry read API
// (resolution auto: raw points up to two days, hourly means with min/max beyond).
(function () {
  "use strict";
  var box = document.getElementById("device-live");
  if (!box) { return; }
  var device = box.getAttribute("data-device");
  var body = box.querySelector("[data-panel-body]");
  var select = box.querySelector("[data-metric-select]");
  var chart = document.getElementById("device-chart");
  var labels = JSON.parse(chart.getAttribute("data-labels") || "{}");  // {hour: ...}
  var hours = 24;
  var tz = chart.getAttribute("data-tz") || undefined;
  var fmt = new Intl.DateTimeFormat("en-CA", {
    timeZone: tz, year: "numeric", month: "2-digit", day: "2-digit",
    hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23"
  });

  function local(iso) {  // the deployment's wall-clock time, as plotly reads date strings
    var p = {};
    fmt.formatToParts(new Date(iso)).forEach(function (x) { p[x.type] = x.value; });
    return p.year + "-" + p.month + "-" + p.day + " " + p.hour + ":" + p.minute + ":" + p.second;
  }

  function fillMetrics() {
    var known = {};
    Array.prototype.forEach.call(select.options, function (o) { known[o.value] = true; });
    body.querySelectorAll("[data-metric]").forEach(function (li) {
      var name = li.getAttribute("data-metric");
      if (known[name]) { return; }
      var opt = document.createElement("option");
      opt.value = name;
      opt.textContent = li.querySelector(".muted").textContent;
      select.appendChild(opt);
    });
  }

  function loadPanel(first) {
    return fetch(box.getAttribute("data-panel"), { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) {
        if (html === null) { return; }
        var doc = new DOMParser().parseFromString(html, "text/html");
        var panel = doc.querySelector("[data-live-panel]");
        if (panel) { body.innerHTML = ""; body.appendChild(panel); }
        var before = select.options.length;
        fillMetrics();
        if (first || (before === 0 && select.options.length > 0)) { draw(); }
      });
  }

  function draw() {
    var metric = select.value;
    var to = new Date();
    var from = new Date(to.getTime() - hours * 3600 * 1000);
    box.setAttribute("data-chart-ready", "0");
    var empty = box.querySelector("[data-chart-empty]");
    if (!metric) {
      empty.hidden = false;
      box.setAttribute("data-chart-ready", "1");
      return;
    }
    var url = "/api/v1/devices/" + device + "/readings?resolution=auto&metric=" +
      encodeURIComponent(metric) + "&from=" + encodeURIComponent(from.toISOString()) +
      "&to=" + encodeURIComponent(to.toISOString());
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (series) {
        var s = series[0] || { ts: [], value: [], resolution: "raw" };
        s.ts = s.ts.map(local);
        var name = select.options[select.selectedIndex].textContent;
        var traces = [];
        if (s.resolution === "hour" && s.min && s.max) {
          traces.push({ x: s.ts, y: s.max, mode: "lines", line: { width: 0 }, showlegend: false, hoverinfo: "skip" });
          traces.push({ x: s.ts, y: s.min, mode: "lines", line: { width: 0 }, fill: "tonexty",
                        fillcolor: "rgba(47,111,222,0.15)", showlegend: false, hoverinfo: "skip" });
          name += " (" + (labels.hour || "hourly mean") + ")";
        }
        traces.push({ x: s.ts, y: s.value, mode: s.ts.length > 200 ? "lines" : "lines+markers",
                      name: name, line: { color: "#2f6fde", width: 2 }, marker: { size: 4 } });
        var layout = {
          margin: { l: 56, r: 12, t: 28, b: 40 }, showlegend: false,
          title: { text: name, font: { size: 14 } },
          xaxis: { type: "date", range: [local(from), local(to)] }, yaxis: { zeroline: false },
          font: { family: "system-ui, 'PingFang SC', 'Microsoft YaHei', 'Noto Sans CJK SC', sans-serif" }
        };
        empty.hidden = s.ts.length > 0;
        return window.Plotly.react(chart, traces, layout, { responsive: true, displaylogo: false });
      })
      .then(function () {
        box.setAttribute("data-chart-ready", "1");
        box.setAttribute("data-chart-points", String((chart.data || []).reduce(function (n, t) {
          return t.name ? n + (t.x || []).length : n; }, 0)));
      });
  }

  box.querySelectorAll("[data-range]").forEach(function (btn) {
    btn.addEventListener("click", function () {
      hours = Number(btn.getAttribute("data-range"));
      box.querySelectorAll("[data-range]").forEach(function (b) { b.classList.toggle("on", b === btn); });
      box.setAttribute("data-range-hours", String(hours));
      draw();
    });
  });
  select.addEventListener("change", draw);
  loadPanel(true);
  window.setInterval(function () { loadPanel(false); }, 10000);
})();
