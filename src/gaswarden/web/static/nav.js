// The navigation's live alarm count: open alarms in the viewer's scope, every 15 s.
(function () {
  "use strict";
  var badge = document.querySelector("[data-alarm-badge]");
  if (!badge) { return; }
  function refresh() {
    fetch("/alarms/badge", { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (d) {
        if (!d) { return; }
        badge.textContent = d.open;
        badge.hidden = d.open === 0;
        badge.className = "nav-badge badge-" + (d.worst || "grey");
      }).catch(function () {});
  }
  refresh();
  window.setInterval(refresh, 15000);
})();
