// API reference: a search box that narrows the operations list to those matching the words typed.
// The page is complete without it; this only adds the filter.
(function () {
  "use strict";
  var index = document.querySelector(".api-index");
  if (!index) { return; }
  var label = document.createElement("label");
  label.setAttribute("for", "api-filter");
  label.textContent = window.pageWords("filterOperations");
  var input = document.createElement("input");
  input.type = "search";
  input.id = "api-filter";
  input.autocomplete = "off";
  var status = document.createElement("p");
  status.className = "meta";
  status.setAttribute("role", "status");
  var box = document.createElement("p");
  box.className = "api-filter";
  box.appendChild(label);
  box.appendChild(document.createTextNode(" "));
  box.appendChild(input);
  index.parentNode.insertBefore(box, index);
  index.parentNode.insertBefore(status, index);

  var items = Array.prototype.slice.call(index.querySelectorAll("li"));
  function sectionOf(item) {
    var link = item.querySelector("a");
    return link ? document.getElementById(link.getAttribute("href").slice(1)) : null;
  }
  input.addEventListener("input", function () {
    var words = input.value.toLowerCase().split(/\s+/).filter(Boolean);
    var shown = 0;
    items.forEach(function (item) {
      var text = item.textContent.toLowerCase();
      var match = words.every(function (word) { return text.indexOf(word) !== -1; });
      item.hidden = !match;
      var section = sectionOf(item);
      if (section) { section.hidden = !match; }
      if (match) { shown += 1; }
    });
    status.textContent = words.length
      ? window.pageWords("operationsShown", { shown: shown, total: items.length })
      : "";
  });
}());
