// The words the page scripts say, in the page's language. The page carries them as JSON in
// <body data-script-words> (web/presenters.py SCRIPT_WORDS); pageWords("creditAdded",
// { number: 2 }) gives "Credit 2 added." or its translation.
window.pageWords = (function () {
  "use strict";

  var words = JSON.parse(document.body.dataset.scriptWords || "{}");

  return function (key, values) {
    return (words[key] || "").replace(/%\((\w+)\)s/g, function (_match, name) {
      return String(values[name]);
    });
  };
})();
