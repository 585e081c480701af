// Live presence on the directory page: Server-Sent Events update the status cells, and one
// polite live region announces the change to screen-reader users.
(function () {
  "use strict";
  var lang = document.documentElement.lang || "sv";
  var announcer = document.getElementById("presence-announcer");
  var source = new EventSource("/directory/events");
  source.onopen = function () { document.body.dataset.live = "connected"; };
  source.onerror = function () { document.body.dataset.live = "reconnecting"; };
  source.addEventListener("presence", function (event) {
    var change = JSON.parse(event.data);
    var row = document.querySelector('tr[data-person-id="' + CSS.escape(change.person_id) + '"]');
    if (!row) { return; }
    var cell = row.querySelector(".status");
    var label = change.labels[lang] || change.labels.sv;
    if (cell.dataset.status === change.status && cell.textContent === label) { return; }
    cell.className = "status status-" + change.status;
    cell.dataset.status = change.status;
    cell.textContent = label;
    if (announcer) { announcer.textContent = change.name + ": " + label; }
  });
})();
