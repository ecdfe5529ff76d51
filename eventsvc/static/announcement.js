// The new-event form's announcement: its fields show while it is wanted, and its title and
// text follow the event ("July 30 Virtual Event: …", the summary) until staff edit them.
// Without this script, fields left empty are made the same way when the form is saved.
(function () {
  "use strict";

  var wanted = document.getElementById("announce");
  var fields = document.querySelector("[data-announcement]");
  if (!wanted || !fields) {
    return;
  }
  var form = wanted.form;
  var title = document.getElementById("news_title");
  var body = document.getElementById("news_body");
  var months = ["January", "February", "March", "April", "May", "June", "July", "August",
    "September", "October", "November", "December"];
  var kinds = { webinar: "Virtual Event", hybrid: "Hybrid Event", in_person: "Event" };

  function day() {
    var allDay = form.elements.all_day && form.elements.all_day.checked;
    var value = (allDay ? form.elements.first_day : form.elements.start).value;
    var parts = /^(\d{4})-(\d{2})-(\d{2})/.exec(value || "");
    return parts ? months[parseInt(parts[2], 10) - 1] + " " + parseInt(parts[3], 10) : "";
  }

  function suggestedTitle() {
    var eventTitle = form.elements.title.value.trim();
    var when = day();
    if (!eventTitle || !when) {
      return "";
    }
    return when + " " + kinds[form.elements.kind.value] + ": " + eventTitle;
  }

  // A field follows the event while it holds what was suggested (or nothing).
  function follow(input, suggestion) {
    if (input.value === (input.dataset.suggested || "")) {
      input.value = suggestion;
    }
    input.dataset.suggested = suggestion;
  }

  function update() {
    fields.hidden = !wanted.checked;
    follow(title, suggestedTitle());
    follow(body, form.elements.summary.value.trim());
  }

  ["title", "kind", "start", "first_day", "all_day", "summary"].forEach(function (name) {
    var control = form.elements[name];
    if (control) {
      control.addEventListener("input", update);
      control.addEventListener("change", update);
    }
  });
  wanted.addEventListener("change", update);
  update();
})();
