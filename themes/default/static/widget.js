/* statuspage embeddable widget: one file, no dependencies.
   <script src="https://status.example.com/static/widget.js" async></script>
   It reads api/v2/status.json beside it and shows the status as a small link.
   Put <div data-statuspage-widget></div> where it should appear (default: at the
   script's place). */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script) { return; }
  var site = script.src.replace(/static\/widget\.js(\?.*)?$/, "");
  var colours = {
    none: "#1a7f37", minor: "#7d4e00", major: "#a5420b",
    critical: "#b4232f", maintenance: "#0a58ca"
  };
  var host = document.querySelector("[data-statuspage-widget]");
  if (!host) {
    host = document.createElement("span");
    script.parentNode.insertBefore(host, script);
  }
  var link = document.createElement("a");
  link.href = site;
  link.className = "statuspage-widget";
  link.style.cssText = "display:inline-flex;align-items:center;gap:.4em;" +
    "font:14px/1.4 system-ui,sans-serif;color:inherit;text-decoration:none";
  var dot = document.createElement("span");
  dot.setAttribute("aria-hidden", "true");
  dot.style.cssText = "width:.7em;height:.7em;border-radius:50%;background:#888";
  var text = document.createElement("span");
  text.textContent = "Status";
  link.appendChild(dot);
  link.appendChild(text);
  host.appendChild(link);
  fetch(site + "api/v2/status.json", { cache: "no-cache" })
    .then(function (r) { return r.json(); })
    .then(function (data) {
      text.textContent = data.status.description;
      dot.style.background = colours[data.status.indicator] || "#888";
      if (data.page && data.page.url) { link.href = data.page.url; }
    })
    .catch(function () { text.textContent = "Status unavailable"; });
})();
