// Fills empty time-zone fields with the browser's time zone, so the diary's times are
// the person's own. Without JavaScript the zone chosen on the account page (or UTC) is used.
(function () {
  var zone = "";
  try {
    zone = Intl.DateTimeFormat().resolvedOptions().timeZone || "";
  } catch (error) {
    zone = "";
  }
  if (!zone) {
    return;
  }
  document.querySelectorAll("input[data-time-zone]").forEach(function (input) {
    if (!input.value) {
      input.value = zone;
    }
  });
})();
