// The projector view of a guided session: keyboard navigation and live answers.
// Without JavaScript the page works by its links, buttons and reloading.
(function () {
  "use strict";
  var view = document.querySelector(".projector-view");
  if (!view) { return; }

  function typing(target) {
    var tag = target && target.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || (target && target.isContentEditable);
  }

  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey || typing(event.target)) { return; }
    var link = null;
    if (event.key === "ArrowLeft") { link = document.getElementById("previous-question"); }
    if (event.key === "ArrowRight") { link = document.getElementById("next-question"); }
    if (link) { event.preventDefault(); window.location.assign(link.href); return; }
    if (event.key === "r" || event.key === "R") {
      var button = document.querySelector('#reveal-form [data-reveal="show"]');
      if (button) { event.preventDefault(); button.form.submit(); }
    }
  });

  // Poll the cheap version endpoint; when something changed, refresh the live part only,
  // so nothing typed into the forms is lost.
  var url = view.getAttribute("data-version-url");
  var busy = false;
  function refresh() {
    if (busy || document.hidden) { return; }
    busy = true;
    fetch(url, { credentials: "same-origin", cache: "no-store" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data || data.version === view.getAttribute("data-version")) { return null; }
        return fetch(window.location.href, { credentials: "same-origin", cache: "no-store" })
          .then(function (response) { return response.ok ? response.text() : null; })
          .then(function (html) {
            if (!html) { return; }
            var page = new DOMParser().parseFromString(html, "text/html");
            var fresh = page.getElementById("live");
            var live = document.getElementById("live");
            var freshView = page.querySelector(".projector-view");
            if (fresh && live) { live.innerHTML = fresh.innerHTML; }
            if (freshView) { view.setAttribute("data-version", freshView.getAttribute("data-version")); }
          });
      })
      .catch(function () { /* offline for a moment: try again at the next tick */ })
      .then(function () { busy = false; });
  }
  window.setInterval(refresh, 2000);
})();
