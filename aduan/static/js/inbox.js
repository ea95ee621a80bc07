// Officer inbox: keyboard shortcuts and canned responses. No inline script (strict CSP).
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
      case "r": handled = focusShortcut("reply"); break;
      case "a": handled = focusShortcut("assign"); break;
      case "/": handled = focusShortcut("search"); break;
      default: handled = false;
    }
    if (handled) event.preventDefault();
  });

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
