/* The review grid's cell forms, sent without reloading the page: the server answers with the
   cell alone (or the French message of a refusal), which takes the old cell's place.
   Without JavaScript each form posts normally and the page comes back on the cell. */
(function () {
  "use strict";
  var script = document.currentScript;
  var failed = (script && script.getAttribute("data-failed")) || "";
  var offline = (script && script.getAttribute("data-offline")) || "";
  var forms = document.querySelectorAll("form.cell-form[data-in-place]");
  if (!forms.length || !window.fetch || !window.FormData) { return; }

  function fragment(html) {
    var template = document.createElement("template");
    template.innerHTML = html.trim();
    return template.content.firstElementChild;
  }

  function showMessage(cell, element) {
    var old = cell.querySelector(".cell-status");
    if (old) { old.remove(); }
    var form = cell.querySelector("form.cell-form");
    (form || cell).appendChild(element);
  }

  function send(event) {
    var form = event.currentTarget;
    var cell = form.closest("td");
    event.preventDefault();
    var button = form.querySelector("button[type=submit]");
    if (button) { button.disabled = true; }
    var x = window.scrollX, y = window.scrollY;
    fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      headers: { "X-Requested-With": "fetch", "Accept": "text/html" }
    }).then(function (response) {
      return response.text().then(function (html) {
        var element = fragment(html);
        if (response.ok && element && element.tagName === "TD" && element.id === cell.id) {
          cell.replaceWith(element);
          element.querySelectorAll("form.cell-form[data-in-place]").forEach(listen);
          var status = element.querySelector(".cell-status");
          if (status) { status.setAttribute("tabindex", "-1"); }
        } else if (element && element.classList.contains("cell-status")) {
          showMessage(cell, element);
        } else {
          var error = document.createElement("p");
          error.className = "cell-status";
          error.setAttribute("role", "alert");
          error.textContent = failed + " (" + response.status + ")";
          showMessage(cell, error);
        }
        window.scrollTo(x, y);
      });
    }).catch(function () {
      var error = document.createElement("p");
      error.className = "cell-status";
      error.setAttribute("role", "alert");
      error.textContent = offline;
      showMessage(cell, error);
    }).finally(function () {
      if (button) { button.disabled = false; }
    });
  }

  function listen(form) { form.addEventListener("submit", send); }
  forms.forEach(listen);
}());
