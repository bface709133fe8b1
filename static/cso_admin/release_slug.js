/* The release's slug, filled from its title by the site's rule (events/models/slugs.py, release_slug): Cyrillic
   spelled in Latin letters, anything but letters, digits, "_" and "-" dropped, words joined by "-", and the
   words that fit data-slug-max kept whole. The slug follows the title on a new release until the editor
   types in the slug box; a stored release keeps its address. */
(function () {
  "use strict";

  var EDGES = /^[-_]+|[-_]+$/g;

  function slugify(text, letters) {
    var spelled = Array.from(text.toLowerCase())
      .map(function (letter) { return Object.prototype.hasOwnProperty.call(letters, letter) ? letters[letter] : letter; })
      .join("");
    var ascii = spelled.normalize("NFKD").replace(/[^\x00-\x7f]/g, "").toLowerCase();
    return ascii.replace(/[^\w\s-]/g, "").replace(/[-\s]+/g, "-").replace(EDGES, "");
  }

  function shorten(slug, maxLength) {
    if (slug.length <= maxLength) { return slug; }
    var head = slug.slice(0, maxLength + 1);
    var cut = head.lastIndexOf("-");
    head = cut >= 0 ? head.slice(0, cut) : head.slice(0, maxLength);
    return head.slice(0, maxLength).replace(EDGES, "");
  }

  function releaseSlug(title, letters, maxLength) {
    return shorten(slugify(title, letters), maxLength) || "release";
  }

  function follow(slugInput) {
    var title = document.getElementById(slugInput.dataset.slugFrom);
    if (!title) { return; }
    var letters = JSON.parse(slugInput.dataset.slugLetters);
    var maxLength = parseInt(slugInput.dataset.slugMax, 10);
    var own = slugInput.value !== "";
    slugInput.addEventListener("input", function () { own = slugInput.value !== ""; });
    title.addEventListener("input", function () {
      if (!own) { slugInput.value = title.value.trim() ? releaseSlug(title.value, letters, maxLength) : ""; }
    });
  }

  window.csoReleaseSlug = releaseSlug;
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("input[data-slug-from]").forEach(follow);
  });
}());
