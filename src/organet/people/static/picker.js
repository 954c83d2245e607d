// The person picker: fills the <datalist> of every input[data-person-picker] with people as you type.
// Without this script the field is a plain username field, and the form still works.
(function () {
  "use strict";
  if (window.organetPersonPicker) { return; }
  window.organetPersonPicker = true;

  function attach(input) {
    var list = document.getElementById(input.getAttribute("list"));
    var status = document.getElementById(input.id + "-status");
    var endpoint = input.getAttribute("data-person-picker");
    var timer = null, latest = 0;
    if (!list || !endpoint) { return; }
    input.addEventListener("input", function () {
      clearTimeout(timer);
      var q = input.value.trim();
      if (q.length < 2) { list.textContent = ""; return; }
      timer = setTimeout(function () {
        var ticket = ++latest;
        fetch(endpoint + "?q=" + encodeURIComponent(q), {credentials: "same-origin", headers: {"Accept": "application/json"}})
          .then(function (r) { return r.ok ? r.json() : {items: []}; })
          .then(function (data) {
            if (ticket !== latest) { return; }
            list.textContent = "";
            (data.items || []).forEach(function (item) {
              var option = document.createElement("option");
              option.value = item.username;
              option.label = item.name + (item.department ? " · " + item.department : "");
              option.textContent = option.label;
              list.appendChild(option);
            });
            if (status) { status.textContent = (status.getAttribute("data-found") || "") + " " + (data.items || []).length; }
          })
          .catch(function () { /* the plain field still works */ });
      }, 150);
    });
  }

  function start() {
    document.querySelectorAll("input[data-person-picker]").forEach(attach);
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
