// Recording players: the page shows a "Play here" button, and only pressing it loads the
// video host's player (YouTube's privacy-enhanced mode, Vimeo without tracking). Before
// that, no request goes to them. Without this script the page links to the video.
(function () {
  "use strict";

  function play(box) {
    var frame = document.createElement("iframe");
    frame.src = box.dataset.playerSrc;
    frame.title = box.dataset.playerTitle;
    frame.allow = "autoplay; fullscreen; picture-in-picture; encrypted-media";
    frame.allowFullscreen = true;
    frame.referrerPolicy = "strict-origin-when-cross-origin";
    frame.className = "player-frame";
    box.replaceChildren(frame);
    box.classList.add("is-playing");
    frame.focus();
  }

  document.querySelectorAll(".player[data-player-src]").forEach(function (box) {
    box.hidden = false;
    box.querySelector(".player-start").addEventListener("click", function () {
      play(box);
    });
  });
})();
