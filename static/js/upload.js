// Drag-and-drop upload with a progress bar per file, for the composer and the media library.
// Each file goes up on its own request to the upload endpoint (which checks it like any
// upload) and its tile or card is slotted into the page, so nothing typed is lost. Without
// this script the same input uploads with the form.
(function () {
  "use strict";

  var FRAME_AT = 0.5; // seconds into a video for its still
  var FRAME_SIZE = 480; // longest side of the still, as the server's thumbnails
  var FRAME_TIMEOUT = 4000;

  // A still of a video drawn by the browser (the server has no video decoder), or null when
  // this browser cannot decode it: the tile then shows the video itself.
  function videoFrame(file) {
    return new Promise(function (resolve) {
      var video = document.createElement("video");
      var url = URL.createObjectURL(file);
      var done = false;
      var finish = function (blob) {
        if (done) return;
        done = true;
        URL.revokeObjectURL(url);
        video.removeAttribute("src");
        resolve(blob);
      };
      setTimeout(function () { finish(null); }, FRAME_TIMEOUT);
      video.muted = true;
      video.preload = "auto";
      video.addEventListener("error", function () { finish(null); });
      video.addEventListener("loadeddata", function () {
        video.currentTime = Math.min(FRAME_AT, (video.duration || 0) / 2);
      });
      video.addEventListener("seeked", function () {
        var w = video.videoWidth, h = video.videoHeight;
        if (!w || !h) return finish(null);
        var scale = Math.min(1, FRAME_SIZE / Math.max(w, h));
        var canvas = document.createElement("canvas");
        canvas.width = Math.round(w * scale);
        canvas.height = Math.round(h * scale);
        canvas.getContext("2d").drawImage(video, 0, 0, canvas.width, canvas.height);
        canvas.toBlob(finish, "image/jpeg", 0.85);
      });
      video.src = url;
    });
  }

  function refusal(xhr, name) {
    try {
      var body = JSON.parse(xhr.responseText);
      if (body.error) return body.error;
    } catch (e) { /* not our JSON: a page from the server's guards */ }
    if (xhr.status === 403) return "You may not add files to this workspace.";
    if (xhr.status === 413) return "“" + name + "” is too large to upload (videos up to 1 GB).";
    return "“" + name + "” could not be uploaded (error " + xhr.status + "). Try again.";
  }

  function setUp(zone) {
    var input = zone.querySelector("input[type=file]");
    var list = zone.querySelector("[data-upload-list]") ||
      zone.parentElement.querySelector("[data-upload-list]");
    var grid = document.querySelector("[data-upload-grid]");
    var form = zone.closest("form");
    var token = form.querySelector("input[name=csrfmiddlewaretoken]").value;
    var pending = 0;
    var waitingSubmit = null;
    zone.classList.add("dropzone--js");

    function settled() {
      pending -= 1;
      if (pending === 0 && waitingSubmit) {
        var submitter = waitingSubmit.submitter;
        waitingSubmit = null;
        form.requestSubmit(submitter || undefined);
      }
    }

    // An account's own media picker offers the new file too, named for that account.
    function offerToAccounts(html) {
      document.querySelectorAll("[data-own-picker]").forEach(function (picker) {
        picker.hidden = false;
        picker.insertAdjacentHTML("afterbegin", html);
        var box = picker.firstElementChild.querySelector("input[type=checkbox]");
        box.name = "media_" + picker.closest("[data-account]").getAttribute("data-account");
        var hint = picker.parentElement.querySelector("[data-own-empty]");
        if (hint) hint.remove();
      });
    }

    function added(html) {
      var empty = document.querySelector("[data-upload-empty]");
      if (empty) empty.remove();
      grid.hidden = false;
      grid.insertAdjacentHTML("afterbegin", html);
      var box = grid.firstElementChild.querySelector("input[type=checkbox]");
      // The composer's live checks and previews follow the new selection.
      if (box) box.dispatchEvent(new Event("change", { bubbles: true }));
    }

    function send(file) {
      var row = document.createElement("li");
      row.className = "upload-item";
      var name = document.createElement("span");
      name.className = "upload-item__name";
      name.textContent = file.name;
      var bar = document.createElement("progress");
      bar.max = 100;
      bar.value = 0;
      bar.setAttribute("aria-label", "Uploading " + file.name);
      var status = document.createElement("span");
      status.className = "upload-item__status";
      status.textContent = "Uploading…";
      row.append(name, bar, status);
      list.append(row);
      pending += 1;

      var frame = file.type.indexOf("video/") === 0 ? videoFrame(file) : Promise.resolve(null);
      frame.then(function (still) {
        var data = new FormData();
        data.append("csrfmiddlewaretoken", token);
        data.append("into", zone.getAttribute("data-upload-into"));
        data.append("file", file, file.name);
        if (still) data.append("frame", still, "frame.jpg");
        var xhr = new XMLHttpRequest();
        xhr.open("POST", zone.getAttribute("data-upload-url"));
        xhr.setRequestHeader("X-CSRFToken", token);
        xhr.upload.addEventListener("progress", function (event) {
          if (event.lengthComputable) bar.value = Math.round((event.loaded / event.total) * 100);
        });
        xhr.addEventListener("load", function () {
          if (xhr.status === 201) {
            bar.value = 100;
            row.classList.add("is-done");
            status.textContent = "Added";
            var answer = JSON.parse(xhr.responseText);
            added(answer.html);
            if (answer.own_html) offerToAccounts(answer.own_html);
          } else {
            row.classList.add("is-error");
            status.textContent = refusal(xhr, file.name);
          }
          settled();
        });
        xhr.addEventListener("error", function () {
          row.classList.add("is-error");
          status.textContent = "“" + file.name + "” could not be uploaded: the connection was lost.";
          settled();
        });
        xhr.send(data);
      });
    }

    function sendAll(files) {
      Array.prototype.forEach.call(files, send);
    }

    input.addEventListener("change", function () {
      var files = Array.prototype.slice.call(input.files);
      input.value = ""; // sent here, so saving the form does not send them again
      sendAll(files);
    });

    ["dragenter", "dragover"].forEach(function (type) {
      zone.addEventListener(type, function (event) {
        if (!event.dataTransfer || event.dataTransfer.types.indexOf("Files") === -1) return;
        event.preventDefault();
        zone.classList.add("is-dragover");
      });
    });
    zone.addEventListener("dragleave", function (event) {
      if (!zone.contains(event.relatedTarget)) zone.classList.remove("is-dragover");
    });
    zone.addEventListener("drop", function (event) {
      event.preventDefault();
      zone.classList.remove("is-dragover");
      if (event.dataTransfer && event.dataTransfer.files.length) sendAll(event.dataTransfer.files);
    });

    // Saving while files are still going up waits for them, so the post includes them.
    form.addEventListener("submit", function (event) {
      if (pending === 0) return;
      event.preventDefault();
      event.stopImmediatePropagation();
      waitingSubmit = { submitter: event.submitter };
    }, true);
  }

  document.querySelectorAll("[data-upload-url]").forEach(setUp);
})();
