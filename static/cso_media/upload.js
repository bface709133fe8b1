// The upload page with JavaScript: drop files on the zone (or pick them) and each is sent on its own request,
// three at a time, with its own progress bar and an overall one. A refused file shows its reason and does not
// stop the others. When every file is in and none was refused, the describe page opens. Without JavaScript
// the form posts all files at once, as before.
(function () {
  "use strict";

  var PARALLEL = 3;

  function init(form) {
    var input = form.querySelector("input[type=file][name=files]");
    var zone = document.getElementById("cso-drop-zone");
    var list = document.getElementById("cso-upload-list");
    var overall = document.getElementById("cso-upload-overall");
    var summary = document.getElementById("cso-upload-summary");
    if (!input || !zone || !list || !overall) {
      return;
    }
    var labels = zone.dataset;
    var queue = [];
    var active = 0;
    var total = 0;
    var done = 0;
    var refused = 0;
    var sentBytes = {};
    var totalBytes = 0;

    zone.hidden = false;
    form.classList.add("cso-upload-enhanced");

    function field(name) {
      var element = form.querySelector("[name=" + name + "]");
      return element ? element.value : "";
    }

    function updateOverall() {
      var loaded = 0;
      Object.keys(sentBytes).forEach(function (key) {
        loaded += sentBytes[key];
      });
      overall.max = totalBytes || 1;
      overall.value = Math.min(loaded, totalBytes);
      summary.textContent = labels.summaryLabel
        .replace("{done}", done)
        .replace("{total}", total)
        .replace("{refused}", refused);
      if (total && done === total) {
        overall.value = overall.max;
        if (!refused && labels.nextUrl) {
          window.location.assign(labels.nextUrl);
        } else {
          document.getElementById("cso-upload-next").hidden = false;
        }
      }
    }

    function finish(item, ok, message) {
      active -= 1;
      done += 1;
      item.progress.value = item.progress.max;
      item.row.classList.add(ok ? "cso-upload-done" : "cso-upload-refused");
      item.row.dataset.state = ok ? "done" : "refused";
      item.status.textContent = message;
      if (!ok) {
        refused += 1;
      }
      sentBytes[item.key] = item.file.size;
      updateOverall();
      next();
    }

    function send(item) {
      active += 1;
      var data = new FormData();
      data.append("csrfmiddlewaretoken", field("csrfmiddlewaretoken"));
      data.append("caption", field("caption"));
      data.append("credit", field("credit"));
      data.append("files", item.file, item.file.name);
      var request = new XMLHttpRequest();
      request.open("POST", form.action || window.location.href);
      request.setRequestHeader("Accept", "application/json");
      request.upload.onprogress = function (event) {
        if (event.lengthComputable) {
          item.progress.max = event.total;
          item.progress.value = event.loaded;
          sentBytes[item.key] = item.file.size * (event.loaded / event.total);
          updateOverall();
        }
      };
      request.onload = function () {
        var answer = null;
        try {
          answer = JSON.parse(request.responseText);
        } catch (error) {
          answer = null;
        }
        if (request.status === 200 && answer && answer.files.length) {
          finish(item, true, labels.doneLabel);
        } else {
          var reason = answer && answer.errors && answer.errors.length ? answer.errors.join(" ") : labels.failedLabel;
          finish(item, false, reason);
        }
      };
      request.onerror = function () {
        finish(item, false, labels.failedLabel);
      };
      item.status.textContent = labels.sendingLabel;
      request.send(data);
    }

    function next() {
      while (active < PARALLEL && queue.length) {
        send(queue.shift());
      }
    }

    function add(files) {
      Array.prototype.forEach.call(files, function (file) {
        var row = document.createElement("li");
        row.className = "cso-upload-item";
        row.dataset.state = "waiting";
        var name = document.createElement("span");
        name.className = "cso-upload-name";
        name.textContent = file.name;
        var progress = document.createElement("progress");
        progress.max = file.size || 1;
        progress.value = 0;
        progress.setAttribute("aria-label", file.name);
        var status = document.createElement("span");
        status.className = "cso-upload-status";
        status.textContent = labels.waitingLabel;
        row.appendChild(name);
        row.appendChild(progress);
        row.appendChild(status);
        list.appendChild(row);
        var key = String(total);
        total += 1;
        totalBytes += file.size;
        sentBytes[key] = 0;
        queue.push({ file: file, row: row, progress: progress, status: status, key: key });
      });
      updateOverall();
      next();
    }

    zone.addEventListener("dragover", function (event) {
      event.preventDefault();
      zone.classList.add("cso-drop-active");
    });
    zone.addEventListener("dragleave", function () {
      zone.classList.remove("cso-drop-active");
    });
    zone.addEventListener("drop", function (event) {
      event.preventDefault();
      zone.classList.remove("cso-drop-active");
      if (event.dataTransfer && event.dataTransfer.files.length) {
        add(event.dataTransfer.files);
      }
    });
    input.addEventListener("change", function () {
      if (input.files.length) {
        add(input.files);
        input.value = "";
      }
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault(); // files go as soon as they are chosen or dropped
    });
  }

  function start() {
    var form = document.getElementById("cso-upload-form");
    if (form) {
      init(form);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
