// The legacy WebForms pages' grid behaviour: a clicked row is selected (rgSelectedRow), and
// the right mouse button opens the detached RadMenu context menu at the pointer.
(function () {
  "use strict";
  var menu = document.getElementById("ctl00_phListing_ctrlListing_RadMenuWindow_detached");

  function closeMenu() {
    if (menu) {
      menu.hidden = true;
    }
  }

  document.addEventListener("click", function (event) {
    var target = event.target instanceof Element ? event.target : null;
    closeMenu();
    var row = target ? target.closest(".rgMasterTable tbody tr") : null;
    if (!row) {
      return;
    }
    row.parentElement.querySelectorAll(".rgSelectedRow").forEach(function (other) {
      other.classList.remove("rgSelectedRow");
    });
    row.classList.add("rgSelectedRow");
  });

  document.addEventListener("contextmenu", function (event) {
    var target = event.target instanceof Element ? event.target : null;
    var row = target ? target.closest(".rgMasterTable tbody tr[data-ticket-id]") : null;
    if (!row || !menu) {
      return;
    }
    event.preventDefault();
    row.click();
    menu.hidden = false;
    // CSSOM, not a style attribute: allowed under the strict CSP.
    menu.style.left = event.pageX + "px";
    menu.style.top = event.pageY + "px";
    menu.setAttribute("data-ticket-id", row.getAttribute("data-ticket-id"));
  });

  if (menu) {
    menu.addEventListener("click", function (event) {
      var item = event.target instanceof Element ? event.target.closest("a.rmLink") : null;
      if (item && item.getAttribute("data-action") === "open") {
        event.preventDefault();
        window.location.href = "TicketEdit.aspx?ID=" + encodeURIComponent(menu.getAttribute("data-ticket-id"));
      }
    });
  }
})();
