// Reordering photos on the "Describe and order photos" page: drag a row by its handle, or use the
// "Move up" / "Move down" buttons (keyboard and screen readers). Either way the Position fields are
// renumbered 1, 2, 3… in the order shown, and Save stores that order. Without JavaScript the Position
// fields still work as typed numbers.
(function () {
  "use strict";

  function init(table) {
    var body = table.tBodies[0];
    if (!body) {
      return;
    }
    var labels = table.dataset;
    var status = document.getElementById("cso-reorder-status");
    var dragged = null;

    function rows() {
      return Array.prototype.slice.call(body.querySelectorAll("tr.cso-media-row"));
    }

    function positionOf(row) {
      var field = row.querySelector("input[name$='-position']");
      var value = field ? parseInt(field.value, 10) : NaN;
      return isNaN(value) ? Number.MAX_SAFE_INTEGER : value;
    }

    function updateButtons() {
      var list = rows();
      list.forEach(function (row, index) {
        row.querySelector(".cso-move-up").disabled = index === 0;
        row.querySelector(".cso-move-down").disabled = index === list.length - 1;
      });
    }

    function renumber(moved) {
      rows().forEach(function (row, index) {
        var field = row.querySelector("input[name$='-position']");
        if (field) {
          field.value = String(index + 1);
        }
      });
      updateButtons();
      if (moved && status) {
        var position = rows().indexOf(moved) + 1;
        status.textContent = labels.movedLabel.replace("{name}", moved.dataset.originalName)
          .replace("{position}", String(position));
      }
    }

    function move(row, step) {
      var list = rows();
      var target = list[list.indexOf(row) + step];
      if (!target) {
        return;
      }
      body.insertBefore(row, step < 0 ? target : target.nextSibling);
      renumber(row);
    }

    // A button moving ``row`` by ``step``; focus stays on it, or on its twin once it reaches an end.
    function moveButton(row, className, arrow, label, step) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = className;
      button.textContent = arrow;
      button.setAttribute("aria-label", label + ": " + row.dataset.originalName);
      button.addEventListener("click", function () {
        move(row, step);
        (button.disabled ? row.querySelector(step < 0 ? ".cso-move-down" : ".cso-move-up") : button).focus();
      });
      return button;
    }

    rows().forEach(function (row) {
      var cell = row.querySelector("td.cso-reorder");
      var handle = document.createElement("span");
      handle.className = "cso-drag-handle";
      handle.setAttribute("aria-hidden", "true");
      handle.title = labels.dragLabel;
      handle.textContent = "⠿";
      var up = moveButton(row, "cso-move-up", "↑", labels.upLabel, -1);
      var down = moveButton(row, "cso-move-down", "↓", labels.downLabel, 1);
      cell.prepend(handle, up, down);

      row.draggable = true;
      row.addEventListener("dragstart", function (event) {
        dragged = row;
        row.classList.add("cso-dragging");
        event.dataTransfer.effectAllowed = "move";
        event.dataTransfer.setData("text/plain", row.dataset.originalName);
      });
      row.addEventListener("dragend", function () {
        row.classList.remove("cso-dragging");
        dragged = null;
      });
      row.addEventListener("dragover", function (event) {
        if (dragged && dragged !== row) {
          event.preventDefault();
          event.dataTransfer.dropEffect = "move";
        }
      });
      row.addEventListener("drop", function (event) {
        if (!dragged || dragged === row) {
          return;
        }
        event.preventDefault();
        var box = row.getBoundingClientRect();
        var after = event.clientY > box.top + box.height / 2;
        body.insertBefore(dragged, after ? row.nextSibling : row);
        renumber(dragged);
      });
    });
    // Show the rows in the order their Position fields say (after a failed save these are the numbers the
    // editor typed), without changing any number until a row is moved.
    rows()
      .map(function (row, index) { return { row: row, index: index, position: positionOf(row) }; })
      .sort(function (a, b) { return a.position - b.position || a.index - b.index; })
      .forEach(function (item) { body.appendChild(item.row); });
    updateButtons();
  }

  document.querySelectorAll("table.cso-media-table[data-reorder]").forEach(init);
})();
