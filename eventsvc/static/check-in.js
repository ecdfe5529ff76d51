// The check-in list on a phone: typing a name narrows the list at once, and "Check in" /
// "Undo" are saved without leaving the page (the same forms post and reload without it).
(function () {
  "use strict";

  var list = document.querySelector(".check-in-list");
  if (!list) {
    return;
  }
  var status = document.getElementById("check-in-status");
  var counted = document.querySelector("[data-counted]");
  var search = document.querySelector(".check-in-search input[type='search']");
  var none = document.querySelector(".check-in-none");

  function say(message) {
    status.textContent = "";
    window.setTimeout(function () { status.textContent = message; }, 50);
  }

  function folded(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }

  function narrow() {
    var words = folded(search.value).split(/\s+/).filter(Boolean);
    var shown = 0;
    list.querySelectorAll(".check-in-row").forEach(function (row) {
      var text = folded(row.dataset.search);
      row.hidden = !words.every(function (word) { return text.indexOf(word) !== -1; });
      shown += row.hidden ? 0 : 1;
    });
    none.hidden = shown > 0;
  }

  var words = window.pageWords;

  function show(row, attended) {
    var button = row.querySelector("button[name='attended']");
    var name = row.querySelector(".check-in-name").textContent;
    row.classList.toggle("is-here", attended === true);
    row.querySelector("[data-state]").textContent =
      attended === true ? words("checkedIn") : attended === false ? words("absent") : "";
    button.value = attended === true ? "unknown" : "yes";
    button.className = attended === true ? "secondary" : "";
    button.replaceChildren(
      document.createTextNode(attended === true ? words("undo") : words("checkIn")),
      Object.assign(document.createElement("span"), {
        className: "visually-hidden",
        textContent: " " + (attended === true ? words("checkInOf", { name: name }) : name),
      })
    );
  }

  list.addEventListener("submit", function (event) {
    var form = event.target;
    var button = event.submitter || form.querySelector("button");
    var data = new FormData(form);
    data.set("attended", button.value);
    event.preventDefault();
    button.disabled = true;
    fetch(form.action, {
      method: "POST",
      body: data,
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("not saved");
        }
        return response.json();
      })
      .then(function (answer) {
        show(form.closest(".check-in-row"), answer.attended);
        counted.textContent = answer.counted;
        say(answer.status);
      })
      .catch(function () {
        say(words("notSaved"));
      })
      .finally(function () {
        button.disabled = false;
        button.focus();
      });
  });

  if (search) {
    search.addEventListener("input", narrow);
  }
})();
