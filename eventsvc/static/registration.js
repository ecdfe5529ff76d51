// Tell the registration form the reader's time zone, so emails can show their local time.
document.querySelectorAll("input[data-browser-timezone]").forEach((input) => {
  try {
    input.value = Intl.DateTimeFormat().resolvedOptions().timeZone || "";
  } catch (error) {
    input.value = "";
  }
});
