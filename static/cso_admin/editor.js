// The one-page release editor (templates/admin/events/event/change_form.html): growing title and lead,
// "All day" without a time, the body editor's name and language, ordered picks with a search box, the
// quick-add dialogs, and the photo cards (upload at once on the change page, sent with the form on the add
// page, moved by dragging or with their arrow buttons). Ctrl+S saves and stays on the page.
(function () {
  "use strict";

  function $(selector, root) {
    return (root || document).querySelector(selector);
  }

  function $$(selector, root) {
    return Array.prototype.slice.call((root || document).querySelectorAll(selector));
  }

  function format(template, values) {
    return (template || "").replace(/\{(\w+)\}/g, function (match, key) {
      return key in values ? values[key] : match;
    });
  }

  function csrfToken() {
    var input = $("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  // Title and lead ------------------------------------------------------------------------------------------

  function grow(area) {
    area.style.height = "auto";
    area.style.height = area.scrollHeight + 2 + "px";
  }

  function initGrowing() {
    var areas = $$("textarea[data-grow]");
    function all() {
      areas.forEach(grow);
    }
    areas.forEach(function (area) {
      area.addEventListener("input", function () {
        grow(area);
      });
    });
    all();
    // Fonts and the page's width can settle after this runs.
    window.addEventListener("load", all);
    window.addEventListener("resize", all);
    var title = $("textarea.cso-title");
    if (title) {
      title.addEventListener("keydown", function (event) {
        if (event.key === "Enter") {
          event.preventDefault(); // a title is one line; it wraps on its own
        }
      });
    }
  }

  // Dates ---------------------------------------------------------------------------------------------------

  function initAllDay() {
    var box = $("#id_all_day");
    if (!box) {
      return;
    }
    function apply() {
      $$(".cso-when-time").forEach(function (part) {
        var input = $("input", part);
        part.hidden = box.checked;
        if (input) {
          input.disabled = box.checked;
        }
      });
    }
    box.addEventListener("change", apply);
    apply();
  }

  // Language and the body editor ----------------------------------------------------------------------------

  function bodyEditor() {
    return $(".cso-field--body .ProseMirror[contenteditable]");
  }

  function initLanguage() {
    var select = $("#id_language");
    function apply() {
      var language = select ? select.value : document.documentElement.lang;
      ["#id_title", "#id_lead"].forEach(function (selector) {
        var field = $(selector);
        if (field) {
          field.setAttribute("lang", language);
        }
      });
      var editor = bodyEditor();
      if (editor) {
        editor.setAttribute("lang", language);
      }
    }
    if (select) {
      select.addEventListener("change", apply);
    }
    return apply;
  }

  function initBody(applyLanguage) {
    var field = $(".cso-field--body");
    if (!field) {
      return;
    }
    function name(editor) {
      editor.setAttribute("aria-labelledby", "id_body_label");
      editor.setAttribute("aria-multiline", "true");
      editor.setAttribute("role", "textbox");
      editor.setAttribute("spellcheck", "true");
      applyLanguage();
    }
    function ready() {
      var editor = bodyEditor();
      var bar = $(".prose-menubar", field);
      if (editor && !editor.dataset.csoNamed) {
        editor.dataset.csoNamed = "1";
        name(editor);
      }
      if (bar) {
        toolbar(field);
      }
      return editor && bar;
    }
    if (!ready()) {
      var observer = new MutationObserver(function () {
        if (ready()) {
          observer.disconnect();
        }
      });
      observer.observe(field, { childList: true, subtree: true });
    }
    var label = $("#id_body_label");
    if (label) {
      label.addEventListener("click", function () {
        var editor = bodyEditor();
        if (editor) {
          editor.focus();
        }
      });
    }
  }

  // The body editor's buttons are one toolbar: one Tab stop, the arrow keys move between its buttons (the
  // ARIA toolbar pattern), so Tab goes from the lead to the text in two presses instead of twelve.
  function toolbar(field) {
    var bar = $(".prose-menubar", field);
    if (!bar || bar.dataset.csoToolbar) {
      return;
    }
    bar.dataset.csoToolbar = "1";
    bar.setAttribute("role", "toolbar");
    bar.setAttribute("aria-label", document.getElementById("cso-editor").dataset.toolbarLabel || "");
    function buttons() {
      return $$("button", bar).filter(function (button) {
        return !button.disabled && button.offsetParent !== null;
      });
    }
    function rove(current) {
      $$("button", bar).forEach(function (button) {
        button.tabIndex = button === current ? 0 : -1;
      });
    }
    rove(buttons()[0]);
    bar.addEventListener("focusin", function (event) {
      if (event.target.tagName === "BUTTON") {
        rove(event.target);
      }
    });
    bar.addEventListener("keydown", function (event) {
      var all = buttons();
      var index = all.indexOf(document.activeElement);
      var next = null;
      if (event.key === "ArrowRight") {
        next = all[(index + 1) % all.length];
      } else if (event.key === "ArrowLeft") {
        next = all[(index - 1 + all.length) % all.length];
      } else if (event.key === "Home") {
        next = all[0];
      } else if (event.key === "End") {
        next = all[all.length - 1];
      }
      if (next) {
        event.preventDefault();
        rove(next);
        next.focus();
      }
    });
  }

  // Ordered picks -------------------------------------------------------------------------------------------

  var picksByKind = {};

  function Picks(root) {
    this.root = root;
    this.list = $(".cso-picked", root);
    this.input = $(".cso-combo-input", root);
    this.options = $(".cso-combo-options", root);
    this.status = $(".cso-picks-status", root);
    this.labels = root.dataset;
    this.active = -1;
    this.request = null;
    this.timer = null;
    var self = this;
    $$(".cso-pick", this.list).forEach(function (item) {
      self.wire(item);
    });
    if (this.input) {
      this.input.addEventListener("input", function () {
        window.clearTimeout(self.timer);
        self.timer = window.setTimeout(function () {
          self.search(self.input.value);
        }, 150);
      });
      this.input.addEventListener("keydown", function (event) {
        self.key(event);
      });
      this.input.addEventListener("blur", function () {
        window.setTimeout(function () {
          if (!root.contains(document.activeElement)) {
            self.close();
          }
        }, 150);
      });
    }
    var opener = $(".cso-quick-add-open", root);
    if (opener) {
      picksByKind[opener.dataset.kind] = this;
      opener.addEventListener("click", function () {
        openQuickAdd(opener.dataset.kind, self.input ? self.input.value : "");
      });
    }
  }

  Picks.prototype.say = function (template, values) {
    if (this.status) {
      this.status.textContent = format(template, values);
    }
  };

  Picks.prototype.ids = function () {
    return $$("input[type=hidden]", this.list).map(function (input) {
      return input.value;
    });
  };

  Picks.prototype.search = function (term) {
    var self = this;
    if (!term.trim()) {
      this.close();
      return;
    }
    var query = new URLSearchParams({
      term: term,
      app_label: this.labels.appLabel,
      model_name: this.labels.modelName,
      field_name: this.labels.fieldName,
    });
    if (this.request) {
      this.request.abort();
    }
    var request = new XMLHttpRequest();
    this.request = request;
    request.open("GET", this.labels.autocompleteUrl + "?" + query.toString());
    request.setRequestHeader("Accept", "application/json");
    request.onload = function () {
      if (request.status === 200) {
        self.show(JSON.parse(request.responseText).results || []);
      }
    };
    request.send();
  };

  Picks.prototype.show = function (results) {
    var self = this;
    var taken = this.ids();
    this.options.textContent = "";
    results = results.filter(function (result) {
      return taken.indexOf(String(result.id)) === -1;
    });
    results.forEach(function (result, index) {
      var option = document.createElement("li");
      option.setAttribute("role", "option");
      option.id = self.input.id + "_option_" + index;
      option.dataset.id = result.id;
      option.textContent = result.text;
      option.addEventListener("mousedown", function (event) {
        event.preventDefault(); // keep the focus in the search box
      });
      option.addEventListener("click", function () {
        self.pick(String(result.id), result.text);
      });
      self.options.appendChild(option);
    });
    if (!results.length) {
      var none = document.createElement("li");
      none.className = "cso-combo-none";
      none.textContent = this.labels.noneLabel;
      this.options.appendChild(none);
    }
    this.options.hidden = false;
    this.input.setAttribute("aria-expanded", "true");
    this.highlight(results.length ? 0 : -1);
  };

  Picks.prototype.highlight = function (index) {
    var options = $$("[role=option]", this.options);
    this.active = index;
    options.forEach(function (option, position) {
      option.setAttribute("aria-selected", position === index ? "true" : "false");
    });
    if (index >= 0 && options[index]) {
      this.input.setAttribute("aria-activedescendant", options[index].id);
      options[index].scrollIntoView({ block: "nearest" });
    } else {
      this.input.removeAttribute("aria-activedescendant");
    }
  };

  Picks.prototype.close = function () {
    if (!this.options) {
      return;
    }
    this.options.hidden = true;
    this.options.textContent = "";
    this.input.setAttribute("aria-expanded", "false");
    this.input.removeAttribute("aria-activedescendant");
    this.active = -1;
  };

  Picks.prototype.key = function (event) {
    var options = $$("[role=option]", this.options);
    if (event.key === "ArrowDown" && options.length) {
      event.preventDefault();
      this.highlight(Math.min(this.active + 1, options.length - 1));
    } else if (event.key === "ArrowUp" && options.length) {
      event.preventDefault();
      this.highlight(Math.max(this.active - 1, 0));
    } else if (event.key === "Enter") {
      event.preventDefault(); // never submit the release from a search box
      var chosen = options[this.active];
      if (chosen && !this.options.hidden) {
        this.pick(chosen.dataset.id, chosen.textContent);
      }
    } else if (event.key === "Escape" && !this.options.hidden) {
      event.preventDefault();
      this.close();
    }
  };

  Picks.prototype.pick = function (id, text) {
    if (this.ids().indexOf(String(id)) !== -1) {
      this.close();
      return;
    }
    var item = document.createElement("li");
    item.className = "cso-pick";
    item.dataset.id = id;
    var hidden = document.createElement("input");
    hidden.type = "hidden";
    hidden.name = this.labels.name;
    hidden.value = id;
    var label = document.createElement("span");
    label.className = "cso-pick-text";
    label.textContent = text;
    var tools = document.createElement("span");
    tools.className = "cso-pick-tools";
    [
      ["cso-pick-up", "↑", this.labels.upLabel],
      ["cso-pick-down", "↓", this.labels.downLabel],
      ["cso-pick-remove", "×", this.labels.removeLabel],
    ].forEach(function (spec) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = spec[0];
      button.textContent = spec[1];
      button.title = spec[2];
      button.setAttribute("aria-label", spec[2] + ": " + text);
      tools.appendChild(button);
    });
    item.appendChild(hidden);
    item.appendChild(label);
    item.appendChild(document.createTextNode(" "));
    item.appendChild(tools);
    this.list.appendChild(item);
    this.wire(item);
    if (this.input) {
      this.input.value = "";
      this.close();
    }
    this.say(this.labels.addedLabel, { name: text });
  };

  Picks.prototype.wire = function (item) {
    var self = this;
    var text = $(".cso-pick-text", item).textContent;
    $(".cso-pick-up", item).addEventListener("click", function (event) {
      if (item.previousElementSibling) {
        self.list.insertBefore(item, item.previousElementSibling);
      }
      self.moved(item, text, event.currentTarget);
    });
    $(".cso-pick-down", item).addEventListener("click", function (event) {
      if (item.nextElementSibling) {
        self.list.insertBefore(item.nextElementSibling, item);
      }
      self.moved(item, text, event.currentTarget);
    });
    $(".cso-pick-remove", item).addEventListener("click", function () {
      item.remove();
      self.say(self.labels.removedLabel, { name: text });
      if (self.input) {
        self.input.focus();
      }
    });
  };

  Picks.prototype.moved = function (item, text, button) {
    var position = Array.prototype.indexOf.call(this.list.children, item) + 1;
    this.say(this.labels.movedLabel, { name: text, position: position });
    button.focus();
  };

  // Quick add -----------------------------------------------------------------------------------------------

  function openQuickAdd(kind, text) {
    var dialog = document.getElementById("cso-quick-add-" + kind);
    if (!dialog) {
      return;
    }
    var form = $("form", dialog);
    form.reset();
    resetQuickAdd(dialog);
    var name = $("input[name$='-name']", form);
    if (name && text) {
      name.value = text;
    }
    dialog.showModal();
    if (name) {
      name.focus();
    }
  }

  function resetQuickAdd(dialog) {
    $(".cso-quick-add-errors", dialog).hidden = true;
    $$(".errorlist[data-field]", dialog).forEach(function (list) {
      list.hidden = true;
      list.textContent = "";
    });
    $(".cso-quick-add-duplicates", dialog).hidden = true;
    $(".cso-quick-add-anyway", dialog).hidden = true;
  }

  function initQuickAdd() {
    $$("dialog.cso-quick-add").forEach(function (dialog) {
      var form = $("form", dialog);
      var kind = dialog.dataset.kind;
      $(".cso-quick-add-cancel", dialog).addEventListener("click", function () {
        dialog.close();
      });
      dialog.addEventListener("close", function () {
        var picks = picksByKind[kind];
        if (picks && picks.input) {
          picks.input.focus();
        }
      });
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        var data = new FormData(form);
        if (event.submitter && event.submitter.name === "create_anyway") {
          data.append("create_anyway", "1");
        }
        resetQuickAdd(dialog);
        var request = new XMLHttpRequest();
        request.open("POST", form.action);
        request.setRequestHeader("Accept", "application/json");
        request.setRequestHeader("X-CSRFToken", csrfToken());
        request.onload = function () {
          var answer = {};
          try {
            answer = JSON.parse(request.responseText);
          } catch (error) {
            answer = { errors: { __all__: [request.statusText] } };
          }
          if (answer.id) {
            use(answer.id, answer.text);
          } else if (answer.duplicates) {
            duplicates(answer.duplicates);
          } else {
            errors(answer.errors || {});
          }
        };
        request.send(data);
      });

      function use(id, text) {
        var picks = picksByKind[kind];
        dialog.close();
        if (picks) {
          picks.pick(String(id), text);
        }
      }

      function duplicates(rows) {
        var box = $(".cso-quick-add-duplicates", dialog);
        var list = $("ul", box);
        list.textContent = "";
        rows.forEach(function (row) {
          var item = document.getElementById("cso-use-this-one").content.firstElementChild.cloneNode(true);
          $(".cso-dup-text", item).textContent = row.text;
          $(".cso-use-this", item).addEventListener("click", function () {
            use(row.id, row.text);
          });
          list.appendChild(item);
        });
        box.hidden = false;
        $(".cso-quick-add-anyway", dialog).hidden = false;
        var first = $(".cso-use-this", list);
        if (first) {
          first.focus();
        }
      }

      function errors(found) {
        var general = $(".cso-quick-add-errors", dialog);
        var firstField = null;
        Object.keys(found).forEach(function (field) {
          var list = $(".errorlist[data-field='" + field + "']", dialog);
          var target = list || general;
          if (target === general) {
            general.textContent = found[field].join(" ");
          } else {
            found[field].forEach(function (message) {
              var item = document.createElement("li");
              item.textContent = message;
              list.appendChild(item);
            });
            firstField = firstField || $("[name$='-" + field + "']", dialog);
          }
          target.hidden = false;
        });
        if (firstField) {
          firstField.focus();
        }
      }
    });
  }

  // Photos --------------------------------------------------------------------------------------------------

  function initPhotos() {
    var section = $("#cso-photos");
    if (!section || section.hasAttribute("data-readonly")) {
      return;
    }
    var labels = section.dataset;
    var cards = $("#cso-cards");
    var documents = $("#cso-documents");
    var input = $("#cso-files");
    var drop = $("#cso-drop");
    var status = $("#cso-photos-status");
    var uploads = $("#cso-upload-list");
    var adding = labels.mode === "add";
    var chosen = []; // add page: the files that go with the form

    function say(text) {
      if (status) {
        status.textContent = text;
      }
    }

    function renumber() {
      $$(".cso-card-position", section).forEach(function (position, index) {
        position.value = index;
      });
    }

    function move(card, earlier, button) {
      var list = card.parentNode;
      if (earlier && card.previousElementSibling) {
        list.insertBefore(card, card.previousElementSibling);
      } else if (!earlier && card.nextElementSibling) {
        list.insertBefore(card.nextElementSibling, card);
      }
      renumber();
      if (adding) {
        syncChosen();
      }
      var position = Array.prototype.indexOf.call(list.children, card) + 1;
      say(format(labels.movedLabel, { name: card.dataset.name, position: position }));
      button.focus();
    }

    function wire(card) {
      card.draggable = true;
      var earlier = $(".cso-move-earlier", card);
      var later = $(".cso-move-later", card);
      if (earlier) {
        earlier.addEventListener("click", function () {
          move(card, true, earlier);
        });
      }
      if (later) {
        later.addEventListener("click", function () {
          move(card, false, later);
        });
      }
      card.addEventListener("dragstart", function (event) {
        card.classList.add("cso-card--dragging");
        event.dataTransfer.effectAllowed = "move";
        event.dataTransfer.setData("text/plain", card.dataset.name || "");
      });
      card.addEventListener("dragend", function () {
        card.classList.remove("cso-card--dragging");
        renumber();
        if (adding) {
          syncChosen();
        }
      });
    }

    [cards, documents].forEach(function (list) {
      if (!list) {
        return;
      }
      $$(".cso-card", list).forEach(wire);
      list.addEventListener("dragover", function (event) {
        var dragged = $(".cso-card--dragging", list);
        if (!dragged) {
          return;
        }
        event.preventDefault();
        var over = event.target.closest ? event.target.closest(".cso-card") : null;
        if (over && over !== dragged && over.parentNode === list) {
          var box = over.getBoundingClientRect();
          var after = event.clientX > box.left + box.width / 2;
          list.insertBefore(dragged, after ? over.nextElementSibling : over);
        }
      });
    });

    // The change page: each file goes to the upload endpoint on its own and comes back as a card.
    function cardFor(file, index) {
      var template = document.getElementById("cso-card-template");
      var html = template.innerHTML.replace(/__prefix__/g, index);
      var holder = document.createElement("div");
      holder.innerHTML = html.trim();
      var card = holder.firstElementChild;
      card.dataset.name = file.name;
      $(".cso-card-name", card).textContent = file.name;
      var prefix = labels.prefix + "-" + index + "-";
      $("[name='" + prefix + "id']", card).value = file.id;
      $("[name='" + prefix + "seen_state']", card).value = file.seen_state || "";
      $("[name='" + prefix + "caption']", card).value = file.caption || "";
      $("[name='" + prefix + "credit']", card).value = file.credit || "";
      var alt = $("[name='" + prefix + "alt_text']", card);
      alt.value = file.alt_text || "";
      var cover = $("input[name=cover]", card);
      var state = $(".cso-photo-state", card);
      if (file.kind === "photo") {
        cover.value = file.id;
        state.dataset.photoId = file.id;
        state.dataset.statesUrl = labels.uploadUrl.replace(/upload\/$/, "states/");
        state.dataset.state = file.state;
        $(".cso-processing", state).textContent = labels.processingLabel;
        if (file.state === "ready" && file.thumbnail) {
          state.textContent = "";
          var image = document.createElement("img");
          image.src = file.thumbnail;
          image.alt = "";
          image.className = "cso-attachment-thumb";
          if (file.width) {
            image.width = file.width;
            image.height = file.height;
          }
          state.appendChild(image);
        }
      } else {
        card.classList.add("cso-card--document");
        cover.closest("label").remove();
        alt.closest(".cso-field").hidden = true;
        state.textContent = "";
      }
      return card;
    }

    function addUploaded(file) {
      var total = $("#id_" + labels.prefix + "-TOTAL_FORMS");
      var initial = $("#id_" + labels.prefix + "-INITIAL_FORMS");
      var index = parseInt(total.value, 10);
      var card = cardFor(file, index);
      total.value = index + 1;
      initial.value = parseInt(initial.value, 10) + 1;
      (file.kind === "photo" ? cards : documents).appendChild(card);
      wire(card);
      renumber();
      if (window.csoPhotoStates) {
        window.csoPhotoStates.watch();
      }
    }

    function upload(files) {
      var queue = Array.prototype.slice.call(files);
      function next() {
        var file = queue.shift();
        if (!file) {
          return;
        }
        var row = document.createElement("li");
        row.textContent = format(labels.sendingLabel, { name: file.name });
        uploads.appendChild(row);
        var data = new FormData();
        data.append("csrfmiddlewaretoken", csrfToken());
        data.append("files", file, file.name);
        var request = new XMLHttpRequest();
        request.open("POST", labels.uploadUrl);
        request.setRequestHeader("Accept", "application/json");
        request.onload = function () {
          var answer = null;
          try {
            answer = JSON.parse(request.responseText);
          } catch (error) {
            answer = null;
          }
          if (request.status === 200 && answer && answer.files.length) {
            row.remove();
            answer.files.forEach(addUploaded);
          } else {
            var reason = answer && answer.errors ? answer.errors.join(" ") : request.statusText;
            row.textContent = format(labels.failedLabel, { name: file.name, reason: reason });
            row.className = "errornote";
          }
          next();
        };
        request.onerror = function () {
          row.textContent = format(labels.failedLabel, { name: file.name, reason: request.statusText });
          row.className = "errornote";
          next();
        };
        request.send(data);
      }
      next();
    }

    // The add page: the chosen files stay in the form's file input and are sent with Save; each gets a card
    // for its caption, credit, alt text and the lead-image choice, in the order they will be stored.
    function syncChosen() {
      var order = $$(".cso-card", cards)
        .concat($$(".cso-card", documents))
        .map(function (card) {
          return chosen[parseInt(card.dataset.index, 10)];
        });
      var transfer = new DataTransfer();
      order.forEach(function (file) {
        transfer.items.add(file);
      });
      input.files = transfer.files;
      $$(".cso-card input[name=new_cover]", section).forEach(function (radio) {
        radio.value = order.indexOf(chosen[parseInt(radio.closest(".cso-card").dataset.index, 10)]);
      });
    }

    function field(card, labelText, name, multiline) {
      var wrapper = document.createElement("div");
      wrapper.className = "cso-field";
      var control = document.createElement(multiline ? "textarea" : "input");
      control.name = name;
      control.id = "id_" + name + "_" + card.dataset.index;
      if (multiline) {
        control.rows = 2;
        control.setAttribute("spellcheck", "true");
      } else {
        control.type = "text";
      }
      var label = document.createElement("label");
      label.htmlFor = control.id;
      label.textContent = labelText;
      wrapper.appendChild(label);
      wrapper.appendChild(control);
      return wrapper;
    }

    function previewCard(file, index) {
      var card = document.createElement("li");
      var photo = /^image\//.test(file.type);
      card.className = "cso-card" + (photo ? "" : " cso-card--document");
      card.dataset.index = index;
      card.dataset.name = file.name;
      var thumb = document.createElement("div");
      thumb.className = "cso-card-thumb";
      if (photo) {
        var image = document.createElement("img");
        image.src = URL.createObjectURL(file);
        image.alt = "";
        image.className = "cso-attachment-thumb";
        thumb.appendChild(image);
      }
      card.appendChild(thumb);
      var name = document.createElement("p");
      name.className = "cso-card-name";
      name.textContent = file.name;
      card.appendChild(name);
      var fields = document.createElement("div");
      fields.className = "cso-card-fields";
      if (photo) {
        fields.appendChild(field(card, labels.altLabel, "new_alt", true));
      } else {
        var altHidden = document.createElement("input");
        altHidden.type = "hidden";
        altHidden.name = "new_alt";
        fields.appendChild(altHidden);
      }
      fields.appendChild(field(card, labels.captionLabel, "new_caption", true));
      fields.appendChild(field(card, labels.creditLabel, "new_credit", false));
      card.appendChild(fields);
      var tools = document.createElement("div");
      tools.className = "cso-card-tools";
      if (photo) {
        var coverLabel = document.createElement("label");
        coverLabel.className = "cso-card-cover";
        var cover = document.createElement("input");
        cover.type = "radio";
        cover.name = "new_cover";
        coverLabel.appendChild(cover);
        coverLabel.appendChild(document.createTextNode(" " + labels.coverLabel));
        tools.appendChild(coverLabel);
      }
      [
        ["cso-move-earlier", "←", labels.earlierLabel],
        ["cso-move-later", "→", labels.laterLabel],
        ["cso-card-drop", "×", labels.removeLabel],
      ].forEach(function (spec) {
        var button = document.createElement("button");
        button.type = "button";
        button.className = "button " + spec[0];
        button.textContent = spec[1];
        button.title = spec[2];
        button.setAttribute("aria-label", spec[2] + ": " + file.name);
        tools.appendChild(button);
      });
      card.appendChild(tools);
      $(".cso-card-drop", card).addEventListener("click", function () {
        card.remove();
        syncChosen();
      });
      return card;
    }

    function choose(files) {
      Array.prototype.forEach.call(files, function (file) {
        var index = chosen.length;
        chosen.push(file);
        var card = previewCard(file, index);
        (/^image\//.test(file.type) ? cards : documents).appendChild(card);
        wire(card);
      });
      syncChosen();
    }

    function take(files) {
      if (!files || !files.length) {
        return;
      }
      if (adding) {
        choose(files);
      } else if (labels.uploadUrl) {
        upload(files);
      }
    }

    if (input) {
      input.addEventListener("change", function () {
        if (adding) {
          var fresh = Array.prototype.filter.call(input.files, function (file) {
            return chosen.indexOf(file) === -1;
          });
          choose(fresh);
        } else {
          var files = Array.prototype.slice.call(input.files);
          input.value = "";
          take(files);
        }
      });
    }
    if (drop) {
      [section].forEach(function (zone) {
        zone.addEventListener("dragover", function (event) {
          if (event.dataTransfer && Array.prototype.indexOf.call(event.dataTransfer.types, "Files") !== -1) {
            event.preventDefault();
            drop.classList.add("cso-drop--active");
          }
        });
        zone.addEventListener("dragleave", function () {
          drop.classList.remove("cso-drop--active");
        });
        zone.addEventListener("drop", function (event) {
          if (event.dataTransfer && event.dataTransfer.files.length) {
            event.preventDefault();
            drop.classList.remove("cso-drop--active");
            take(event.dataTransfer.files);
          }
        });
      });
    }
  }

  // Ctrl+S --------------------------------------------------------------------------------------------------

  function initSaveShortcut() {
    document.addEventListener("keydown", function (event) {
      if ((event.ctrlKey || event.metaKey) && (event.key === "s" || event.key === "S")) {
        var save = $("#event_form input[name=_continue]") || $("#event_form input[type=submit]");
        if (save) {
          event.preventDefault();
          save.click();
        }
      }
    });
  }

  function start() {
    if (!document.getElementById("cso-editor")) {
      return;
    }
    initGrowing();
    initAllDay();
    initBody(initLanguage());
    $$(".cso-picks").forEach(function (root) {
      new Picks(root);
    });
    initQuickAdd();
    initPhotos();
    initSaveShortcut();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
