// Mixora's first-party usage analytics. The server renders this script only when the
// visitor accepted analytics and sent no Global Privacy Control; page views are counted on
// the server. This reports features used in the page: clicks on [data-usage-feature].
(function () {
  "use strict";

  var script = document.currentScript;
  if (!script) return;

  function post(url, fields) {
    var body = new FormData();
    Object.keys(fields).forEach(function (key) { body.append(key, fields[key]); });
    return fetch(url, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      keepalive: true,
      headers: { "X-CSRFToken": script.getAttribute("data-csrf"), "X-Consent-Fetch": "1" }
    });
  }

  // A GPC signal only the page can see: store the refusal and count nothing.
  if (navigator.globalPrivacyControl === true) {
    post(script.getAttribute("data-choose-url"), { choice: "gpc" });
    return;
  }

  function feature(name) {
    post(script.getAttribute("data-feature-url"), { name: name }).catch(function () {});
  }

  document.addEventListener("click", function (event) {
    var target = event.target.closest("[data-usage-feature]");
    if (target) feature(target.getAttribute("data-usage-feature"));
  });
  window.mixoraUsage = { feature: feature };
})();
