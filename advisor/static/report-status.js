// While a report is being made, ask the server quietly instead of reloading the page:
// the message in the status region changes (screen readers announce it), and when the
// report is ready a download button appears. Without JavaScript the page reloads itself.
(function () {
  var box = document.getElementById("report-status");
  if (!box || !box.getAttribute("data-poll") || !window.fetch) { return; }
  var message = document.getElementById("report-message");
  var url = box.getAttribute("data-poll");
  var interval = parseInt(box.getAttribute("data-interval"), 10) || 3000;
  var last = message.textContent.trim();
  function done(status) {
    var progress = box.querySelector("progress");
    if (progress) { progress.parentNode.remove(); }
    Array.prototype.forEach.call(box.querySelectorAll(".hint, .no-script-only"), function (node) { node.remove(); });
    if (status === "ready") {
      var link = document.createElement("a");
      link.className = "button";
      link.id = "report-download";
      link.href = box.getAttribute("data-download");
      link.textContent = box.getAttribute("data-download-label");
      var paragraph = document.createElement("p");
      paragraph.appendChild(link);
      box.appendChild(paragraph);
    } else {
      window.location.reload(); // a failure: the page explains what to do instead
    }
  }
  function ask() {
    fetch(url, { headers: { "Accept": "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (data === null) { window.setTimeout(ask, interval * 2); return; }
        if (data.message !== last) { message.textContent = data.message; last = data.message; }
        if (data.status === "ready" || data.status === "failed") { done(data.status); }
        else { window.setTimeout(ask, interval); }
      })
      .catch(function () { window.setTimeout(ask, interval * 2); });
  }
  box.querySelectorAll(".no-script-only").forEach(function (node) { node.hidden = true; });
  window.setTimeout(ask, interval);
})();
