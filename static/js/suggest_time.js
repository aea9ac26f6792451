// The composer's "Suggest a time": asks for each chosen account's next best window (from the
// workspace's own history) and fills the "When" field with the first account's suggestion.
(function () {
  "use strict";

  var box = document.querySelector("[data-suggest-time]");
  if (!box) return;
  var form = box.closest("form");
  var button = box.querySelector("[data-suggest-time-button]");
  var result = box.querySelector("[data-suggest-time-result]");
  var when = form && form.querySelector("input[name=scheduled_local]");

  function accounts() {
    return Array.prototype.map.call(
      form.querySelectorAll("input[name=accounts]:checked"),
      function (input) {
        var name = input.closest("label").querySelector("strong");
        return { id: input.value, name: name ? name.textContent.trim() : "" };
      }
    );
  }

  function ask(account) {
    var query = new URLSearchParams({ account: account.id });
    if (when && when.value) query.set("after", when.value);
    return fetch(box.getAttribute("data-url") + "?" + query.toString(), {
      headers: { Accept: "application/json" },
      credentials: "same-origin"
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (body) {
        if (!response.ok) throw new Error(body.error || "No suggestion could be made.");
        return { account: account, answer: body };
      });
    });
  }

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text) node.textContent = text;
    return node;
  }

  function fill(value) {
    when.value = value;
    when.dispatchEvent(new Event("input", { bubbles: true }));
    when.dispatchEvent(new Event("change", { bubbles: true }));
  }

  function line(item, filled) {
    var answer = item.answer;
    var row = element("div", "suggest-time__item");
    var head = element("div", "suggest-time__head");
    head.appendChild(element("strong", "", item.account.name));
    if (answer.time) {
      head.appendChild(element("span", "suggest-time__when", answer.date));
      head.appendChild(
        element("span", "suggest-time__confidence suggest-time__confidence--" + answer.confidence,
                answer.confidence + " confidence")
      );
      if (answer.source === "network") head.appendChild(element("span", "suggest-time__source", "network pattern"));
    }
    row.appendChild(head);
    row.appendChild(element("p", "suggest-time__reason", answer.reason));
    if (answer.time && !filled) {
      var use = element("button", "btn btn--ghost btn--sm", "Use " + answer.date);
      use.type = "button";
      use.addEventListener("click", function () { fill(answer.time); });
      row.appendChild(use);
    }
    return row;
  }

  button.addEventListener("click", function () {
    var chosen = accounts();
    result.textContent = "";
    if (!chosen.length) {
      result.appendChild(element("p", "suggest-time__reason", "Choose an account under “Publish to” first."));
      return;
    }
    button.disabled = true;
    button.setAttribute("aria-busy", "true");
    Promise.all(chosen.map(ask)).then(function (items) {
      var first = items.filter(function (item) { return item.answer.time; })[0];
      if (first) fill(first.answer.time);
      items.forEach(function (item) { result.appendChild(line(item, item === first)); });
    }).catch(function (error) {
      result.appendChild(element("p", "field__error", error.message));
    }).then(function () {
      button.disabled = false;
      button.removeAttribute("aria-busy");
    });
  });
})();
