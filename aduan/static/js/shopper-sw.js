// The mystery shopper's pages offline: served at /a/<agency>/mp/sw.js, so it controls that
// agency's shopper links. GETs go to the network first and a copy is kept; with no network the
// copy answers, so a link opened once still opens at a branch with no signal. Posts are never
// touched: the page's own queue (shopper.js) sends them when the connection is back.
"use strict";
var CACHE = "aduan-shopper-v1";
self.addEventListener("install", function () { self.skipWaiting(); });
self.addEventListener("activate", function (event) { event.waitUntil(self.clients.claim()); });
self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET" || new URL(request.url).origin !== self.location.origin) return;
  event.respondWith(fetch(request).then(function (response) {
    if (response.ok) {
      var copy = response.clone();
      caches.open(CACHE).then(function (cache) { cache.put(request, copy); });
    }
    return response;
  }).catch(function () {
    return caches.match(request).then(function (found) { return found || Response.error(); });
  }));
});
