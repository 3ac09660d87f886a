/* Progressive enhancement: add the reader's local time beside each UTC time.
   The UTC text is always there; without JavaScript nothing changes. */
(function () {
  "use strict";
  var zone;
  try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone; } catch (e) { return; }
  if (!zone || zone === "UTC" || zone === "Etc/UTC") { return; }
  var fmt = new Intl.DateTimeFormat(undefined, {
    day: "numeric", month: "short", hour: "2-digit", minute: "2-digit", timeZoneName: "short"
  });
  document.querySelectorAll("time[datetime]").forEach(function (el) {
    var when = new Date(el.getAttribute("datetime"));
    if (isNaN(when.getTime()) || el.dataset.local) { return; }
    var span = document.createElement("span");
    span.className = "local-time";
    span.textContent = " (" + fmt.format(when) + ")";
    el.dataset.local = "1";
    el.after(span);
  });
})();
