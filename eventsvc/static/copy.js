// Copying feed addresses and embed code, and the "Subscribe" menus (<details class="subscribe-menu">).
// <button data-copy="…" hidden> copies its text; without JavaScript or a clipboard it
// stays hidden and the text can be selected by hand in the field beside it. What happened
// is said in the .copy-status of the nearest .copy-scope.
// <a data-copy="…" data-copied="…"> copies the address and then opens the link as usual
// (Google Calendar's "From URL" page, where the reader pastes it).
// Escape closes an open menu and puts the focus back on its "Subscribe" button.
(function () {
  "use strict";

  function say(element, message) {
    const scope = element.closest(".copy-scope") || document;
    const status = scope.querySelector(".copy-status");
    if (status) {
      status.textContent = message;
    }
  }

  function copyButton(button) {
    const label = button.textContent;
    navigator.clipboard.writeText(button.dataset.copy).then(
      function () {
        say(button, window.pageWords("copied"));
        button.textContent = window.pageWords("copiedButton");
        window.setTimeout(function () { button.textContent = label; }, 2000);
      },
      function () { say(button, window.pageWords("copyFailed")); }
    );
  }

  function copyBeforeFollowing(link) {
    navigator.clipboard.writeText(link.dataset.copy).then(
      function () { say(link, link.dataset.copied); },
      function () { say(link, window.pageWords("copyByHand")); }
    );
  }

  function closeOnEscape(event) {
    if (event.key !== "Escape") {
      return;
    }
    const menu = event.target.closest(".subscribe-menu[open]");
    if (menu) {
      menu.open = false;
      menu.querySelector("summary").focus();
    }
  }

  document.addEventListener("keydown", closeOnEscape);
  if (!navigator.clipboard) {
    return;
  }
  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { copyButton(button); });
  });
  document.querySelectorAll("a[data-copy]").forEach(function (link) {
    link.addEventListener("click", function () { copyBeforeFollowing(link); });
  });
})();
