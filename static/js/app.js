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
    if (event.target.matches("select[data-autosubmit], input[data-autosubmit]")) {
      event.target.form.requestSubmit();
    }
    // A saved reply is a starting point: it goes into the reply box to be edited, never sent.
    var target = event.target.getAttribute("data-insert-into");
    if (target && event.target.value) {
      var box = document.getElementById(target);
      box.value = box.value ? box.value + "\n" + event.target.value : event.target.value;
      box.dispatchEvent(new Event("input", { bubbles: true }));
      box.focus();
      event.target.value = "";
    }
  });

  // A new workspace starts in the browser's time zone rather than UTC.
  var tzSelect = document.querySelector("select[data-detect-timezone]");
  if (tzSelect && tzSelect.value === "UTC" && window.Intl) {
    var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (zone && tzSelect.querySelector('option[value="' + zone + '"]')) tzSelect.value = zone;
  }

  // The composer keeps what was typed in this browser until it is saved, so a reload or a
  // lost connection loses nothing. Only empty fields are filled back in.
  var draft = document.querySelector("form[data-draft-key]");
  if (draft && window.localStorage) {
    var key = draft.getAttribute("data-draft-key");
    var fields = function () {
      return draft.querySelectorAll("textarea, input[type=text], input[type=datetime-local]");
    };
    try {
      var saved = JSON.parse(localStorage.getItem(key) || "{}");
      var restored = false;
      fields().forEach(function (field) {
        if (!field.value && saved[field.name]) { field.value = saved[field.name]; restored = true; }
      });
      if (restored) draft.dispatchEvent(new Event("change", { bubbles: true }));
    } catch (e) { localStorage.removeItem(key); }
    draft.addEventListener("input", function () {
      var values = {};
      fields().forEach(function (field) { if (field.value) values[field.name] = field.value; });
      localStorage.setItem(key, JSON.stringify(values));
    });
    draft.addEventListener("submit", function () { localStorage.removeItem(key); });
  }

  // Under the composer's text box: each chosen account's count, copied from the checks panel
  // each time htmx refreshes it, so it stays in sight while typing on a phone. There the
  // "Preview" button opens the checks panel as a sheet over the page.
  var meter = document.querySelector("[data-composer-meter]");
  if (meter) {
    var counts = meter.querySelector("[data-meter-counts]");
    var composer = meter.closest("form");
    var fillMeter = function () {
      counts.replaceChildren();
      document.querySelectorAll("#checks .check").forEach(function (check) {
        var count = check.querySelector(".check__count");
        if (!count) return;
        var item = document.createElement("li");
        item.className = "composer-meter__count" + (count.classList.contains("is-over") ? " is-over" : "");
        var mark = check.querySelector(".platform-mark");
        if (mark) item.append(mark.cloneNode(true));
        var who = document.createElement("span");
        who.className = "sr-only";
        who.textContent = (check.querySelector("strong") || {}).textContent + ": ";
        item.append(who, count.textContent.replace(/\s+/g, ""));
        counts.append(item);
      });
      meter.hidden = false;
    };
    document.body.addEventListener("htmx:afterSwap", function (event) {
      if (event.detail.target.id === "checks") fillMeter();
    });
    var previewing = function (open) {
      composer.classList.toggle("is-previewing", open);
      meter.querySelector("[data-preview-toggle]").setAttribute("aria-expanded", String(open));
    };
    composer.addEventListener("click", function (event) {
      if (!event.target.closest("[data-preview-toggle]")) return;
      var open = !composer.classList.contains("is-previewing");
      previewing(open);
      if (open) document.querySelector(".checks-panel__close").focus();
      else meter.querySelector("[data-preview-toggle]").focus();
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && composer.classList.contains("is-previewing")) previewing(false);
    });
  }

  // Success toasts fade on their own; errors stay until dismissed.
  setTimeout(function () {
    document.querySelectorAll(".toast--success").forEach(function (t) { t.classList.add("is-leaving"); });
  }, 5000);
})();
