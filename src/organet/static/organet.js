// organet's own script: progressive enhancement only. Every page works without it.
(function () {
  "use strict";

  // Results as you type for any <input data-suggest="/url">; the plain form still works without this.
  function attachSuggest(input) {
    var list = document.createElement("ul");
    var listId = input.id + "-suggestions";
    list.className = "suggestions";
    list.id = listId;
    list.setAttribute("role", "listbox");
    list.hidden = true;
    input.parentNode.appendChild(list);
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", listId);
    var timer = null, active = -1, latest = 0;

    function close() { list.hidden = true; input.setAttribute("aria-expanded", "false"); active = -1; }
    function show(items) {
      list.textContent = "";
      items.forEach(function (item, index) {
        var li = document.createElement("li");
        li.id = listId + "-" + index;
        li.setAttribute("role", "option");
        var a = document.createElement("a");
        a.href = item.url;
        a.textContent = item.title + (item.kind ? " · " + item.kind : "");
        li.appendChild(a);
        list.appendChild(li);
      });
      list.hidden = items.length === 0;
      input.setAttribute("aria-expanded", items.length ? "true" : "false");
    }
    function highlight(index) {
      var options = list.querySelectorAll("li");
      options.forEach(function (o) { o.setAttribute("aria-selected", "false"); });
      if (index >= 0 && index < options.length) {
        options[index].setAttribute("aria-selected", "true");
        input.setAttribute("aria-activedescendant", options[index].id);
      }
      active = index;
    }
    input.addEventListener("input", function () {
      clearTimeout(timer);
      var q = input.value.trim();
      if (q.length < 2) { close(); return; }
      timer = setTimeout(function () {
        var ticket = ++latest;
        fetch(input.dataset.suggest + "?q=" + encodeURIComponent(q), { headers: { Accept: "application/json" } })
          .then(function (r) { return r.ok ? r.json() : { items: [] }; })
          .then(function (data) { if (ticket === latest) show(data.items || []); })
          .catch(close);
      }, 120);
    });
    input.addEventListener("keydown", function (event) {
      var count = list.querySelectorAll("li").length;
      if (event.key === "ArrowDown" && count) { event.preventDefault(); highlight((active + 1) % count); }
      else if (event.key === "ArrowUp" && count) { event.preventDefault(); highlight((active - 1 + count) % count); }
      else if (event.key === "Escape") { close(); }
      else if (event.key === "Enter" && active >= 0) {
        event.preventDefault();
        list.querySelectorAll("li a")[active].click();
      }
    });
    input.addEventListener("blur", function () { setTimeout(close, 150); });
  }

  // Ask before destructive actions: <button data-confirm="Delete this post?">
  document.addEventListener("submit", function (event) {
    var button = event.submitter;
    if (button && button.dataset.confirm && !window.confirm(button.dataset.confirm)) event.preventDefault();
  });

  document.querySelectorAll("input[data-suggest]").forEach(attachSuggest);
})();
