// Adds a "copy" button next to the personal link. Without JavaScript the text area
// still shows the whole link, and Ctrl+A / Ctrl+C copy it.
(function () {
  var field = document.getElementById("resume-url");
  var status = document.getElementById("copy-status");
  if (!field || !status) { return; }
  function copied() { status.textContent = status.getAttribute("data-done"); }
  var button = document.createElement("button");
  button.type = "button";
  button.className = "button secondary";
  button.textContent = status.getAttribute("data-label");
  button.addEventListener("click", function () {
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(field.value).then(copied);
    } else {
      field.select();
      if (document.execCommand("copy")) { copied(); }
    }
  });
  field.addEventListener("focus", function () { field.select(); });
  status.parentNode.insertBefore(button, status);
})();
