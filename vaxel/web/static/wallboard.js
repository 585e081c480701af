// The wallboard: renders each board the server streams (Server-Sent Events) and says when
// it is reconnecting. No inline script or style: the page's CSP allows neither.
(function () {
  "use strict";
  const main = document.getElementById("main");
  const texts = JSON.parse(document.getElementById("wb-texts").textContent);
  const queuesEl = document.getElementById("wb-queues");
  const connection = document.getElementById("wb-connection");
  const url = main.dataset.stream;
  const TILES = ["waiting", "longest_wait_s", "answered", "abandoned",
                 "service_level_60", "service_level_120", "asa_s", "callbacks_pending"];
  let lastBoard = 0;
  let source = null;
  let state = "";

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function clock(seconds) {
    if (seconds === null || seconds === undefined) return "–";
    const s = Math.floor(seconds);
    const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = s % 60;
    const mm = h ? String(m).padStart(2, "0") : String(m);
    return (h ? h + ":" : "") + mm + ":" + String(r).padStart(2, "0");
  }

  function shown(name, value) {
    if (value === null || value === undefined) return "–";
    if (name === "longest_wait_s") return clock(value);
    if (name.startsWith("service_level")) return Math.round(value) + " %";
    if (name === "asa_s") return Math.round(value) + " s";
    return String(value);
  }

  function figureOf(queue, name) {
    if (name === "answered" || name === "abandoned") return { value: queue[name], level: "none" };
    return queue.figures[name];
  }

  function tile(queue, name) {
    const figure = figureOf(queue, name);
    const box = el("div", "tile level-" + figure.level);
    box.dataset.figure = name;
    box.appendChild(el("span", "tile-name", texts[name]));
    box.appendChild(el("span", "tile-value", shown(name, figure.value)));
    box.appendChild(el("span", "tile-level", figure.level === "none" ? "" : texts["level_" + figure.level]));
    return box;
  }

  function person(view) {
    const item = el("li", "person state-" + view.state);
    item.appendChild(el("span", "person-name", view.name));
    const word = texts[view.state] + (view.detail ? " (" + view.detail + ")" : "");
    item.appendChild(el("span", "person-state", word));
    item.appendChild(el("span", "person-time", clock(view.seconds)));
    return item;
  }

  function render(board) {
    const sections = board.queues.map(function (queue) {
      const section = el("section", "wb-queue");
      section.dataset.queue = queue.name;
      const heading = el("h2", "", queue.label);
      heading.id = "wb-q-" + queue.name;
      section.setAttribute("aria-labelledby", heading.id);
      section.appendChild(heading);
      const tiles = el("div", "wb-tiles");
      TILES.forEach(function (name) { tiles.appendChild(tile(queue, name)); });
      section.appendChild(tiles);
      const list = el("ul", "wb-people");
      list.setAttribute("aria-label", texts.telephonists + ": " + queue.label);
      queue.people.forEach(function (p) { list.appendChild(person(p)); });
      if (!queue.people.length) list.appendChild(el("li", "person nobody", texts.nobody));
      section.appendChild(list);
      return section;
    });
    queuesEl.replaceChildren.apply(queuesEl, sections);
    const overdue = document.getElementById("wb-overdue");
    const level = board.messages_overdue.level;
    overdue.className = "wb-overdue level-" + level;
    overdue.textContent = texts.messages_overdue + ": " + shown("messages_overdue", board.messages_overdue.value) +
      (level === "none" ? "" : "  " + texts["level_" + level]);
    const noLive = document.getElementById("wb-no-live");
    noLive.hidden = board.live;
    noLive.textContent = board.live ? "" : texts.no_live;
    const at = new Date(board.at);
    const updated = document.getElementById("wb-updated");
    updated.dateTime = board.at;
    updated.textContent = at.toLocaleTimeString(document.documentElement.lang, { hour12: false });
    document.getElementById("wb-updated-label").textContent = texts.updated;
  }

  function show(next) {
    if (state === next) return;
    state = next;
    connection.className = "wb-connection conn-" + next;
    // A login that ended is not a revoked kiosk link: say which.
    const word = next === "revoked" && main.dataset.kind === "login" ? "logged_out_now" : next;
    connection.textContent = texts[word];
    document.body.dataset.connection = next;
  }

  function connect() {
    if (source) source.close();
    source = new EventSource(url);
    source.addEventListener("board", function (event) {
      lastBoard = Date.now();
      render(JSON.parse(event.data));
      show("live");
    });
    source.addEventListener("revoked", function () {
      source.close();
      show("revoked");
    });
    source.onerror = function () {
      if (state === "revoked") return;
      show("reconnecting");
      if (source.readyState === EventSource.CLOSED) {
        // Refused outright (401/403: a revoked kiosk, an expired login) or the server is gone.
        fetch(url, { method: "GET", cache: "no-store" }).then(function (reply) {
          if (reply.status === 401 || reply.status === 403) show("revoked");
          else setTimeout(connect, 2000);
          if (reply.body) reply.body.cancel();
        }, function () { setTimeout(connect, 2000); });
      }
    };
  }

  // A stream that stalls without an error (a frozen proxy) counts as reconnecting too.
  setInterval(function () {
    if (state === "live" && Date.now() - lastBoard > 5000) {
      show("reconnecting");
      connect();
    }
  }, 1000);
  connect();
})();
