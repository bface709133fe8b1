// Photo states in the admin (describe page, the release editor's photo cards): while any photo is
// "processing", ask the states endpoint every two seconds and swap in the thumbnail when it is ready, or
// "Failed: <reason>" when it failed, without the editor reloading. Without JavaScript a reload shows the same.
(function () {
  "use strict";

  var INTERVAL = 2000;
  var SLOW_INTERVAL = 10000; // after five minutes of waiting (a long queue), ask less often
  var polls = 0;
  var polling = false;

  function interval() {
    polls += 1;
    return polls > 150 ? SLOW_INTERVAL : INTERVAL;
  }

  function cells() {
    return Array.prototype.slice.call(document.querySelectorAll(".cso-photo-state[data-photo-id]"));
  }

  function processing() {
    return cells().filter(function (cell) {
      return cell.dataset.state === "processing";
    });
  }

  function show(cell, photo) {
    cell.dataset.state = photo.state;
    cell.textContent = "";
    if (photo.state === "ready" && photo.thumbnail) {
      var image = document.createElement("img");
      image.src = photo.thumbnail;
      image.alt = "";
      image.className = "cso-attachment-thumb";
      if (photo.width) {
        image.width = photo.width;
        image.height = photo.height;
      }
      cell.appendChild(image);
    } else if (photo.state === "failed") {
      var text = document.createElement("span");
      text.className = "cso-failed";
      text.setAttribute("role", "alert");
      text.textContent = (cell.dataset.failedLabel || "Failed: {reason}").replace("{reason}", photo.error || "");
      cell.appendChild(text);
      if (cell.dataset.retryLabel && document.getElementById("cso-retry-" + photo.id)) {
        var button = document.createElement("button");
        button.type = "submit";
        button.className = "button cso-retry";
        button.setAttribute("form", "cso-retry-" + photo.id);
        button.textContent = cell.dataset.retryLabel;
        cell.appendChild(document.createTextNode(" "));
        cell.appendChild(button);
      }
    }
  }

  function poll() {
    var waiting = processing();
    if (!waiting.length) {
      polling = false;
      return;
    }
    polling = true;
    var request = new XMLHttpRequest();
    request.open("GET", waiting[0].dataset.statesUrl);
    request.setRequestHeader("Accept", "application/json");
    request.onload = function () {
      if (request.status === 200) {
        var byId = {};
        JSON.parse(request.responseText).photos.forEach(function (photo) {
          byId[photo.id] = photo;
        });
        processing().forEach(function (cell) {
          var photo = byId[cell.dataset.photoId];
          if (photo && photo.state !== "processing") {
            show(cell, photo);
          }
        });
      }
      window.setTimeout(poll, interval());
    };
    request.onerror = function () {
      window.setTimeout(poll, SLOW_INTERVAL);
    };
    request.send();
  }

  function start() {
    if (processing().length && !polling) {
      polling = true;
      window.setTimeout(poll, INTERVAL);
    }
  }

  // The release editor adds cards for new uploads; it calls this so their states are followed too.
  window.csoPhotoStates = { watch: start };

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
