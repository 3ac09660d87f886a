// Live preview and countdowns for the composer. Everything works without it:
// the Preview button renders the same preview on the server.
(function () {
  "use strict";
  var form = document.getElementById("update-form");
  if (form && form.dataset.preview) {
    var timer = null;
    var refresh = function () {
      var data = new FormData(form);
      fetch(form.dataset.preview, { method: "POST", body: data, credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (result) {
          if (!result) { return; }
          document.getElementById("preview").innerHTML = result.html;
          document.querySelectorAll(".findings").forEach(function (box) {
            var field = box.dataset.field;
            var items = result.findings.filter(function (f) { return f.field === field; });
            box.textContent = "";
            if (result.marked[field]) {
              var p = document.createElement("p");
              p.className = "marked";
              p.innerHTML = result.marked[field]; // server-escaped HTML
              box.appendChild(p);
            }
            if (items.length) {
              var ul = document.createElement("ul");
              items.forEach(function (f) {
                var li = document.createElement("li");
                li.className = "finding-" + f.severity;
                li.textContent = (f.severity === "block" ? "Blocked: " : "Warning: ") +
                  f.message + " \u201c" + f.text + "\u201d" +
                  (f.suggestion ? " Try: " + f.suggestion : "");
                ul.appendChild(li);
              });
              box.appendChild(ul);
            }
          });
        })
        .catch(function () { /* the preview is a convenience; publishing still checks */ });
    };
    form.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(refresh, 300);
    });
    form.addEventListener("change", refresh);
    var custom = document.getElementById("next_update_at");
    if (custom) {
      custom.addEventListener("input", function () {
        var pick = form.querySelector('input[name="next_update_in"][value="custom"]');
        if (pick) { pick.checked = true; }
      });
    }
  }
  var tick = function () {
    document.querySelectorAll(".countdown[data-due]").forEach(function (el) {
      var left = (Date.parse(el.dataset.due) - Date.now()) / 60000;
      var minutes = Math.floor(left);
      // The same thresholds as the server: REMINDER_LEAD and CHECKPOINT_GRACE.
      var lead = Number(el.dataset.lead || 5), grace = Number(el.dataset.grace || 0);
      var state = left < -grace ? "overdue" : left <= lead ? "soon" : "ok";
      el.textContent = state === "overdue" ? "overdue by " + -minutes + " min" : minutes < 0 ? "due now" : "in " + minutes + " min";
      var row = el.closest("tr, p");
      if (row) {
        row.classList.remove("countdown-ok", "countdown-soon", "countdown-overdue");
        row.classList.add("countdown-" + state);
      }
    });
  };
  setInterval(tick, 15000);
})();
