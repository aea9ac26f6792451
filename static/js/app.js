// Small progressive enhancements; every page works without them.
(function () {
  "use strict";

  document.addEventListener("click", function (event) {
    var dismiss = event.target.closest("[data-dismiss]");
    if (dismiss) {
      dismiss.closest(".toast").remove();
      return;
    }
    var toggle = event.target.closest("[data-toggle='sidebar']");
    if (toggle) {
      document.body.classList.toggle("sidebar-open");
      return;
    }
    // Close open menus when clicking elsewhere.
    document.querySelectorAll("details.menu[open]").forEach(function (menu) {
      if (!menu.contains(event.target)) menu.removeAttribute("open");
    });
  });

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    document.querySelectorAll("details.menu[open]").forEach(function (menu) {
      menu.removeAttribute("open");
      menu.querySelector("summary").focus();
    });
    document.body.classList.remove("sidebar-open");
  });

  document.addEventListener("submit", function (event) {
    var button = event.submitter;
    var message = button && button.getAttribute("data-confirm");
    if (message && !window.confirm(message)) event.preventDefault();
  });

  document.addEventListener("change", function (event) {
    if (event.target.matches("select[data-autosubmit]")) event.target.form.requestSubmit();
  });

  // A new workspace starts in the browser's time zone rather than UTC.
  var tzSelect = document.querySelector("select[data-detect-timezone]");
  if (tzSelect && tzSelect.value === "UTC" && window.Intl) {
    var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (zone && tzSelect.querySelector('option[value="' + zone + '"]')) tzSelect.value = zone;
  }

  // Success toasts fade on their own; errors stay until dismissed.
  setTimeout(function () {
    document.querySelectorAll(".toast--success").forEach(function (t) { t.classList.add("is-leaving"); });
  }, 5000);
})();
