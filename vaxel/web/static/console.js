// The telephonist's console: renders the view the server streams (Server-Sent Events, the
// whole view on every change) and sends actions to the queue, handoff and directory APIs.
// Nothing is decided here; the note about the current call lives only in this page.
(function () {
  "use strict";
  var root = document.getElementById("console");
  if (!root) { return; }
  var T = JSON.parse(root.dataset.texts);
  var lang = root.dataset.lang || "sv";
  var me = root.dataset.telephonist;
  var readOnly = root.dataset.readOnly === "true";
  var csrfMeta = document.querySelector('meta[name="csrf-token"]');
  var csrf = csrfMeta ? csrfMeta.content : "";
  var view = null;
  var offsetMs = 0; // server clock minus ours (the controller may run "as if" another time)
  var results = [];
  var selected = -1;
  var note = { call: null, text: "" };
  var $ = function (id) { return document.getElementById(id); };

  function t(key, values) {
    var text = T[key] || key;
    Object.keys(values || {}).forEach(function (k) { text = text.split("{" + k + "}").join(values[k]); });
    return text;
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined && text !== null) { node.textContent = text; }
    return node;
  }

  function serverNow() { return Date.now() + offsetMs; }

  function seconds(since) { return Math.max(0, Math.floor((serverNow() - Date.parse(since)) / 1000)); }

  function clock(total) {
    var m = Math.floor(total / 60), s = total % 60;
    return m + ":" + (s < 10 ? "0" : "") + s;
  }

  function when(iso) {
    return new Date(iso).toLocaleString(lang === "sv" ? "sv-SE" : "en-GB", {
      weekday: "short", day: "numeric", month: "numeric", hour: "2-digit", minute: "2-digit",
      timeZone: "Europe/Stockholm"
    });
  }

  // --- the live view ------------------------------------------------------------------
  function setLive(state) {
    root.dataset.live = state;
    $("live-status").textContent = t(state === "connected" ? "live_connected" : "live_reconnecting");
  }

  var source = new EventSource("/console/events?telephonist=" + encodeURIComponent(me));
  source.onopen = function () { setLive("connected"); };
  source.onerror = function () { setLive("reconnecting"); };
  source.addEventListener("view", function (event) {
    view = JSON.parse(event.data);
    offsetMs = Date.parse(view.now) - Date.now();
    setLive("connected");
    render();
  });

  function render() {
    renderState(view.state);
    renderWaiting(view.waiting);
    renderCall(view.call, view.transfer);
    renderReturned(view.returned);
    root.dataset.status = view.state.status;
    tick();
  }

  function renderState(state) {
    var badge = $("my-status");
    badge.textContent = t("status." + state.status);
    badge.dataset.status = state.status;
    $("my-status-detail").textContent = state.reason ? "(" + state.reason + ")" : "";
    var list = $("my-queues");
    list.replaceChildren();
    state.queues.forEach(function (q) {
      var item = el("li", "queue-" + (q.logged_in ? "in" : "out"));
      item.append(el("strong", null, q.label), " ", el("span", "hint", t(q.logged_in ? "logged_in" : "logged_out")));
      list.append(item);
    });
    ["login", "logout", "pause", "unpause"].forEach(function (change) {
      var button = $("do-" + change);
      button.hidden = state.allowed.indexOf(change) < 0;
      button.disabled = readOnly;
    });
    $("pause-reason").hidden = $("do-pause").hidden;
    document.querySelector('label[for="pause-reason"]').hidden = $("do-pause").hidden;
  }

  function renderWaiting(waiting) {
    var body = $("waiting");
    body.replaceChildren();
    waiting.forEach(function (w) {
      var row = el("tr", w.returned ? "returned-row" : (w.callback ? "callback-row" : ""));
      row.dataset.entryId = w.entry_id;
      row.append(el("td", "num", String(w.position)), el("td", null, w.queue_label));
      var wait = el("td", "num timer", "");
      wait.dataset.since = w.entered_at;
      row.append(wait, el("td", "number", w.caller_number || "–"));
      var dialled = el("td", "dialled", w.number_label || (w.office ? w.office : "–"));
      dialled.dataset.number = w.number_name || "";
      row.append(dialled, el("td", null, t("lang." + w.language)));
      var mark = el("td", "mark");
      if (w.returned) {
        mark.append(el("span", "tag tag-returned", t("returned_from", { who: w.returned.from_name || "?" })),
          " ", el("span", null, reasonText(w.returned.reason, w.returned.from_name || "?", {})));
      }
      if (w.callback) { mark.append(el("span", "tag tag-callback", t("callback"))); }
      if (w.ringing) { mark.append(" ", el("span", "tag", t("ringing_to", { who: w.ringing }))); }
      row.append(mark);
      body.append(row);
    });
    $("waiting-count").textContent = String(waiting.length);
    $("no-waiting").hidden = waiting.length > 0;
  }

  function renderCall(call, transfer) {
    var box = $("call");
    box.hidden = !call;
    box.dataset.entryId = call ? (call.entry_id || "") : "";
    $("no-call").hidden = Boolean(call || transfer || view.returned);
    var key = call ? (call.call_id || call.entry_id || call.handoff_id) : null;
    if (key !== note.call) { // a new call: the old note goes, nothing is kept
      note = { call: key, text: "" };
      $("call-note").value = "";
      $("callback-number").value = call ? (call.caller_number || "") : "";
    }
    if (call) {
      $("call-number").textContent = call.caller_number || "–";
      $("call-dialled").textContent = call.number_label || "–";
      $("call-dialled").dataset.number = call.number_name || "";
      var choice = [call.queue_label, t("lang." + call.language)];
      if (call.office) { choice.push(call.office); }
      $("call-choice").textContent = choice.filter(Boolean).join(" · ");
      $("call-time").dataset.since = call.since || "";
    }
    var tr = $("transfer");
    tr.hidden = !transfer;
    if (transfer) {
      $("transfer-text").textContent = t("transfer_in_progress", { who: transfer.target_name || "?" }) +
        " – " + t("transfer_state." + transfer.state);
      var consulting = transfer.mode === "attended";
      $("do-complete").hidden = !consulting || transfer.state !== "Consulting";
      $("do-cancel").hidden = !consulting;
    }
    $("wrapup-code").disabled = readOnly;
    $("callback-number").disabled = readOnly;
    $("call-note").disabled = readOnly;
  }

  function reasonText(reason, who, panel) {
    if (reason === "no_answer" && panel.ring_time_s) {
      return t("reason.no_answer_after", { who: who, s: Math.round(panel.ring_time_s) });
    }
    if (reason === "absent" && panel.absent_until) {
      return t("reason.absent_until", { who: who, until: when(panel.absent_until) });
    }
    return t("reason." + reason, { who: who });
  }

  function renderReturned(panel) {
    var box = $("returned");
    box.hidden = !panel;
    if (!panel) { return; }
    var who = panel.target_name || "?";
    box.dataset.reason = panel.reason || "";
    box.dataset.state = panel.state;
    $("returned-state").textContent = t("returned_state." + panel.state);
    $("returned-reason").textContent = reasonText(panel.reason, who, panel);
    $("returned-hours").textContent = panel.next_phone_hours
      ? t("next_hours", { when: when(panel.next_phone_hours) })
      : (panel.phone_hours === "none" ? t("no_hours", { who: who }) : "");
    $("returned-hours").dataset.phoneHours = panel.phone_hours;
    $("do-refer").disabled = readOnly || !panel.can_refer;
    var list = $("returned-colleagues");
    list.replaceChildren();
    panel.colleagues.forEach(function (c, i) {
      var item = el("li", i === 0 ? "colleague next" : "colleague");
      item.dataset.personId = c.person_id;
      item.append(el("strong", null, c.name), " ", el("span", "hint", c.extension), " ",
        el("span", "status status-" + c.status, t("status." + c.status)));
      list.append(item);
    });
    if (!panel.colleagues.length) { list.append(el("li", "hint", t("no_colleagues"))); }
    var next = panel.colleagues[0];
    $("do-next-colleague").textContent = t("try_colleague", { who: next ? next.name : t("next_short") }) + " (n)";
    $("do-next-colleague").disabled = readOnly || !next;
    $("do-message").disabled = readOnly;
  }

  function tick() {
    document.querySelectorAll("#waiting .timer, #call-time").forEach(function (cell) {
      cell.textContent = cell.dataset.since ? clock(seconds(cell.dataset.since)) : "–";
    });
    if (view && view.state.wrapup_until) {
      var left = Math.max(0, Math.ceil((Date.parse(view.state.wrapup_until) - serverNow()) / 1000));
      $("my-status-detail").textContent = t("wrapup_left", { s: left });
    }
  }
  setInterval(tick, 500);

  // --- actions ------------------------------------------------------------------------
  function api(method, path, body) {
    $("action-error").textContent = "";
    return fetch("/api/v1" + path, {
      method: method,
      headers: { "content-type": "application/json", "x-csrf-token": csrf },
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "same-origin"
    }).then(function (reply) {
      return reply.json().catch(function () { return {}; }).then(function (data) {
        if (!reply.ok) {
          var why = data.message || data.detail || reply.statusText;
          $("action-error").textContent = t("failed", { why: typeof why === "string" ? why : JSON.stringify(why) });
          throw new Error(why);
        }
        return data;
      });
    });
  }

  function change(what) {
    if (readOnly || !view || view.state.allowed.indexOf(what) < 0) { return; }
    var body = what === "pause" ? { reason: $("pause-reason").value || "paus" } : undefined;
    api("POST", "/queues/telephonists/" + encodeURIComponent(me) + "/" + what, body).catch(function () {});
  }

  function transfer(personId, mode) {
    if (readOnly || !personId) { return; }
    api("POST", "/handoffs", { telephonist: me, person_id: personId, mode: mode || "follow" })
      .catch(function () {});
  }

  function handoffId() {
    if (view && view.returned) { return view.returned.handoff_id; }
    if (view && view.transfer) { return view.transfer.handoff_id; }
    return view && view.call ? view.call.handoff_id : null;
  }

  function step(what) {
    var id = handoffId();
    if (readOnly || !id) { return; }
    api("POST", "/handoffs/" + encodeURIComponent(id) + "/" + what).catch(function () {});
  }

  function nextColleague() {
    var panel = view && view.returned;
    if (panel && panel.colleagues.length) { transfer(panel.colleagues[0].person_id, "follow"); }
  }

  function openMessage() {
    if (readOnly || !handoffId()) { return; }
    var form = $("message-form");
    form.hidden = false;
    $("message-number").value = (view.call && view.call.caller_number) || "";
    $("message-name").focus();
  }

  $("message-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var id = handoffId();
    if (!id) { return; }
    api("POST", "/handoffs/" + encodeURIComponent(id) + "/message", {
      caller_name: $("message-name").value, caller_number: $("message-number").value || null,
      subject: $("message-subject").value
    }).then(function (data) {
      $("receipt").textContent = t("receipt", { ref: data.reference });
      sessionStorage.setItem("vaxel-console-receipt", $("receipt").textContent);
      $("message-form").hidden = true;
      $("message-form").reset();
    }).catch(function () {});
  });
  $("message-cancel").addEventListener("click", function () { $("message-form").hidden = true; });
  $("receipt").textContent = sessionStorage.getItem("vaxel-console-receipt") || "";

  $("wrapup-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var code = $("wrapup-code").value.trim();
    if (readOnly || !/^[0-9]{1,6}$/.test(code)) { return; }
    api("POST", "/queues/telephonists/" + encodeURIComponent(me) + "/wrapup-code", { code: code })
      .then(function () { $("receipt").textContent = t("wrapup_saved", { code: code }); })
      .catch(function () {});
  });
  $("callback-form").addEventListener("submit", function (event) {
    event.preventDefault();
    if (readOnly) { return; }
    api("POST", "/console/" + encodeURIComponent(me) + "/callback", { number: $("callback-number").value || null })
      .then(function (data) { $("receipt").textContent = t("callback_booked", { number: data.number }); })
      .catch(function () {});
  });
  $("call-note").addEventListener("input", function (event) { note.text = event.target.value; });

  ["login", "logout", "pause", "unpause"].forEach(function (what) {
    $("do-" + what).addEventListener("click", function () { change(what); });
  });
  $("do-next-colleague").addEventListener("click", nextColleague);
  $("do-refer").addEventListener("click", function () { step("refer"); });
  $("do-message").addEventListener("click", openMessage);
  $("do-complete").addEventListener("click", function () { step("complete"); });
  $("do-cancel").addEventListener("click", function () { step("cancel"); });
  $("help-open").addEventListener("click", function () { $("help").showModal(); });

  // --- directory search ---------------------------------------------------------------
  var search = $("search");
  var pending = null;
  search.addEventListener("input", function () {
    clearTimeout(pending);
    pending = setTimeout(runSearch, 120);
  });

  function runSearch() {
    var q = search.value.trim();
    if (!q) { results = []; renderResults(); return; }
    fetch("/api/v1/directory/people?limit=8&q=" + encodeURIComponent(q), { credentials: "same-origin" })
      .then(function (reply) { return reply.ok ? reply.json() : { results: [] }; })
      .then(function (data) {
        if (search.value.trim() !== q) { return; } // typed on meanwhile
        results = data.results;
        selected = results.length ? 0 : -1;
        renderResults();
      });
  }

  function renderResults() {
    var list = $("results");
    list.replaceChildren();
    results.forEach(function (p, i) {
      var item = el("li", "result" + (i === selected ? " selected" : ""));
      item.id = "result-" + i;
      item.setAttribute("role", "option");
      item.setAttribute("aria-selected", i === selected ? "true" : "false");
      item.dataset.personId = p.id;
      var head = el("div", "result-head");
      head.append(el("strong", null, p.name), " ", el("span", "ext", p.extension), " ",
        el("span", "status status-" + p.presence.status, p.presence.labels[lang] || p.presence.labels.sv));
      item.append(head, el("div", "hint", [p.title, p.unit].filter(Boolean).join(", ")));
      if (p.presence.next_phone_hours) {
        item.append(el("div", "hint", t("next_hours", { when: when(p.presence.next_phone_hours) })));
      }
      if (p.free_colleagues.length) {
        item.append(el("div", "hint", t("free") + ": " + p.free_colleagues.map(function (c) {
          return c.name + " (" + c.extension + ")";
        }).join(", ")));
      }
      item.addEventListener("click", function () { selected = i; renderResults(); });
      item.addEventListener("dblclick", function () { transfer(p.id, "follow"); });
      list.append(item);
    });
    if (search.value.trim() && !results.length) { list.append(el("li", "hint", t("no_results"))); }
    search.setAttribute("aria-expanded", results.length ? "true" : "false");
    if (selected >= 0) { search.setAttribute("aria-activedescendant", "result-" + selected); }
    else { search.removeAttribute("aria-activedescendant"); }
  }

  var presence = new EventSource("/directory/events");
  presence.addEventListener("presence", function (event) {
    var change = JSON.parse(event.data);
    var hit = results.filter(function (p) { return p.id === change.person_id; })[0];
    if (hit) {
      hit.presence.status = change.status;
      hit.presence.labels = change.labels;
      renderResults();
    }
  });

  search.addEventListener("keydown", function (event) {
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      if (!results.length) { return; }
      selected = (selected + (event.key === "ArrowDown" ? 1 : -1) + results.length) % results.length;
      renderResults();
    } else if (event.key === "Enter") {
      event.preventDefault();
      if (selected >= 0) { transfer(results[selected].id, event.shiftKey ? "attended" : "follow"); }
    } else if (event.key === "Escape") {
      search.blur();
    }
  });

  // --- keys anywhere (not while typing in a field) ------------------------------------
  var keys = {
    "/": function () { search.focus(); search.select(); },
    "?": function () { $("help").showModal(); },
    "n": nextColleague,
    "t": function () { if (!view || !view.returned || view.returned.can_refer) { step("refer"); } },
    "m": openMessage,
    "k": function () { step("complete"); },
    "a": function () { $("wrapup-code").focus(); },
    "b": function () { $("callback-number").focus(); },
    "i": function () { $("call-note").focus(); },
    "l": function () { change(view && view.state.status === "logged_out" ? "login" : "logout"); },
    "p": function () { change(view && view.state.status === "paused" ? "unpause" : "pause"); }
  };
  document.addEventListener("keydown", function (event) {
    var typing = /^(INPUT|TEXTAREA|SELECT)$/.test(event.target.tagName);
    if (typing && event.key === "Escape") { event.target.blur(); return; } // single keys act again
    if (typing || event.ctrlKey || event.metaKey || event.altKey) { return; }
    if (event.key === "Escape" && view && view.transfer && view.transfer.mode === "attended") {
      step("cancel");
      return;
    }
    var action = keys[event.key];
    if (action && !$("help").open) {
      event.preventDefault();
      action();
    }
  });
})();
