// AI drafts: a button streams a suggestion (server-sent events read with fetch) into the panel
// beside it; nothing the person typed changes until they press "Use this". A used draft is
// claimed in a hidden input ("<id>:<field>") so the server knows which text came from AI, and
// the field shows an "AI draft" badge until the person edits the text or presses Accept.
(function () {
  "use strict";
  if (window.mixoraAssistant) return;
  window.mixoraAssistant = true;

  function csrfToken() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function parts(panel) {
    return {
      state: panel.querySelector("[data-ai-state]"),
      text: panel.querySelector("[data-ai-text]"),
      problems: panel.querySelector("[data-ai-problems]"),
      error: panel.querySelector("[data-ai-error]"),
      use: panel.querySelector("[data-ai-use]"),
    };
  }

  function showError(panel, message, upgradeUrl) {
    var p = parts(panel);
    p.error.textContent = message;
    if (upgradeUrl) {
      var link = document.createElement("a");
      link.href = upgradeUrl;
      link.className = "refusal-link";
      link.textContent = "Upgrade";
      p.error.appendChild(document.createTextNode(" "));
      p.error.appendChild(link);
    }
    p.error.hidden = false;
    p.state.textContent = "No suggestion";
    p.use.disabled = true;
  }

  function showDone(panel, data) {
    var p = parts(panel);
    p.text.textContent = data.text;
    panel.dataset.generation = data.generation;
    p.problems.textContent = "";
    (data.problems || []).forEach(function (problem) {
      var li = document.createElement("li");
      li.textContent = problem;
      p.problems.appendChild(li);
    });
    p.problems.hidden = !(data.problems || []).length;
    p.state.textContent = (data.problems || []).length ? "Ready, with problems to fix" : "Ready";
    p.use.disabled = false;
  }

  function handle(panel, name, data) {
    if (name === "delta") parts(panel).text.textContent += data.text;
    else if (name === "done") showDone(panel, data);
    else if (name === "error") showError(panel, data.message, data.upgrade_url);
  }

  // One SSE block: "event: <name>\ndata: <json>".
  function dispatch(panel, block) {
    var name = "message", data = "";
    block.split("\n").forEach(function (line) {
      if (line.indexOf("event:") === 0) name = line.slice(6).trim();
      else if (line.indexOf("data:") === 0) data += line.slice(5).trim();
    });
    if (data) handle(panel, name, JSON.parse(data));
  }

  function read(panel, response) {
    var reader = response.body.getReader();
    var decoder = new TextDecoder();
    var buffer = "";
    function pump() {
      return reader.read().then(function (chunk) {
        if (chunk.done) return;
        buffer += decoder.decode(chunk.value, { stream: true });
        var end;
        while ((end = buffer.indexOf("\n\n")) !== -1) {
          dispatch(panel, buffer.slice(0, end));
          buffer = buffer.slice(end + 2);
        }
        return pump();
      });
    }
    return pump();
  }

  function sourceText(button) {
    var source = document.getElementById(button.dataset.aiSource || "");
    var text = source ? source.value.trim() : "";
    if (!text && button.dataset.aiFallback) {
      var fallback = document.getElementById(button.dataset.aiFallback);
      text = fallback ? fallback.value.trim() : "";
    }
    return text;
  }

  function start(button) {
    var scope = button.closest("[data-ai-scope]");
    var panel = scope.querySelector("[data-ai-panel]");
    var p = parts(panel);
    panel.hidden = false;
    panel.dataset.target = button.dataset.aiTarget;
    panel.dataset.field = button.dataset.aiField;
    panel.dataset.mode = button.dataset.aiMode || "replace";
    delete panel.dataset.generation;
    p.text.textContent = "";
    p.problems.hidden = true;
    p.error.hidden = true;
    p.error.textContent = "";
    p.use.disabled = true;
    p.state.textContent = "Writing…";
    var body = new FormData();
    body.append("csrfmiddlewaretoken", csrfToken());
    if (button.dataset.aiParam) body.append(button.dataset.aiParam, sourceText(button));
    (button.dataset.aiExtra || "").split("&").forEach(function (pair) {
      var kv = pair.split("=");
      if (kv[0]) body.append(kv[0], kv[1] || "");
    });
    button.disabled = true;
    fetch(button.dataset.aiAction, { method: "POST", body: body, credentials: "same-origin" })
      .then(function (response) {
        var type = response.headers.get("Content-Type") || "";
        if (!response.ok || type.indexOf("text/event-stream") !== 0) {
          showError(panel, "The AI draft could not start (" + response.status + "). Reload the page and try again.");
          return;
        }
        return read(panel, response);
      })
      .catch(function () { showError(panel, "The connection was lost before the draft finished. Try again."); })
      .then(function () { button.disabled = false; });
  }

  // --- claims and badges ---------------------------------------------------------------------

  function claimsBox() { return document.querySelector("[data-ai-claims]"); }

  function fieldElement(field) {
    return document.getElementById(field === "text" ? "id_text" : field);
  }

  function labelFor(field) {
    var element = fieldElement(field);
    return element ? document.querySelector("label[for='" + element.id + "']") : null;
  }

  function setBadge(field, status) {
    var label = labelFor(field);
    if (!label) return;
    var old = label.querySelector(".ai-mark");
    if (old) old.remove();
    if (status !== "draft" && status !== "accepted") return;
    var mark = document.createElement("span");
    mark.className = "ai-mark ai-mark--" + status;
    mark.dataset.aiMarkFor = field;
    if (status === "draft") {
      mark.appendChild(document.createTextNode("AI draft"));
      var accept = document.createElement("button");
      accept.type = "button";
      accept.className = "ai-mark__accept";
      accept.dataset.aiAccept = field;
      accept.textContent = "Accept";
      mark.appendChild(accept);
    } else {
      mark.textContent = "AI text accepted";
    }
    label.appendChild(mark);
  }

  function claimsOf(field) {
    var box = claimsBox();
    return box ? box.querySelectorAll("[data-ai-claim][data-ai-field='" + field + "']") : [];
  }

  function claim(field, generation, replace) {
    var box = claimsBox();
    if (!box) return;
    if (replace) claimsOf(field).forEach(function (input) { input.remove(); });
    var input = document.createElement("input");
    input.type = "hidden";
    input.name = "ai_generation";
    input.value = generation + ":" + field;
    input.dataset.aiClaim = "";
    input.dataset.aiField = field;
    input.dataset.aiStatus = "draft";
    box.appendChild(input);
    setBadge(field, "draft");
  }

  function use(panel) {
    var target = document.getElementById(panel.dataset.target);
    var text = parts(panel).text.textContent;
    if (!target || !text) return;
    if (panel.dataset.mode === "append" && target.value.trim()) {
      target.value = target.value.replace(/\s+$/, "") + "\n\n" + text;
    } else {
      target.value = text;
    }
    var details = target.closest("details");
    if (details) details.open = true;
    claim(panel.dataset.field, panel.dataset.generation, panel.dataset.mode !== "append");
    panel.hidden = true;
    target.dispatchEvent(new Event("change", { bubbles: true }));  // live checks and previews
    target.focus();
  }

  function dismiss(panel) {
    var scope = panel.closest("[data-ai-discard]") || document.querySelector("[data-ai-discard]");
    if (panel.dataset.generation && scope) {
      var body = new FormData();
      body.append("csrfmiddlewaretoken", csrfToken());
      var url = scope.dataset.aiDiscard.replace(/\/0\/discard\/$/, "/" + panel.dataset.generation + "/discard/");
      fetch(url, { method: "POST", body: body, credentials: "same-origin" });
    }
    panel.hidden = true;
  }

  function accept(field) {
    claimsOf(field).forEach(function (input) {
      if (input.dataset.aiStatus === "draft") {
        input.value = input.value.replace(/:accepted$/, "") + ":accepted";
        input.dataset.aiStatus = "accepted";
      }
    });
    setBadge(field, "accepted");
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-ai-action], [data-ai-use], [data-ai-dismiss], [data-ai-accept]");
    if (!button) return;
    event.preventDefault();
    if (button.dataset.aiAccept) { accept(button.dataset.aiAccept); return; }
    var panel = button.closest("[data-ai-panel]");
    if (button.hasAttribute("data-ai-action")) start(button);
    else if (button.hasAttribute("data-ai-use")) use(panel);
    else dismiss(panel);
  });

  // A person typing in a field with an AI draft makes it theirs: the badge goes (the server
  // compares the saved text with the draft and records "edited").
  document.addEventListener("input", function (event) {
    var field = event.target.id === "id_text" ? "text" : event.target.name;
    var drafts = Array.prototype.filter.call(claimsOf(field || ""), function (input) {
      return input.dataset.aiStatus === "draft" || input.dataset.aiStatus === "accepted";
    });
    if (!drafts.length) return;
    drafts.forEach(function (input) { input.dataset.aiStatus = "edited"; });
    setBadge(field, "edited");
  });

  function restoreBadges() {
    var box = claimsBox();
    if (!box) return;
    box.querySelectorAll("[data-ai-claim]").forEach(function (input) {
      setBadge(input.dataset.aiField, input.dataset.aiStatus);
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", restoreBadges);
  else restoreBadges();
})();
