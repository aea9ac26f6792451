// Cookie banner and settings page. Both are plain forms that work without this script; it
// saves the banner's choice without a reload and reflects a Global Privacy Control signal
// that only the page can see (navigator.globalPrivacyControl).
(function () {
  "use strict";

  var gpc = navigator.globalPrivacyControl === true;

  if (gpc) {
    document.querySelectorAll("[data-consent-gpc-notice]").forEach(function (notice) {
      notice.hidden = false;
    });
    document.querySelectorAll("input[data-gpc-off]").forEach(function (input) {
      input.checked = false;
      input.disabled = true;
    });
  }

  function announce(text) {
    var region = document.createElement("div");
    region.className = "toasts";
    region.setAttribute("role", "status");
    region.innerHTML = '<div class="toast toast--success"><span></span></div>';
    region.querySelector("span").textContent = text;
    document.body.appendChild(region);
    setTimeout(function () { region.remove(); }, 5000);
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches("form[data-consent-form]")) return;
    if (gpc && !form.querySelector("input[name=gpc]")) {
      var flag = document.createElement("input");
      flag.type = "hidden";
      flag.name = "gpc";
      flag.value = "1";
      form.appendChild(flag);
    }
    if (!form.hasAttribute("data-consent-banner") || !window.fetch) return;
    event.preventDefault();
    var submitter = event.submitter;
    var body = new FormData(form);
    if (submitter && submitter.name) body.append(submitter.name, submitter.value);
    fetch(form.action, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "X-Consent-Fetch": "1" }
    }).then(function (response) {
      if (!response.ok) throw new Error("not saved");
      document.getElementById("consent-banner").remove();
      var main = document.getElementById("main");
      if (main) { main.setAttribute("tabindex", "-1"); main.focus({ preventScroll: true }); }
      announce("Your cookie choices are saved.");
    }).catch(function () {
      // Let the server answer the plain way (it redirects back and says what happened).
      if (submitter && submitter.name) {
        var choice = document.createElement("input");
        choice.type = "hidden";
        choice.name = submitter.name;
        choice.value = submitter.value;
        form.appendChild(choice);
      }
      form.submit();
    });
  });
})();
