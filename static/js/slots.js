// Posting slots: the "Weekdays" / "Every day" / "Clear" shortcuts tick the day boxes.
(function () {
  "use strict";

  var form = document.querySelector("[data-slots-form]");
  var shortcuts = form && form.querySelector("[data-day-shortcuts]");
  if (!shortcuts) return;
  shortcuts.hidden = false;
  shortcuts.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-days]");
    if (!button) return;
    var days = button.getAttribute("data-days").split(",");
    form.querySelectorAll("input[name=weekdays]").forEach(function (box) {
      box.checked = days.indexOf(box.value) !== -1;
    });
  });
})();
