// The calendar: the week grid opens scrolled to the first post (or 08:00), a click on an
// empty hour opens the composer there, and a post dragged to another slot is moved on the
// server (publishing.moving's rules). On success the page reloads with the message; on a
// refusal the reason shows and the post stays where it was.
(function () {
  "use strict";

  var grid = document.querySelector(".wk[data-scroll-hour]");
  if (grid) {
    var row = grid.querySelector('tbody tr[data-hour="' + grid.getAttribute("data-scroll-hour") + '"]');
    var head = grid.querySelector("thead");
    // Below the sticky day headers, with the hour's label in sight.
    if (row) grid.scrollTop = row.offsetTop - (head ? head.offsetHeight : 0) - 12;
    // On a narrow screen the grid scrolls sideways too: bring today's column into view.
    var today = grid.querySelector("th.wk__day.is-today");
    var corner = grid.querySelector(".wk__corner");
    if (today && today.offsetLeft + today.offsetWidth > grid.clientWidth) {
      grid.scrollLeft = today.offsetLeft - (corner ? corner.offsetWidth : 0);
    }
    grid.addEventListener("click", function (event) {
      if (event.target.closest(".cal-post, a")) return;
      var slot = event.target.closest("td.wk__slot");
      var add = slot && slot.querySelector(".wk__add");
      if (add) window.location.assign(add.href);
    });
  }

  var board = document.querySelector("[data-cal-dnd]");
  var form = document.querySelector("[data-cal-move]");
  if (!board || !form) return;
  var status = form.querySelector("[data-cal-status]");
  var errorBox = document.querySelector("[data-cal-error]");
  var dragged = null;

  function dropTarget(element) {
    return element && element.closest("td.wk__slot, li.cal-day");
  }

  // The local time the post moves to: the slot's hour keeps the post's minutes; a month day
  // keeps the post's whole time.
  function destination(target, post) {
    var time = post.getAttribute("data-time");
    if (target.hasAttribute("data-hour")) {
      var hour = ("0" + target.getAttribute("data-hour")).slice(-2);
      time = hour + ":" + time.slice(3);
    }
    return target.getAttribute("data-date") + "T" + time;
  }

  function showError(message) {
    errorBox.textContent = message;
    errorBox.hidden = false;
    errorBox.scrollIntoView({ block: "nearest" });
  }

  function move(post, to) {
    var body = new FormData(form);
    body.append("to", to);
    body.append("seen", post.getAttribute("data-seen"));
    post.classList.add("is-moving");
    status.textContent = "Moving…";
    fetch(post.getAttribute("data-move-url"), {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "X-Requested-With": "fetch" }
    })
      .then(function (response) {
        return response.json().then(function (data) {
          return { ok: response.ok, data: data };
        }, function () {
          return { ok: false, data: { error: "The post could not be moved (" + response.status + ")." } };
        });
      })
      .then(function (result) {
        if (result.ok) {
          window.location.reload();
          return;
        }
        post.classList.remove("is-moving");
        status.textContent = "";
        showError(result.data.error || "The post could not be moved.");
      })
      .catch(function () {
        post.classList.remove("is-moving");
        status.textContent = "";
        showError("The post could not be moved: check your connection and try again.");
      });
  }

  board.addEventListener("dragstart", function (event) {
    var post = event.target.closest && event.target.closest(".cal-post[data-move-url]");
    if (!post) return;
    dragged = post;
    errorBox.hidden = true;
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", post.getAttribute("data-move-url"));
    post.classList.add("is-dragging");
    board.classList.add("is-dragging");
  });

  board.addEventListener("dragend", function () {
    if (dragged) dragged.classList.remove("is-dragging");
    board.classList.remove("is-dragging");
    board.querySelectorAll(".is-drop").forEach(function (el) { el.classList.remove("is-drop"); });
    dragged = null;
  });

  board.addEventListener("dragover", function (event) {
    var target = dragged && dropTarget(event.target);
    if (!target) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    if (!target.classList.contains("is-drop")) {
      board.querySelectorAll(".is-drop").forEach(function (el) { el.classList.remove("is-drop"); });
      target.classList.add("is-drop");
    }
  });

  board.addEventListener("drop", function (event) {
    var target = dragged && dropTarget(event.target);
    if (!target) return;
    event.preventDefault();
    var post = dragged;
    target.classList.remove("is-drop");
    if (post.closest("td.wk__slot, li.cal-day") === target) return; // dropped where it was
    move(post, destination(target, post));
  });
})();
