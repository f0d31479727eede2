// The signed-in session as the real UI keeps it: the user info in localStorage.PSAUserInfo
// (the PSAAuthToken cookie comes with the page). Runs in <head>, before any other page
// script, so both are there from the start.
(function () {
  "use strict";
  var meta = document.querySelector('meta[name="psa-user-info"]');
  if (!meta) {
    return;
  }
  try {
    window.localStorage.setItem("PSAUserInfo", meta.getAttribute("content"));
  } catch (error) {
    // Storage can be disabled; the page still works without it.
  }
})();
