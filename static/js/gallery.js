/*
 * Photo viewer for the release gallery. Without JavaScript each thumbnail is a plain link to the large
 * image; with it, the large image opens in a modal <dialog> over the page. The browser's dialog gives us
 * Escape to close, a focus trap and an inert page behind it; we only return focus to the thumbnail.
 */
(function () {
  "use strict";

  var gallery = document.querySelector(".gallery");
  if (!gallery || typeof HTMLDialogElement !== "function") {
    return;
  }

  var dialog = document.createElement("dialog");
  dialog.className = "photo-viewer";
  dialog.setAttribute("aria-label", gallery.getAttribute("data-viewer-label") || "Photo");

  var close = document.createElement("button");
  close.type = "button";
  close.className = "photo-viewer-close button";
  close.textContent = gallery.getAttribute("data-close-label") || "Close";

  var figure = document.createElement("figure");
  var image = document.createElement("img");
  image.decoding = "async";
  var caption = document.createElement("figcaption");
  figure.appendChild(image);
  figure.appendChild(caption);
  dialog.appendChild(close);
  dialog.appendChild(figure);
  document.body.appendChild(dialog);

  var opener = null;

  close.addEventListener("click", function () {
    dialog.close();
  });
  // A click on the dark backdrop (the dialog element itself, outside the photo) closes the viewer too.
  dialog.addEventListener("click", function (event) {
    if (event.target === dialog) {
      dialog.close();
    }
  });
  dialog.addEventListener("close", function () {
    image.removeAttribute("src");
    if (opener) {
      opener.focus();
      opener = null;
    }
  });

  gallery.addEventListener("click", function (event) {
    var link = event.target.closest("a.gallery-link");
    // Let the browser handle "open in new tab" and similar clicks.
    if (!link || event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) {
      return;
    }
    event.preventDefault();
    var thumb = link.querySelector("img");
    var text = link.closest("figure").querySelector("figcaption");
    image.src = link.href;
    image.alt = thumb ? thumb.alt : "";
    caption.textContent = text ? text.textContent.trim() : "";
    caption.hidden = !caption.textContent;
    opener = link;
    dialog.showModal();
    close.focus();
  });
})();
