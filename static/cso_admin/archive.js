// The admin's Archive page: each running job's row asks its progress address every second and shows the
// figures, until the job has finished; then the download link (or the failure message) appears. The texts
// come translated from the server; without JavaScript, reloading the page shows the same figures.
(function () {
  "use strict";

  var INTERVAL = 1000;

  function show(row, status) {
    row.querySelector(".cso-archive-state").textContent = status.state_label;
    row.querySelector(".cso-archive-text").textContent = status.text;
    var bar = row.querySelector(".cso-archive-bar");
    bar.value = status.percent;
    bar.textContent = status.percent + "%";
    row.querySelector(".cso-archive-message").textContent = status.message;
    var link = row.querySelector(".cso-archive-download");
    if (status.download_url) {
      link.href = status.download_url;
      link.hidden = false;
    }
  }

  function watch(row) {
    var url = row.dataset.progressUrl;
    function poll() {
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) {
          if (!response.ok) {
            throw new Error(String(response.status));
          }
          return response.json();
        })
        .then(function (status) {
          show(row, status);
          if (status.finished) {
            row.removeAttribute("data-progress-url");
            row.dataset.finished = "1";
          } else {
            window.setTimeout(poll, INTERVAL);
          }
        })
        .catch(function () {
          window.setTimeout(poll, INTERVAL * 5);
        });
    }
    poll();
  }

  function init() {
    document.querySelectorAll(".cso-archive-job[data-progress-url]").forEach(watch);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
