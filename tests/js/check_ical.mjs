// Parses calendars with Mozilla's ical.js (Thunderbird's parser) and prints what it read.
// stdin: a JSON array of iCalendar texts. stdout: a JSON array, per calendar, of its events:
// {uid, start, end, allDay, summary, description, location, status, sequence, categories}.
// Timed values become UTC ISO strings, dates stay YYYY-MM-DD. A parse error, or a timed
// value in the floating zone (what Outlook and Thunderbird misplace), exits non-zero.
import ICAL from "ical.js";
import { readFileSync } from "node:fs";

function when(time, uid) {
  if (time.isDate) {
    return time.toString();
  }
  if (time.zone === ICAL.Timezone.localTimezone || time.zone.tzid === "floating") {
    throw new Error(`event ${uid} has a floating time`);
  }
  return new Date(time.toUnixTime() * 1000).toISOString().replace(".000Z", "Z");
}

function readEvent(component) {
  const event = new ICAL.Event(component);
  return {
    uid: event.uid,
    start: when(event.startDate, event.uid),
    end: when(event.endDate, event.uid),
    allDay: event.startDate.isDate,
    summary: event.summary,
    description: event.description,
    location: event.location,
    status: component.getFirstPropertyValue("status"),
    sequence: event.sequence,
    categories: component.getAllProperties("categories").flatMap((p) => p.getValues()),
  };
}

function readCalendar(text) {
  const calendar = new ICAL.Component(ICAL.parse(text));
  for (const zone of calendar.getAllSubcomponents("vtimezone")) {
    ICAL.TimezoneService.register(zone);
  }
  return calendar.getAllSubcomponents("vevent").map(readEvent);
}

const texts = JSON.parse(readFileSync(0, "utf8"));
process.stdout.write(JSON.stringify(texts.map(readCalendar)));
