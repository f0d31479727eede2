// The chrome's own behaviour: tab switching and the user menu. Delegated from the document,
// so it also covers content the app renders later, and wired without inline handlers, so it
// runs under every CSP mode.
(function () {
  "use strict";

  function selectTab(tab) {
    var name = tab.getAttribute("data-tab");
    var scope = tab.closest("[data-tabs]") || document;
    scope.querySelectorAll(".psa-tab").forEach(function (other) {
      var active = other === tab;
      other.classList.toggle("psa-tab--active", active);
      other.setAttribute("aria-selected", active ? "true" : "false");
    });
    scope.querySelectorAll(".psa-tab-panel").forEach(function (panel) {
      panel.hidden = panel.getAttribute("data-panel") !== name;
    });
  }

  function toggleUserMenu(toggle) {
    var menu = document.querySelector(".psa-user-menu-list");
    if (!menu) {
      return;
    }
    menu.hidden = !menu.hidden;
    toggle.setAttribute("aria-expanded", menu.hidden ? "false" : "true");
  }

  document.addEventListener("click", function (event) {
    var target = event.target instanceof Element ? event.target : null;
    if (!target) {
      return;
    }
    var tab = target.closest(".psa-tab");
    if (tab) {
      selectTab(tab);
      return;
    }
    var toggle = target.closest(".psa-user-menu-toggle");
    if (toggle) {
      toggleUserMenu(toggle);
    }
  });
})();
