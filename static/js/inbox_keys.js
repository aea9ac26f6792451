// Inbox keyboard shortcuts: j/k (↓/↑) next and previous conversation, r reply, e or d done,
// a assign to me, ? this list, "/" in an empty reply inserts a saved reply. Every shortcut is
// a button or link on the page too; none acts while the person types in a field.
(function () {
  "use strict";

  var inbox = document.querySelector("[data-inbox-keys]");
  if (!inbox) return;
  var help = document.getElementById("shortcut-help");

  function typing(element) {
    if (!element) return false;
    if (element.isContentEditable) return true;
    return /^(INPUT|TEXTAREA|SELECT)$/.test(element.tagName);
  }

  function rows() {
    return Array.prototype.slice.call(document.querySelectorAll("#inbox-list a.convo"));
  }

  // The list refreshes itself every few seconds, so the position is read each time.
  function go(step) {
    var links = rows();
    if (!links.length) return;
    var current = links.findIndex(function (a) { return a.classList.contains("is-active"); });
    var focused = links.indexOf(document.activeElement);
    var from = current >= 0 ? current : focused;
    var index = from < 0 ? (step > 0 ? 0 : links.length - 1) : from + step;
    if (index < 0 || index >= links.length) return;
    window.location.assign(links[index].href);
  }

  function submit(id) {
    var form = document.getElementById(id);
    if (form) form.requestSubmit();
  }

  function showHelp() {
    if (help && !help.open) help.showModal();
  }

  document.querySelectorAll("[data-shortcut-help]").forEach(function (button) {
    button.addEventListener("click", showHelp);
  });

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) return;
    var target = event.target;
    // "/" at the start of an empty reply opens the saved replies instead of typing.
    if (event.key === "/" && target.id === "reply-text" && !target.value) {
      var picker = document.getElementById("saved-reply");
      if (picker) {
        event.preventDefault();
        picker.focus();
        try { picker.showPicker(); } catch (e) { /* older browsers: focused is enough */ }
      }
      return;
    }
    if (typing(target) || (help && help.open)) return;
    // Arrows only where they would not scroll something else: nothing focused, or the list.
    var arrowsOk = target === document.body || target.matches("#inbox-list a.convo");
    switch (event.key) {
      case "j": go(1); break;
      case "k": go(-1); break;
      case "ArrowDown": if (!arrowsOk) return; go(1); break;
      case "ArrowUp": if (!arrowsOk) return; go(-1); break;
      case "r": {
        var reply = document.getElementById("reply-text");
        if (!reply) return;
        reply.focus();
        break;
      }
      case "e": case "d": submit("done-form"); break;
      case "a": submit("assign-me-form"); break;
      case "?": showHelp(); break;
      default: return;
    }
    event.preventDefault();
  });
})();
