// The event form's credits editor, in place: rows are added, removed and moved without a
// reload, a known name fills in its kind, affiliation and web address, and the
// affiliation shows for people only. Without this script the same buttons post the form,
// and the server rearranges the rows (forms/events.py, rearrange_credits).
(function () {
  "use strict";

  var list = document.querySelector(".credit-rows");
  if (!list) {
    return;
  }
  var editor = list.closest(".credits-editor");
  var status = document.getElementById("credits-status");
  var addButton = editor.querySelector("[data-credit='add']");
  var maxRows = parseInt(list.dataset.maxRows, 10) || 60;
  // What is known of each name, by "name|kind" and by name alone (its first kind).
  var known = {};
  document.querySelectorAll("#credit-names option").forEach(function (option) {
    var name = option.value.trim().toLowerCase();
    known[name + "|" + option.dataset.kind] = option.dataset;
    known[name] = known[name] || option.dataset;
  });
  // A blank row to copy: the first row as the page came, emptied.
  var blank = list.querySelector(".credit-row-item").cloneNode(true);
  clearRow(blank);

  function rows() {
    return Array.prototype.slice.call(list.querySelectorAll(".credit-row-item"));
  }

  function say(message) {
    status.textContent = "";
    window.setTimeout(function () { status.textContent = message; }, 50);
  }

  function clearRow(row) {
    row.querySelectorAll(".field-error").forEach(function (error) { error.remove(); });
    row.querySelectorAll(".has-error").forEach(function (field) { field.classList.remove("has-error"); });
    row.querySelectorAll("input, select").forEach(function (control) {
      control.removeAttribute("aria-invalid");
      var described = (control.getAttribute("aria-describedby") || "").split(" ").filter(function (id) {
        return id && !/-error$/.test(id);
      });
      if (described.length) {
        control.setAttribute("aria-describedby", described.join(" "));
      } else {
        control.removeAttribute("aria-describedby");
      }
      if (control.tagName === "SELECT") {
        control.value = control.name.endsWith("-role") ? "co_host" : "organization";
      } else {
        control.value = "";
      }
    });
  }

  // Names, ids, labels and button values follow each row's position: credits-N-…
  function renumber() {
    var all = rows();
    all.forEach(function (row, index) {
      row.querySelectorAll("[id], [name], [for], [aria-describedby]").forEach(function (node) {
        ["id", "name", "for", "aria-describedby"].forEach(function (attribute) {
          var value = node.getAttribute(attribute);
          if (value) {
            node.setAttribute(attribute, value.replace(/credits-\d+-/g, "credits-" + index + "-"));
          }
        });
      });
      row.querySelector("legend").textContent = "Credit " + (index + 1);
      row.querySelectorAll("[data-credit]").forEach(function (button) {
        button.value = button.dataset.credit + "-" + index;
        button.querySelector(".visually-hidden").textContent = " credit " + (index + 1);
      });
      row.querySelector("[data-credit='up']").hidden = index === 0;
      row.querySelector("[data-credit='down']").hidden = index === all.length - 1;
    });
    addButton.disabled = all.length >= maxRows;
  }

  function showAffiliation(row) {
    var kind = row.querySelector("select[name$='-kind']");
    var affiliation = row.querySelector("input[name$='-affiliation']");
    var field = affiliation.closest(".field");
    field.hidden = kind.value !== "person" && !affiliation.value;
  }

  // A name chosen from the suggestions brings what is known of it, without overwriting
  // anything typed already; typing on past it (to another name) takes that back.
  function fillKnown(row) {
    var name = row.querySelector("input[name$='-name']").value.trim().toLowerCase();
    var kind = row.querySelector("select[name$='-kind']");
    var found = known[name + "|" + kind.value] || known[name];
    forgetFilled(row);
    if (!found) {
      return;
    }
    kind.value = found.kind;
    [["-url", found.url], ["-affiliation", found.affiliation]].forEach(function (pair) {
      var input = row.querySelector("input[name$='" + pair[0] + "']");
      if (input && !input.value && pair[1]) {
        input.value = pair[1];
        input.dataset.filled = pair[1];
      }
    });
    showAffiliation(row);
  }

  // Empty what fillKnown brought and nobody changed since.
  function forgetFilled(row) {
    row.querySelectorAll("input[data-filled]").forEach(function (input) {
      if (input.value === input.dataset.filled) {
        input.value = "";
      }
      delete input.dataset.filled;
    });
  }

  function firstControl(row) {
    return row.querySelector("select, input");
  }

  function act(button) {
    var row = button.closest(".credit-row-item");
    var verb = button.dataset.credit;
    if (verb === "add") {
      var added = blank.cloneNode(true);
      list.appendChild(added);
      renumber();
      showAffiliation(added);
      firstControl(added).focus();
      say(window.pageWords("creditAdded", { number: rows().length }));
      return;
    }
    var index = rows().indexOf(row);
    if (verb === "remove") {
      var next = rows()[index + 1] || rows()[index - 1];
      if (rows().length === 1) {
        clearRow(row);
        showAffiliation(row);
        firstControl(row).focus();
      } else {
        row.remove();
        renumber();
        (next ? firstControl(next) : addButton).focus();
      }
      say(window.pageWords("creditRemoved", { number: index + 1 }));
      return;
    }
    if (verb === "up" && index > 0) {
      list.insertBefore(row, rows()[index - 1]);
    } else if (verb === "down" && index < rows().length - 1) {
      list.insertBefore(rows()[index + 1], row);
    }
    renumber();
    var position = rows().indexOf(row);
    var same = row.querySelector("[data-credit='" + verb + "']");
    (same.hidden ? row.querySelector("[data-credit='" + (verb === "up" ? "down" : "up") + "']") : same).focus();
    say(window.pageWords("creditMoved", { number: position + 1 }));
  }

  editor.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-credit]");
    if (button) {
      event.preventDefault();
      act(button);
    }
  });
  list.addEventListener("change", function (event) {
    var row = event.target.closest(".credit-row-item");
    if (event.target.name.endsWith("-kind")) {
      showAffiliation(row);
    } else if (event.target.name.endsWith("-name")) {
      fillKnown(row);
    }
  });
  list.addEventListener("input", function (event) {
    if (event.target.name.endsWith("-name")) {
      fillKnown(event.target.closest(".credit-row-item"));
    }
  });
  rows().forEach(showAffiliation);
  renumber();
})();
