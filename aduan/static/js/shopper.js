// The mystery shopper's form works on a bad connection: a filled form is put in a queue in
// this phone's storage with an id made here, then sent; what cannot be sent stays queued and
// is sent again when the browser is back online (or on the next try). The server stores a
// visit once per id, so a form sent twice — a lost answer, a second tab — arrives once.
(function () {
  "use strict";
  var form = document.getElementById("shopper-form");
  if (!form) return;
  var status = document.getElementById("shopper-status");
  var url = form.getAttribute("data-submit-url");
  var key = "aduan-shopper-queue:" + url;
  var sending = false;

  function queue() {
    try { return JSON.parse(window.localStorage.getItem(key) || "[]"); } catch (e) { return []; }
  }
  function save(items) { window.localStorage.setItem(key, JSON.stringify(items)); }
  function say(name, count) {
    var text = status.getAttribute("data-" + name) || "";
    status.textContent = text.replace("{count}", String(count || 0));
    status.setAttribute("data-state", name);
  }
  function newId() {
    if (window.crypto && window.crypto.randomUUID) return window.crypto.randomUUID();
    return "10000000-1000-4000-8000-100000000000".replace(/[018]/g, function (c) {
      return (c ^ (window.crypto.getRandomValues(new Uint8Array(1))[0] & (15 >> (c / 4)))).toString(16);
    });
  }
  function localIso(value) {
    // "2026-03-02T10:15" in the phone's zone → with its offset, so the server knows the time.
    var when = value ? new Date(value) : new Date();
    var offset = -when.getTimezoneOffset();
    var sign = offset >= 0 ? "+" : "-";
    var pad = function (n) { return String(Math.floor(Math.abs(n))).padStart(2, "0"); };
    return when.getFullYear() + "-" + pad(when.getMonth() + 1) + "-" + pad(when.getDate()) +
      "T" + pad(when.getHours()) + ":" + pad(when.getMinutes()) + ":00" +
      sign + pad(offset / 60) + ":" + pad(offset % 60);
  }
  function collect() {
    var data = new FormData(form);
    var answers = {};
    var fixed = ["service_point_id", "visited_at", "place", "latitude", "longitude"];
    data.forEach(function (value, name) { if (fixed.indexOf(name) < 0) answers[name] = value; });
    return {
      submission_id: newId(),
      service_point_id: data.get("service_point_id"),
      visited_at: localIso(data.get("visited_at")),
      place: data.get("place") || "",
      latitude: data.get("latitude") || null,
      longitude: data.get("longitude") || null,
      answers: answers
    };
  }
  function showErrors(errors) {
    form.querySelectorAll("[data-error-for]").forEach(function (p) { p.hidden = true; p.textContent = ""; });
    Object.keys(errors || {}).forEach(function (name) {
      var p = form.querySelector("[data-error-for='" + name + "']");
      if (p) { p.textContent = errors[name].join(" "); p.hidden = false; }
    });
  }
  function flush() {
    var items = queue();
    if (sending || !items.length) return Promise.resolve();
    sending = true;
    var item = items[0];
    return fetch(url, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json" },
      body: JSON.stringify(item)
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (body) {
        if (response.status === 200 || response.status === 201) {
          save(queue().filter(function (q) { return q.submission_id !== item.submission_id; }));
          form.reset();
          visited.value = localIso().slice(0, 16);
          showErrors({});
          say("sent");
        } else if (response.status === 422) {
          save(queue().filter(function (q) { return q.submission_id !== item.submission_id; }));
          showErrors(body.errors);
          say("refused");
        } else {
          throw new Error("status " + response.status);
        }
      });
    }).catch(function () {
      say("queued");
    }).then(function () {
      sending = false;
      if (queue().length && status.getAttribute("data-state") === "sent") return flush();
    });
  }
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var items = queue();
    items.push(collect());
    save(items);
    say("queued");
    if (navigator.onLine !== false) flush();
  });
  document.getElementById("use-location").addEventListener("click", function () {
    if (!navigator.geolocation) return;
    navigator.geolocation.getCurrentPosition(function (pos) {
      document.getElementById("latitude").value = pos.coords.latitude.toFixed(6);
      document.getElementById("longitude").value = pos.coords.longitude.toFixed(6);
    });
  });
  var visited = document.getElementById("visited_at");
  if (!visited.value) visited.value = localIso().slice(0, 16);
  if ("serviceWorker" in navigator && form.getAttribute("data-worker")) {
    navigator.serviceWorker.register(form.getAttribute("data-worker")).catch(function () {});
  }
  window.addEventListener("online", flush);
  window.setInterval(function () { if (navigator.onLine !== false) flush(); }, 15000);
  if (queue().length) { say("pending", queue().length); flush(); }
})();
