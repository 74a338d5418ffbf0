// Progressive enhancement for the results page: changing a priority recalculates the
// roadmap at once. Without JavaScript the "Recalculate" button posts the same form.
(function () {
  "use strict";
  var form = document.getElementById("priorities-form");
  if (!form || !window.fetch || !window.DOMParser) { return; }
  var status = document.getElementById("recalc-status");
  var busy = false;
  var pending = false;  // a change made while a request was under way: send again afterwards

  function swap(html) {
    var doc = new DOMParser().parseFromString(html, "text/html");
    ["results-top", "roadmap-phases"].forEach(function (id) {
      var fresh = doc.getElementById(id);
      var current = document.getElementById(id);
      if (fresh && current) { current.replaceWith(fresh); }
    });
    var token = doc.querySelector("#priorities-form input[name=csrf_token]");
    var mine = form.querySelector("input[name=csrf_token]");
    if (token && mine) { mine.value = token.value; }
  }

  function recalculate() {
    if (busy) { pending = true; return; }
    busy = true;
    pending = false;
    status.textContent = status.getAttribute("data-working");
    fetch(form.action, { method: "POST", body: new FormData(form), credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.text();
      })
      .then(function (html) {
        swap(html);
        if (!pending) { status.textContent = status.getAttribute("data-done"); }
      })
      .catch(function () {
        form.submit();  // fall back to the plain form post
      })
      .then(function () {
        busy = false;
        if (pending) { recalculate(); }
      });
  }

  form.addEventListener("change", recalculate);
})();
