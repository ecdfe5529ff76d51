// A list to choose several items from (select[multiple][data-picker]) becomes a combobox:
// type part of a title or a date, choose with the arrow keys and Enter or by clicking, and
// see what is chosen as a list with a button to remove each (the ARIA combobox pattern).
// The select stays in the form, hidden, holding the choice; without this script it is the
// list itself.
(function () {
  "use strict";

  var counter = 0;

  function folded(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }

  function element(tag, attributes, text) {
    var node = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (name) {
      node.setAttribute(name, attributes[name]);
    });
    if (text) {
      node.textContent = text;
    }
    return node;
  }

  function enhance(select) {
    counter += 1;
    var id = "picker-" + counter;
    var label = document.querySelector("label[for='" + select.id + "']");
    var help = document.getElementById(select.id + "-help");
    var box = element("div", { class: "picker" });
    var chosen = element("ul", { class: "picker-chosen", "aria-label": window.pageWords("chosen") });
    var input = element("input", {
      type: "text",
      id: id + "-input",
      role: "combobox",
      "aria-autocomplete": "list",
      "aria-expanded": "false",
      "aria-controls": id + "-list",
      autocomplete: "off",
    });
    var list = element("ul", { id: id + "-list", role: "listbox", class: "picker-list" });
    var status = element("p", { class: "visually-hidden", role: "status" });
    var described = select.getAttribute("aria-describedby");
    if (described) {
      input.setAttribute("aria-describedby", described);
    }
    if (label) {
      label.htmlFor = input.id;
      list.setAttribute("aria-label", label.textContent.trim());
    }
    if (help && select.dataset.pickerHelp) {
      help.textContent = select.dataset.pickerHelp;
    }
    list.hidden = true;
    box.append(chosen, input, list, status);
    select.after(box);
    select.hidden = true;
    var active = -1;

    function say(message) {
      status.textContent = message;
    }

    function matches() {
      var words = folded(input.value).split(/\s+/).filter(Boolean);
      return Array.prototype.filter.call(select.options, function (option) {
        var text = folded(option.text);
        return words.every(function (word) { return text.indexOf(word) !== -1; });
      });
    }

    function drawChosen() {
      chosen.replaceChildren();
      Array.prototype.forEach.call(select.selectedOptions, function (option) {
        var item = element("li", {}, option.text + " ");
        var remove = element(
          "button", { type: "button", class: "link-button" }, window.pageWords("remove")
        );
        remove.append(element("span", { class: "visually-hidden" }, ": " + option.text));
        remove.addEventListener("click", function () {
          option.selected = false;
          drawChosen();
          input.focus();
          say(window.pageWords("removedItem", { name: option.text }));
        });
        item.append(remove);
        chosen.append(item);
      });
      chosen.hidden = select.selectedOptions.length === 0;
    }

    function open() {
      var found = matches().slice(0, 50);
      list.replaceChildren();
      found.forEach(function (option, index) {
        var item = element("li", {
          role: "option",
          id: id + "-option-" + index,
          "aria-selected": option.selected ? "true" : "false",
          "data-value": option.value,
        }, option.text);
        item.addEventListener("mousedown", function (event) {
          event.preventDefault();
          toggle(option);
        });
        list.append(item);
      });
      list.hidden = found.length === 0;
      input.setAttribute("aria-expanded", found.length ? "true" : "false");
      active = -1;
      input.removeAttribute("aria-activedescendant");
      say(window.pageWords(found.length === 1 ? "oneMatch" : "manyMatch", { number: found.length }));
    }

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function toggle(option) {
      option.selected = !option.selected;
      drawChosen();
      say(window.pageWords(option.selected ? "chosenItem" : "removedItem", { name: option.text }));
      input.value = "";
      close();
    }

    function move(step) {
      var items = list.querySelectorAll("[role='option']");
      if (list.hidden) {
        open();
        items = list.querySelectorAll("[role='option']");
      }
      if (!items.length) {
        return;
      }
      active = (active + step + items.length) % items.length;
      items.forEach(function (item, index) {
        item.classList.toggle("is-active", index === active);
      });
      input.setAttribute("aria-activedescendant", items[active].id);
      items[active].scrollIntoView({ block: "nearest" });
    }

    input.addEventListener("input", open);
    input.addEventListener("focus", function () {
      if (input.value) {
        open();
      }
    });
    input.addEventListener("blur", close);
    input.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        move(event.key === "ArrowDown" ? 1 : -1);
      } else if (event.key === "Enter" && !list.hidden && active >= 0) {
        event.preventDefault();
        var value = list.querySelectorAll("[role='option']")[active].dataset.value;
        toggle(select.querySelector("option[value='" + value + "']"));
      } else if (event.key === "Escape") {
        close();
      }
    });
    drawChosen();
  }

  document.querySelectorAll("select[multiple][data-picker]").forEach(enhance);
})();
