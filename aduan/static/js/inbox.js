// Officer inbox: keyboard shortcuts, canned responses, bulk selection, the bulk bar, the split
// view and the live refresh. No inline script (strict CSP).
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

  function ticked() {
    return picks().filter(function (box) { return box.checked; });
  }

  // The bulk bar shows only while tickets are ticked, with the fields its action needs.
  function syncBulkBar() {
    var bar = document.getElementById("bulk-form");
    if (!bar) return;
    var count = ticked().length;
    bar.hidden = count === 0;
    var label = document.getElementById("bulk-ticked");
    if (label) label.textContent = String(count);
    var action = document.getElementById("bulk-action");
    var chosen = action ? action.value : "status";
    bar.querySelectorAll("[data-bulk-for]").forEach(function (field) {
      field.hidden = field.getAttribute("data-bulk-for") !== chosen;
    });
  }

  function togglePick() {
    var row = focusedRow();
    var box = row && row.querySelector("input.bulk-pick");
    if (!box) return false;
    box.checked = !box.checked;
    syncPickAll();
    syncBulkBar();
    return true;
  }

  function openSelected() {
    var row = focusedRow();
    var link = row && row.querySelector("a.reference");
    if (!link) return false;
    link.click();
    return true;
  }

  function showShortcuts() {
    var dialog = document.getElementById("shortcuts");
    if (!dialog || dialog.open) return false;
    dialog.showModal();
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
      case "?": handled = showShortcuts(); break;
      case "Enter": handled = event.target === document.body && openSelected(); break;
      default: handled = false;
    }
    if (handled) event.preventDefault();
  });

  document.addEventListener("change", function (event) {
    var box = event.target;
    if (box.id === "pick-all") {
      picks().forEach(function (pick) { pick.checked = box.checked; });
      syncBulkBar();
      return;
    }
    if (box.id === "bulk-action") syncBulkBar();
    if (box.classList && box.classList.contains("bulk-pick")) {
      syncPickAll();
      syncBulkBar();
    }
  });

  document.addEventListener("click", function (event) {
    if (event.target.id !== "bulk-clear") return;
    picks().forEach(function (pick) { pick.checked = false; });
    syncPickAll();
    syncBulkBar();
  });

  // The live refresh replaces the list: never while the officer is ticking rows or has
  // loaded more pages, so nothing they are working on moves under them.
  document.addEventListener("htmx:beforeRequest", function (event) {
    if (!event.detail.elt || event.detail.elt.id !== "live-poll") return;
    var pageSize = Number(event.detail.elt.getAttribute("data-page-size") || 25);
    if (ticked().length || rows().length > pageSize) event.preventDefault();
  });

  // In the split view the chosen row stays marked.
  document.addEventListener("htmx:afterSwap", function (event) {
    if (!event.detail.target || event.detail.target.id !== "ticket-pane") return;
    rows().forEach(function (row) { row.classList.remove("selected"); });
    var source = event.detail.requestConfig && event.detail.requestConfig.elt;
    var row = source && source.closest ? source.closest("tr.ticket-row") : null;
    if (row) row.classList.add("selected");
  });

  // "Select all" needs JavaScript: show it only when this script runs. Rows loaded later by
  // htmx ("More tickets") are unticked, so the header box is refreshed after each swap.
  document.addEventListener("DOMContentLoaded", function () {
    var all = document.getElementById("pick-all");
    if (all) all.hidden = false;
    syncBulkBar();
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
