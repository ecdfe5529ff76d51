// A form that comes back with errors, or with what saving it will do to check first:
// focus moves to its summary, so everyone starts there, and each link in it moves focus
// to its field (not only the page's scroll).
(function () {
  "use strict";
  var summary = document.querySelector(".error-summary, .confirm-summary");
  if (!summary) {
    return;
  }
  summary.focus();
  summary.addEventListener("click", function (event) {
    var link = event.target.closest("a[href^='#']");
    var field = link && document.getElementById(link.getAttribute("href").slice(1));
    if (field) {
      event.preventDefault();
      field.focus();
      field.scrollIntoView({ block: "center" });
    }
  });
})();
