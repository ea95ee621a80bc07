// Officer inbox: keyboard shortcuts, canned responses, bulk selection. No inline script (strict CSP).
(function () {
  "use strict";

  function typing(target) {
    if (!target) return false;
    var tag = target.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || target.isContentEditable;
  }

  function rows() {
    return Array.prototype.slice.call(document.querySelectorAll("tr.ticket-row"));
  }

  function moveSelection(step) {
    var list = rows();
    if (!list.length) return;
    var current = list.findIndex(function (row) { return row.classList.contains("selected"); });
    var next = Math.min(Math.max(current + step, 0), list.length - 1);
    if (current >= 0) list[current].classList.remove("selected");
    list[next].classList.add("selected");
    var link = list[next].querySelector("a.reference");
    if (link) link.focus();
  }

  // The row that has keyboard focus (j/k mark it "selected" and focus its link).
  function focusedRow() {
    var active = document.activeElement;
    var row = active && active.closest ? active.closest("tr.ticket-row") : null;
    return row || document.querySelector("tr.ticket-row.selected");
  }

  function picks() {
    return Array.prototype.slice.call(document.querySelectorAll("input.bulk-pick"));
  }

  function syncPickAll() {
    var all = document.getElementById("pick-all");
    if (!all) return;
    var list = picks();
    var ticked = list.filter(function (box) { return box.checked; }).length;
    all.checked = list.length > 0 && ticked === list.length;
    all.indeterminate = ticked > 0 && ticked < list.length;
  }

  function togglePick() {
    var row = focusedRow();
    var box = row && row.querySelector("input.bulk-pick");
    if (!box) return false;
    box.checked = !box.checked;
    syncPickAll();
    return true;
  }

  function focusShortcut(name) {
    var el = document.querySelector('[data-shortcut="' + name + '"]');
    if (!el) return false;
    el.focus();
    return true;
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
    var handled = true;
    switch (event.key) {
      case "j": moveSelection(1); break;
      case "k": moveSelection(-1); break;
      case "x": handled = togglePick(); break;
      case "r": handled = focusShortcut("reply"); break;
      case "a": handled = focusShortcut("assign"); break;
      case "/": handled = focusShortcut("search"); break;
      default: handled = false;
    }
    if (handled) event.preventDefault();
  });

  document.addEventListener("change", function (event) {
    var box = event.target;
    if (box.id === "pick-all") {
      picks().forEach(function (pick) { pick.checked = box.checked; });
      return;
    }
    if (box.classList && box.classList.contains("bulk-pick")) syncPickAll();
  });

  // "Select all" needs JavaScript: show it only when this script runs. Rows loaded later by
  // htmx ("More tickets") are unticked, so the header box is refreshed after each swap.
  document.addEventListener("DOMContentLoaded", function () {
    var all = document.getElementById("pick-all");
    if (all) all.hidden = false;
  });
  document.addEventListener("htmx:afterSwap", syncPickAll);

  document.addEventListener("change", function (event) {
    var select = event.target;
    if (!select.matches || !select.matches("select[data-canned-target]")) return;
    var option = select.options[select.selectedIndex];
    var target = document.getElementById(select.getAttribute("data-canned-target"));
    if (option && option.dataset.body && target) {
      target.value = target.value ? target.value + "\n\n" + option.dataset.body : option.dataset.body;
      target.focus();
    }
  });
})();
