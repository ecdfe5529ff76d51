// Copy buttons on the calendar feeds page: <button data-copy="…" hidden>. Without JavaScript
// (or without a clipboard) the buttons stay hidden and the addresses can be selected by hand.
(function () {
  "use strict";

  const status = document.querySelector(".copy-status");

  function say(message) {
    if (status) {
      status.textContent = message;
    }
  }

  function copy(button) {
    navigator.clipboard.writeText(button.dataset.copy).then(
      function () {
        say("Copied " + button.dataset.copy);
        button.firstChild.textContent = "Copied";
        window.setTimeout(function () { button.firstChild.textContent = "Copy"; }, 2000);
      },
      function () { say("Copying did not work: select the address and copy it by hand."); }
    );
  }

  if (!navigator.clipboard) {
    return;
  }
  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { copy(button); });
  });
})();
