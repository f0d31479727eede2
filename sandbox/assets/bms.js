// The page's own script: tab switching and the user menu, wired without inline handlers so
// it runs under every CSP mode.
(function () {
  "use strict";

  function selectTab(name) {
    document.querySelectorAll(".psa-tab").forEach(function (tab) {
      var active = tab.getAttribute("data-tab") === name;
      tab.classList.toggle("psa-tab--active", active);
      tab.setAttribute("aria-selected", active ? "true" : "false");
    });
    document.querySelectorAll(".psa-tab-panel").forEach(function (panel) {
      panel.hidden = panel.getAttribute("data-panel") !== name;
    });
  }

  function init() {
    document.querySelectorAll(".psa-tab").forEach(function (tab) {
      tab.addEventListener("click", function () {
        selectTab(tab.getAttribute("data-tab"));
      });
    });
    var toggle = document.querySelector(".psa-user-menu-toggle");
    var menu = document.querySelector(".psa-user-menu-list");
    if (toggle && menu) {
      toggle.addEventListener("click", function () {
        menu.hidden = !menu.hidden;
        toggle.setAttribute("aria-expanded", menu.hidden ? "false" : "true");
      });
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
