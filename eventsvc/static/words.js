// The words the page scripts say, in the page's language. The page carries them in its
// <script type="application/json" id="script-words"> block (web/presenters.py SCRIPT_WORDS);
// pageWords("creditAdded", { number: 2 }) gives "Credit 2 added." or its translation.
window.pageWords = (function () {
  "use strict";

  var block = document.getElementById("script-words");
  var words = block ? JSON.parse(block.textContent) : {};

  return function (key, values) {
    return (words[key] || "").replace(/%\((\w+)\)s/g, function (_match, name) {
      return String(values[name]);
    });
  };
})();
