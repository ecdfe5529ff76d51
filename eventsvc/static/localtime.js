// Shows each event time in the reader's own time zone, next to the event's zone.
// Markup: <span class="reader-time" hidden>Your time: <time datetime="…Z" data-local-start
// data-local-end="…Z"></time></span>. Without JavaScript the line stays hidden.
// Days are written in the page's language (<html lang>): English keeps the site's
// "Thursday 30 July"; another language writes them its own way ("jueves, 30 de julio").
(function () {
  "use strict";

  const thisYear = new Date().getFullYear();
  const language = document.documentElement.lang || "en";
  const english = language === "en";

  function parts(date, options) {
    const found = {};
    new Intl.DateTimeFormat(english ? "en-GB" : language, options).formatToParts(date).forEach(
      function (part) {
        found[part.type] = part.value;
      }
    );
    return found;
  }

  function clock(date) {
    const p = parts(date, { hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
    return p.hour + ":" + p.minute;
  }

  function day(date) {
    const p = parts(date, { weekday: "long", day: "numeric", month: "long", year: "numeric" });
    const sameYear = Number(p.year) === thisYear;
    if (!english) {
      const options = { weekday: "long", day: "numeric", month: "long" };
      return new Intl.DateTimeFormat(language, sameYear ? options : { ...options, year: "numeric" })
        .format(date);
    }
    return p.weekday + " " + p.day + " " + p.month + (sameYear ? "" : " " + p.year);
  }

  function zoneName(date) {
    return parts(date, { timeZoneName: "short" }).timeZoneName || "";
  }

  // "Thursday 30 July, 16:00 CEST – 17:30", with the end's day when it differs.
  function describe(start, end) {
    let text = day(start) + ", " + clock(start) + " " + zoneName(start);
    if (end) {
      const endDay = day(end) === day(start) ? "" : day(end) + ", ";
      text += " – " + endDay + clock(end);
    }
    return text;
  }

  function show(element) {
    const start = new Date(element.getAttribute("datetime"));
    if (Number.isNaN(start.getTime())) {
      return;
    }
    const endText = element.getAttribute("data-local-end");
    const end = endText ? new Date(endText) : null;
    element.textContent = describe(start, end && !Number.isNaN(end.getTime()) ? end : null);
    const line = element.closest(".reader-time");
    if (line) {
      line.hidden = false;
    }
  }

  function showAll() {
    if (typeof Intl === "undefined" || !Intl.DateTimeFormat.prototype.formatToParts) {
      return;
    }
    document.querySelectorAll("time[data-local-start]").forEach(show);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", showAll);
  } else {
    showAll();
  }
})();
