// Kiosk mode of the rating page: full screen on the first tap, no context menu, and the page
// clears itself after a rating (or after a minute untouched) for the next person.
(function () {
  "use strict";
  var card = document.querySelector("[data-kiosk]");
  if (!card) return;
  var reset = parseInt(card.getAttribute("data-reset-seconds") || "8", 10) * 1000;
  var url = window.location.pathname + "?k=" + encodeURIComponent(
    (document.querySelector("input[name=k]") || {}).value || new URLSearchParams(window.location.search).get("k") || "");
  function lock() {
    if (document.fullscreenElement || !document.documentElement.requestFullscreen) return;
    document.documentElement.requestFullscreen().catch(function () {});
  }
  document.addEventListener("click", lock);
  document.addEventListener("contextmenu", function (e) { e.preventDefault(); });
  var idle;
  function restart(after) {
    window.clearTimeout(idle);
    idle = window.setTimeout(function () { window.location.replace(url); }, after);
  }
  if (card.querySelector("[data-thanked], [data-already-rated]")) {
    restart(reset);
  } else {
    ["click", "keydown", "touchstart", "input"].forEach(function (name) {
      document.addEventListener(name, function () { restart(60000); });
    });
    restart(60000);
  }
})();
