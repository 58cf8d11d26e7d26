// The alarm board: live rows over server-sent events, a tone and a flash for new red and
// orange alarms (Web Audio, no sound file), a mute toggle, and the closed-loop steps posted
// in place (CSRF token in each form, errors shown in the row).
(function () {
  "use strict";
  var table = document.getElementById("alarm-board");
  if (!table) { return; }
  var tbody = table.tBodies[0];
  var stateEl = document.querySelector("[data-live-state]");
  var muteBtn = document.querySelector("[data-mute]");
  var muted = window.localStorage.getItem("gw-alarm-muted") === "1";
  var audio = null;
  var seen = {};
  Array.prototype.forEach.call(tbody.querySelectorAll("tr[data-alarm-id]"), function (tr) {
    seen[tr.getAttribute("data-alarm-id")] = true;
  });

  function showMute() {
    if (!muteBtn) { return; }
    muteBtn.setAttribute("aria-pressed", muted ? "true" : "false");
    muteBtn.textContent = muted ? "✕ " + (document.documentElement.lang === "en" ? "Muted" : "已静音")
                                : "♪ " + (document.documentElement.lang === "en" ? "Sound on" : "声音已开");
  }
  if (muteBtn) {
    muteBtn.addEventListener("click", function () {
      muted = !muted;
      window.localStorage.setItem("gw-alarm-muted", muted ? "1" : "0");
      showMute();
      context();  // a click lets the page start audio later
    });
  }
  showMute();

  function context() {
    var Ctx = window.AudioContext || window.webkitAudioContext;
    if (!Ctx) { return null; }
    if (!audio) { audio = new Ctx(); }
    if (audio.state === "suspended") { audio.resume(); }
    return audio;
  }
  document.addEventListener("click", function () { context(); }, { once: true });

  function tone(grade) {
    table.setAttribute("data-last-tone", grade);
    if (muted) { return; }
    var ctx = context();
    if (!ctx) { return; }
    var high = grade === "red" ? 1046 : 784;
    [0, 0.28, 0.56].forEach(function (start, i) {
      var osc = ctx.createOscillator();
      var gain = ctx.createGain();
      osc.type = "square";
      osc.frequency.value = i % 2 ? high * 0.75 : high;
      gain.gain.setValueAtTime(0.0001, ctx.currentTime + start);
      gain.gain.exponentialRampToValueAtTime(0.15, ctx.currentTime + start + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, ctx.currentTime + start + 0.24);
      osc.connect(gain).connect(ctx.destination);
      osc.start(ctx.currentTime + start);
      osc.stop(ctx.currentTime + start + 0.25);
    });
  }

  function rowFrom(html) {
    var holder = document.createElement("tbody");
    holder.innerHTML = html.trim();
    return holder.firstElementChild;
  }

  function setCounts(counts) {
    var open = 0;
    Object.keys(counts || {}).forEach(function (g) {
      open += counts[g];
      var el = document.querySelector("[data-count='" + g + "']");
      if (el) { el.textContent = counts[g]; }
    });
    var badge = document.querySelector("[data-alarm-badge]");
    if (badge) { badge.textContent = open; badge.hidden = open === 0; }
  }

  function emptyState() {
    var empty = tbody.querySelector("tr.empty");
    if (empty) { empty.hidden = tbody.querySelector("tr[data-alarm-id]") !== null; }
  }

  // A live update must not disturb a form the user is working in (a step form opened in the
  // row, or the focus in its steps): then the row's state and its other cells are updated in
  // place and the steps cell is left as it is, with what was typed and where the caret is (a
  // step no longer allowed is refused, with its reason, when it is sent).
  function busy(old) {
    var steps = old.querySelector("td.steps");
    return steps !== null && (steps.querySelector("details[open]") !== null || steps.contains(document.activeElement));
  }

  function patch(old, row) {
    Array.prototype.forEach.call(row.attributes, function (a) { old.setAttribute(a.name, a.value); });
    for (var i = 0; i < row.cells.length && i < old.cells.length; i++) {
      if (!old.cells[i].classList.contains("steps")) { old.cells[i].innerHTML = row.cells[i].innerHTML; }
    }
  }

  function upsert(data) {
    var id = String(data.id);
    var old = tbody.querySelector("tr[data-alarm-id='" + id + "']");
    if (!data.match) {
      if (old) {
        old.remove();
        var total = document.querySelector("[data-total]");
        if (total) { total.textContent = String(Math.max(0, Number(total.textContent) - 1)); }
      }
      emptyState();
      return;
    }
    var row = rowFrom(data.row);
    var isNew = !seen[id];
    seen[id] = true;
    if (!isNew || !data.loud) { row.classList.remove("fresh"); }
    if (old && busy(old)) {
      patch(old, row);
      row = old;
    } else if (old) {
      old.replaceWith(row);
    } else {
      tbody.insertBefore(row, tbody.firstChild);
      var total = document.querySelector("[data-total]");
      if (total) { total.textContent = String(Number(total.textContent) + 1); }
    }
    if (isNew && data.loud && data.open) {
      tone(data.grade);
      window.setTimeout(function () { row.classList.remove("fresh"); }, 12000);
    }
    emptyState();
  }

  function connect() {
    var url = table.getAttribute("data-stream");
    var after = table.getAttribute("data-after");
    url += (url.indexOf("?") < 0 ? "?" : "&") + "after=" + encodeURIComponent(after);
    var source = new EventSource(url);
    source.addEventListener("open", function () {
      if (stateEl) { stateEl.classList.add("on"); stateEl.textContent = "● " + (document.documentElement.lang === "en" ? "Live" : "实时"); }
      table.setAttribute("data-live", "1");
    });
    source.addEventListener("alarm", function (ev) {
      var data = JSON.parse(ev.data);
      if (ev.lastEventId) { table.setAttribute("data-after", ev.lastEventId); }
      upsert(data);
      setCounts(data.counts);
    });
    source.addEventListener("error", function () {
      if (stateEl) { stateEl.classList.remove("on"); stateEl.textContent = "● " + (document.documentElement.lang === "en" ? "Reconnecting" : "重连中"); }
      table.setAttribute("data-live", "0");
    });
  }
  connect();

  // Closed-loop steps in place: the answer is the new row, or an error for this row.
  tbody.addEventListener("submit", function (ev) {
    var form = ev.target;
    if (!form.matches("form[data-step]")) { return; }
    ev.preventDefault();
    var tr = form.closest("tr");
    var err = tr && tr.querySelector(".step-error");
    fetch(form.action, {
      method: "POST", body: new FormData(form), credentials: "same-origin",
      headers: { "Accept": "application/json" }
    }).then(function (r) { return r.json(); }).then(function (data) {
      if (data.ok) {
        var row = rowFrom(data.row);
        row.classList.remove("fresh");
        tr.replaceWith(row);
      } else if (err) {
        err.textContent = data.error;
        err.hidden = false;
      }
    }).catch(function (e) {
      if (err) { err.textContent = String(e); err.hidden = false; }
    });
  });
})();
