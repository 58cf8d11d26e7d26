/* The inspection form on a phone, offline-capable once loaded.
 *
 * The page embeds everything it needs (#inspection-data: the site, task, checklist version and
 * its items). Opening the form makes a client_id (UUID) and keeps a draft in localStorage;
 * photos are kept as blobs in IndexedDB (or as data URLs in the draft where IndexedDB is
 * missing) and uploaded to POST /api/v1/attachments when online. Submitting queues the
 * inspection (state 待上传) and sends it to POST /api/v1/inspections; on no network or a
 * server error it stays queued and is retried on the `online` event and on a timer. The
 * server is idempotent by client_id, so a retry after a lost response is harmless.
 * On the task list (#inspection-outbox) the same script only sends what is queued.
 */
(function () {
  "use strict";

  var PREFIX = "gw-insp:";
  var DB_NAME = "gaswarden-inspection";
  var STORE = "photos";
  var RETRY_MS = 5000;
  var URLS = { attachments: "/api/v1/attachments", inspections: "/api/v1/inspections" };

  function readJson(id) {
    var el = document.getElementById(id);
    if (!el) return null;
    try { return JSON.parse(el.textContent); } catch (e) { return null; }
  }

  var data = readJson("inspection-data");
  var outboxInfo = readJson("inspection-outbox");
  var user = (data && data.user) || (outboxInfo && outboxInfo.user);
  if (!user) return;
  var messages = (data && data.messages) || (outboxInfo && outboxInfo.messages) || {};
  function msg(key) { return messages[key] || key; }

  // ---- storage -----------------------------------------------------------------------------
  function recordKey(draftKey) { return PREFIX + user + ":" + draftKey; }

  function load(key) {
    try { return JSON.parse(localStorage.getItem(key) || "null"); } catch (e) { return null; }
  }

  function save(rec) {
    try { localStorage.setItem(recordKey(rec.draft_key), JSON.stringify(rec)); } catch (e) { /* full */ }
  }

  function drop(rec) { localStorage.removeItem(recordKey(rec.draft_key)); }

  function queued() {
    var out = [];
    for (var i = 0; i < localStorage.length; i++) {
      var key = localStorage.key(i);
      if (key && key.indexOf(PREFIX + user + ":") === 0) {
        var rec = load(key);
        if (rec && rec.state === "queued") out.push(rec);
      }
    }
    return out;
  }

  function openDb() {
    return new Promise(function (resolve, reject) {
      if (!window.indexedDB) { reject(new Error("no IndexedDB")); return; }
      var req = indexedDB.open(DB_NAME, 1);
      req.onupgradeneeded = function () { req.result.createObjectStore(STORE); };
      req.onsuccess = function () { resolve(req.result); };
      req.onerror = function () { reject(req.error); };
    });
  }

  function idb(mode, fn) {
    return openDb().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction(STORE, mode);
        var req = fn(tx.objectStore(STORE));
        tx.oncomplete = function () { db.close(); resolve(req ? req.result : undefined); };
        tx.onerror = tx.onabort = function () { db.close(); reject(tx.error); };
      });
    });
  }

  function putBlob(key, blob) { return idb("readwrite", function (s) { return s.put(blob, key); }); }
  function getBlob(key) { return idb("readonly", function (s) { return s.get(key); }); }
  function delBlob(key) {
    return idb("readwrite", function (s) { return s.delete(key); }).catch(function () {});
  }

  function toDataUrl(blob) {
    return new Promise(function (resolve, reject) {
      var reader = new FileReader();
      reader.onload = function () { resolve(reader.result); };
      reader.onerror = function () { reject(reader.error); };
      reader.readAsDataURL(blob);
    });
  }

  function fromDataUrl(url) {
    var parts = url.split(",");
    var type = (parts[0].match(/data:([^;]+)/) || [])[1] || "application/octet-stream";
    var bytes = atob(parts[1]);
    var buf = new Uint8Array(bytes.length);
    for (var i = 0; i < bytes.length; i++) buf[i] = bytes.charCodeAt(i);
    return new Blob([buf], { type: type });
  }

  function photoBlob(ref) {
    if (ref.data) return Promise.resolve(fromDataUrl(ref.data));
    return getBlob(ref.key).then(function (blob) {
      if (!blob) throw fatal("photo " + ref.name + " is no longer on this device");
      return blob;
    });
  }

  function uuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var b = new Uint8Array(16);
    crypto.getRandomValues(b);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); });
    return h.slice(0, 4).join("") + "-" + h.slice(4, 6).join("") + "-" + h.slice(6, 8).join("") +
      "-" + h.slice(8, 10).join("") + "-" + h.slice(10).join("");
  }

  // ---- sending -----------------------------------------------------------------------------
  // A failure is "retry" (no network, server trouble, signed out) or "fatal" (the server
  // refused the content: the user must change something).
  function retry(text) { var e = new Error(text); e.retry = true; return e; }
  function fatal(text) { var e = new Error(text); e.retry = false; return e; }

  function problem(resp) {
    return resp.json().then(function (body) {
      return (body && (body.detail || body.title)) || ("HTTP " + resp.status);
    }, function () { return "HTTP " + resp.status; });
  }

  function failure(resp) {
    return problem(resp).then(function (text) {
      var again = resp.status >= 500 || resp.status === 401 || resp.status === 408 ||
        resp.status === 429;
      throw again ? retry(text) : fatal(text);
    });
  }

  function post(url, options) {
    return fetch(url, Object.assign({ method: "POST", credentials: "same-origin" }, options))
      .catch(function (e) { throw retry(String(e && e.message || e)); });
  }

  var uploading = {};

  function uploadPhoto(rec, ref) {
    if (ref.attachment_id) return Promise.resolve(ref.attachment_id);
    if (uploading[ref.key]) return uploading[ref.key];
    var p = photoBlob(ref).then(function (blob) {
      var form = new FormData();
      form.append("file", blob, ref.name || "photo.jpg");
      return post(URLS.attachments, { body: form });
    }).then(function (resp) {
      if (!resp.ok) return failure(resp);
      return resp.json().then(function (body) {
        ref.attachment_id = body.id;
        ref.data = null;
        var current = load(recordKey(rec.draft_key));
        if (current && current.client_id === rec.client_id) {
          current.photos.forEach(function (r) {
            if (r.key === ref.key) { r.attachment_id = body.id; r.data = null; }
          });
          save(current);
        }
        delBlob(ref.key);
        return body.id;
      });
    });
    uploading[ref.key] = p;
    return p.then(function (id) { delete uploading[ref.key]; return id; },
      function (e) { delete uploading[ref.key]; throw e; });
  }

  function payload(rec) {
    var results = rec.items.map(function (id) {
      var r = rec.results[id] || {};
      var failed = r.outcome === "fail";
      return {
        item_id: id,
        outcome: r.outcome,
        note: failed ? (r.note || null) : null,
        photo_ids: failed ? rec.photos.filter(function (p) { return p.item_id === id; })
          .map(function (p) { return p.attachment_id; }) : []
      };
    });
    return {
      client_id: rec.client_id,
      site_id: rec.site_id,
      task_id: rec.task_id,
      kind: rec.kind,
      version_id: rec.version_id,
      inspected_at: new Date(rec.inspected_at).toISOString(),
      lon: rec.lon === undefined ? null : rec.lon,
      lat: rec.lat === undefined ? null : rec.lat,
      note: rec.note || null,
      results: results
    };
  }

  var sending = {};

  function send(rec) {
    if (sending[rec.client_id]) return sending[rec.client_id];
    var failedPhotos = rec.photos.filter(function (p) {
      var r = rec.results[p.item_id];
      return r && r.outcome === "fail";
    });
    var p = failedPhotos.reduce(function (chain, ref) {
      return chain.then(function () { return uploadPhoto(rec, ref); });
    }, Promise.resolve()).then(function () {
      return post(URLS.inspections, {
        headers: { "Content-Type": "application/json", "Accept": "application/json" },
        body: JSON.stringify(payload(rec))
      });
    }).then(function (resp) {
      if (!resp.ok) return failure(resp);
      return resp.json();
    }).then(function (body) {
      rec.state = "sent";
      drop(rec);
      rec.photos.forEach(function (ref) { delBlob(ref.key); });
      return body;
    });
    sending[rec.client_id] = p;
    return p.then(function (body) { delete sending[rec.client_id]; return body; },
      function (e) { delete sending[rec.client_id]; throw e; });
  }

  // ---- the task list: send what is queued --------------------------------------------------
  function flushOutbox(onDone) {
    if (navigator.onLine === false) return;
    queued().forEach(function (rec) {
      if (form && current && rec.client_id === current.client_id) return;  // the form sends it
      send(rec).then(function (body) { if (onDone) onDone(rec, body); }, function (e) {
        if (!e.retry) {
          rec.state = "error";
          rec.error = e.message;
          save(rec);
        }
      });
    });
  }

  function showOutbox() {
    var el = document.querySelector("[data-outbox]");
    if (!el) return;
    var n = queued().length;
    el.hidden = n === 0;
    el.textContent = msg("Queued") + ": " + n;
  }

  var form = document.querySelector("[data-inspection-form]");
  var current = null;

  if (!form || !data) {
    showOutbox();
    var tick = function () { flushOutbox(function () { showOutbox(); }); };
    window.addEventListener("online", tick);
    setInterval(tick, RETRY_MS);
    tick();
    return;
  }

  // ---- the form ----------------------------------------------------------------------------
  var stateEl = document.querySelector("[data-state]");
  var errorEl = form.querySelector("[data-form-error]");
  var resultEl = document.querySelector("[data-result]");
  var submitBtn = form.querySelector("[data-submit]");
  var itemEls = Array.prototype.slice.call(form.querySelectorAll(".ins-item"));

  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function localNow() {
    var d = new Date();
    return d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate()) + "T" +
      pad(d.getHours()) + ":" + pad(d.getMinutes());
  }

  function fresh() {
    return {
      draft_key: data.draft_key,
      user: user,
      client_id: uuid(),
      state: "draft",
      site_id: data.site_id,
      task_id: data.task_id,
      kind: data.kind,
      version_id: data.version_id,
      items: data.items.map(function (i) { return i.id; }),
      results: {},
      photos: [],
      note: "",
      inspected_at: localNow(),
      lon: null,
      lat: null,
      opened_at: new Date().toISOString()
    };
  }

  current = load(recordKey(data.draft_key));
  if (!current || current.version_id !== data.version_id || current.state === "sent") {
    current = fresh();
    save(current);
  }
  form.setAttribute("data-client-id", current.client_id);

  function setState(state, text) {
    stateEl.hidden = !state;
    stateEl.setAttribute("data-state", state || "");
    stateEl.textContent = text || "";
  }

  function lock(locked) {
    Array.prototype.forEach.call(form.elements, function (el) { el.disabled = locked; });
  }

  function answered() {
    return current.items.filter(function (id) {
      return current.results[id] && current.results[id].outcome;
    }).length;
  }

  function refreshProgress() {
    form.querySelector("[data-answered]").textContent = String(answered());
  }

  function itemEl(id) { return form.querySelector('.ins-item[data-item-id="' + id + '"]'); }

  function thumb(ref) {
    var box = itemEl(ref.item_id).querySelector("[data-thumbs]");
    var fig = document.createElement("figure");
    fig.className = "ins-thumb";
    fig.setAttribute("data-photo", ref.key);
    var img = document.createElement("img");
    img.alt = ref.name || "";
    fig.appendChild(img);
    var tag = document.createElement("figcaption");
    fig.appendChild(tag);
    var del = document.createElement("button");
    del.type = "button";
    del.className = "ins-thumb-del";
    del.setAttribute("aria-label", "×");
    del.textContent = "×";
    del.addEventListener("click", function () {
      current.photos = current.photos.filter(function (p) { return p.key !== ref.key; });
      save(current);
      delBlob(ref.key);
      fig.remove();
    });
    fig.appendChild(del);
    box.appendChild(fig);
    if (ref.attachment_id) img.src = "/api/v1/attachments/" + ref.attachment_id;
    else photoBlob(ref).then(function (b) { img.src = URL.createObjectURL(b); }, function () {});
    markThumb(ref);
  }

  function markThumb(ref) {
    var fig = form.querySelector('[data-photo="' + ref.key + '"]');
    if (!fig) return;
    fig.setAttribute("data-uploaded", ref.attachment_id ? "1" : "0");
    fig.querySelector("figcaption").textContent = ref.attachment_id ? "✓" : msg("Queued");
  }

  function setOutcome(id, outcome) {
    var el = itemEl(id);
    if (!el) return;
    el.setAttribute("data-outcome", outcome || "");
    el.classList.remove("missing");
    var radio = el.querySelector('input[type=radio][value="' + outcome + '"]');
    if (radio) radio.checked = true;
  }

  // restore the draft into the page
  current.items.forEach(function (id) {
    var r = current.results[id];
    if (!r) return;
    setOutcome(id, r.outcome);
    var note = form.elements["note-" + id];
    if (note && r.note) note.value = r.note;
  });
  current.photos.forEach(thumb);
  form.querySelector("[data-general-note]").value = current.note || "";
  form.querySelector("[data-inspected-at]").value = current.inspected_at || localNow();
  function showPosition() {
    form.querySelector("[data-position]").textContent = current.lat === null ? "" :
      current.lat.toFixed(5) + ", " + current.lon.toFixed(5);
  }
  showPosition();
  refreshProgress();

  // record every change in the draft
  form.addEventListener("change", function (ev) {
    var el = ev.target;
    if (current.state !== "draft") return;
    var item = el.closest(".ins-item");
    if (el.type === "radio" && item) {
      var id = Number(item.getAttribute("data-item-id"));
      current.results[id] = current.results[id] || {};
      current.results[id].outcome = el.value;
      setOutcome(id, el.value);
      refreshProgress();
      if (el.value === "fail") {
        var note = item.querySelector("textarea");
        if (note && !note.value) note.focus();
      }
    } else if (el.type === "file" && item) {
      addPhotos(Number(item.getAttribute("data-item-id")), el.files);
      el.value = "";
    } else if (el.hasAttribute("data-inspected-at")) {
      current.inspected_at = el.value;
    }
    save(current);
  });
  form.addEventListener("input", function (ev) {
    var el = ev.target;
    if (current.state !== "draft") return;
    var item = el.closest(".ins-item");
    if (el.tagName === "TEXTAREA" && item) {
      var id = Number(item.getAttribute("data-item-id"));
      current.results[id] = current.results[id] || {};
      current.results[id].note = el.value;
    } else if (el.hasAttribute("data-general-note")) {
      current.note = el.value;
    }
    save(current);
  });

  function addPhotos(itemId, files) {
    Array.prototype.forEach.call(files || [], function (file) {
      var ref = {
        key: current.client_id + ":" + uuid(),
        item_id: itemId,
        name: file.name,
        type: file.type,
        attachment_id: null,
        data: null
      };
      putBlob(ref.key, file).catch(function () {
        return toDataUrl(file).then(function (url) { ref.data = url; });
      }).then(function () {
        current.photos.push(ref);
        save(current);
        thumb(ref);
        if (navigator.onLine !== false) {
          uploadPhoto(current, ref).then(function () { markThumb(ref); }, function (e) {
            if (!e.retry) showError(e.message);
          });
        }
      });
    });
  }

  form.querySelector("[data-all-pass]").addEventListener("click", function () {
    current.items.forEach(function (id) {
      if (!current.results[id] || !current.results[id].outcome) {
        current.results[id] = current.results[id] || {};
        current.results[id].outcome = "pass";
        setOutcome(id, "pass");
      }
    });
    save(current);
    refreshProgress();
  });

  form.querySelector("[data-locate]").addEventListener("click", function () {
    if (!navigator.geolocation) return;
    navigator.geolocation.getCurrentPosition(function (pos) {
      current.lat = Math.round(pos.coords.latitude * 1e6) / 1e6;
      current.lon = Math.round(pos.coords.longitude * 1e6) / 1e6;
      save(current);
      showPosition();
    }, function (err) {
      form.querySelector("[data-position]").textContent = err.message || "—";
    }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
  });

  function showError(text) {
    errorEl.hidden = !text;
    errorEl.textContent = text || "";
  }

  function showResult(body) {
    setState("sent", msg("Submitted"));
    form.hidden = true;
    resultEl.hidden = false;
    resultEl.setAttribute("data-inspection-id", body.id);
    resultEl.querySelector("[data-inspection-link]").href = "/inspections/" + body.id;
    var list = resultEl.querySelector("[data-hazards]");
    list.textContent = "";
    var opened = (body.results || []).filter(function (r) { return r.hazard_id; });
    opened.forEach(function (r) {
      var li = document.createElement("li");
      li.setAttribute("data-hazard-id", r.hazard_id);
      var a = document.createElement("a");
      a.href = "/hazards/" + r.hazard_id;
      a.textContent = r.hazard_code || ("#" + r.hazard_id);
      li.appendChild(a);
      li.appendChild(document.createTextNode(" " + r.text));
      list.appendChild(li);
    });
    if (!opened.length) {
      var none = document.createElement("li");
      none.className = "muted";
      none.textContent = msg("No hazards found");
      list.appendChild(none);
    }
    window.scrollTo(0, 0);
  }

  function queuedText(reason) {
    var text = msg("Queued");
    if (navigator.onLine === false) {
      text += " · " + msg("Offline: kept on this phone and sent when the network is back");
    } else if (reason) {
      text += " · " + reason;
    }
    return text;
  }

  function attempt() {
    if (current.state !== "queued") return;
    if (navigator.onLine === false) { setState("queued", queuedText()); return; }
    send(current).then(showResult, function (e) {
      if (e.retry) {
        setState("queued", queuedText(e.message));
      } else {
        current.state = "draft";  // refused: the user corrects it and submits again
        save(current);
        lock(false);
        setState("error", e.message);
        showError(e.message);
      }
    });
  }

  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    if (current.state !== "draft") return;
    var missing = current.items.filter(function (id) {
      return !current.results[id] || !current.results[id].outcome;
    });
    itemEls.forEach(function (el) {
      var id = Number(el.getAttribute("data-item-id"));
      el.classList.toggle("missing", missing.indexOf(id) >= 0);
    });
    if (missing.length) {
      showError(missing.length + " " + msg("not answered"));
      itemEl(missing[0]).scrollIntoView({ block: "center" });
      return;
    }
    var at = form.querySelector("[data-inspected-at]").value;
    if (!at) { showError(msg("Time of inspection")); return; }
    current.inspected_at = at;
    current.state = "queued";
    current.queued_at = new Date().toISOString();
    save(current);
    showError("");
    lock(true);
    setState("queued", queuedText());
    attempt();
  });

  if (current.state === "queued") {
    lock(true);
    setState("queued", queuedText());
  } else if (current.state === "error") {
    current.state = "draft";
    setState("error", current.error || "");
    save(current);
  }

  window.addEventListener("online", function () { attempt(); flushOutbox(); });
  window.addEventListener("offline", function () {
    if (current.state === "queued") setState("queued", queuedText());
  });
  setInterval(function () { attempt(); flushOutbox(); }, RETRY_MS);
  attempt();
  flushOutbox();
})();
