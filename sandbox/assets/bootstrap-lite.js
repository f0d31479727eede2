// A small local stand-in for Bootstrap's modal and dropdown behaviour: data-toggle,
// data-target and data-dismiss attributes, and $(el).modal("show" | "hide" | "toggle").
(function (window, document) {
  "use strict";
  var backdrop = null;

  function show(modal) {
    modal.hidden = false;
    modal.classList.add("in", "show");
    modal.setAttribute("aria-hidden", "false");
    document.body.classList.add("modal-open");
    if (!backdrop) {
      backdrop = document.createElement("div");
      backdrop.className = "modal-backdrop fade in show";
      document.body.append(backdrop);
    }
    modal.dispatchEvent(new CustomEvent("shown.bs.modal", { bubbles: true }));
  }

  function hide(modal) {
    modal.classList.remove("in", "show");
    modal.setAttribute("aria-hidden", "true");
    modal.hidden = true;
    document.body.classList.remove("modal-open");
    if (backdrop) {
      backdrop.remove();
      backdrop = null;
    }
    modal.dispatchEvent(new CustomEvent("hidden.bs.modal", { bubbles: true }));
  }

  function toggle(modal) {
    if (modal.classList.contains("show")) {
      hide(modal);
    } else {
      show(modal);
    }
  }

  var actions = { show: show, hide: hide, toggle: toggle };

  if (window.jQuery) {
    window.jQuery.fn.modal = function (action) {
      var run = actions[action || "show"] || show;
      return this.each(function () { run(this); });
    };
  }

  document.addEventListener("click", function (event) {
    var target = event.target instanceof Element ? event.target : null;
    if (!target) {
      return;
    }
    var opener = target.closest('[data-toggle="modal"]');
    if (opener) {
      var modal = document.querySelector(opener.getAttribute("data-target") || opener.getAttribute("href"));
      if (modal) {
        event.preventDefault();
        show(modal);
      }
      return;
    }
    var closer = target.closest('[data-dismiss="modal"]');
    if (closer && closer.closest(".modal")) {
      hide(closer.closest(".modal"));
      return;
    }
    var dropdown = target.closest('[data-toggle="dropdown"]');
    if (dropdown && dropdown.parentElement) {
      dropdown.parentElement.classList.toggle("open");
    }
  });
})(window, document);
