// Admin enhancements. Every form works without this file; it only tidies what is shown.
(function () {
  "use strict";

  // The event form: show the start and end fields, or the all-day dates, not both.
  var toggle = document.querySelector(".all-day-toggle input[type='checkbox']");
  var timed = document.querySelector("[data-when='timed']");
  var allDay = document.querySelector("[data-when='all-day']");
  if (toggle && timed && allDay) {
    var update = function () {
      timed.hidden = toggle.checked;
      allDay.hidden = !toggle.checked;
    };
    toggle.addEventListener("change", update);
    update();
  }

  // The generated-password page: select the password when it gets focus, ready to copy.
  var password = document.getElementById("generated-password");
  if (password) {
    password.addEventListener("focus", function () { password.select(); });
  }
})();
