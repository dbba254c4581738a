// SafeVoice worker desk: the live queue and a case's conversation over one websocket.
// Every element is built with textContent: no HTML from the server or from a young
// person's message is ever parsed. Nothing is stored in the browser.
"use strict";
(function () {
  const root = document.getElementById("desk");
  if (!root) return;
  const csrf = root.dataset.csrf;
  const caseId = root.dataset.case;
  const liveState = document.getElementById("live-state");
  const announce = document.getElementById("announce");
  const baseTitle = document.title;
  const seen = new Set();
  let retry = 1000;

  document.querySelectorAll("#transcript li[data-seq]").forEach(function (li) {
    seen.add(li.dataset.seq);
  });

  function el(tag, text, className) {
    const node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = text;
    if (className) node.className = className;
    return node;
  }

  function clearChildren(node) {
    while (node.firstChild) node.removeChild(node.firstChild);
  }

  // The server formats times in the service's zone: the browser's zone and locale may differ.
  function time(iso, text) {
    const t = el("time", text);
    t.dateTime = iso;
    return t;
  }

  // -- the queue -------------------------------------------------------------------------
  function renderQueue(cases) {
    const rows = document.getElementById("queue-rows");
    if (!rows) return;
    clearChildren(rows);
    cases.forEach(function (c) {
      const tr = el("tr", null, c.urgent ? "case urgent" : c.priority ? "case priority" : "case");
      tr.dataset.label = c.id;
      const th = el("th");
      th.scope = "row";
      if (c.urgent) {
        th.appendChild(el("strong", "Urgent", "badge"));
        th.appendChild(document.createTextNode(" "));
      } else if (c.priority) {
        th.appendChild(el("strong", "Priority", "badge priority"));
        th.appendChild(document.createTextNode(" "));
      }
      const link = el("a", c.label);
      link.href = "/desk/case/" + encodeURIComponent(c.id);
      th.appendChild(link);
      tr.appendChild(th);
      [c.status_text, c.age_band, c.language_name, c.service || "-", c.worker_name || "-"]
        .forEach(function (text) { tr.appendChild(el("td", text)); });
      const since = el("td");
      since.appendChild(time(c.waiting_since, c.waiting_since_local));
      if (c.overdue) {
        since.appendChild(document.createTextNode(" "));
        since.appendChild(el("strong", "Overdue", "badge overdue"));
      }
      tr.appendChild(since);
      rows.appendChild(tr);
    });
    document.getElementById("queue-empty").hidden = cases.length > 0;
    const urgent = cases.some(function (c) {
      return (c.urgent || c.overdue) && c.status === "waiting";
    });
    document.title = (urgent ? "(!) " : "") + baseTitle;
  }

  function onEvent(kind, c) {
    if (kind === "urgent") {
      announce.textContent = "Urgent: case " + c.label + " needs a worker now.";
    } else if (kind === "overdue") {
      announce.textContent = "Case " + c.label + " has waited longer than it should. Please answer it.";
    } else if (kind === "priority" || (kind === "opened" && c.priority)) {
      liveState.textContent = "Priority case " + c.label + " is waiting.";
    } else if (kind === "opened") {
      liveState.textContent = "New case " + c.label + " is waiting.";
    }
  }

  // -- one case --------------------------------------------------------------------------
  function show(id, visible) {
    const node = document.getElementById(id);
    if (node) node.hidden = !visible;
  }

  function renderCase(c) {
    if (c.id !== caseId) return;
    const facts = { status_text: c.status_text, age_band: c.age_band, language_name: c.language_name,
                    service: c.service, reason: c.reason, worker_name: c.worker_name };
    Object.keys(facts).forEach(function (key) {
      const dd = document.getElementById("fact-" + key);
      if (dd) dd.textContent = facts[key] || "-";
    });
    const open = c.status !== "closed";
    show("urgent-flag", c.urgent);
    show("priority-flag", c.priority);
    show("send-form", c.mine);
    show("replies", c.mine);
    show("claim-form", open && !c.mine);
    show("note-form", open);
    show("actions", open);
    root.dataset.status = c.status;
    root.dataset.mine = c.mine ? "1" : "0";
  }

  function addMessage(m) {
    const log = document.getElementById("transcript");
    if (!log || seen.has(String(m.seq))) return;
    seen.add(String(m.seq));
    const li = el("li", null, "msg " + m.sender);
    li.dataset.seq = m.seq;
    const who = m.sender === "young_person" ? "Young person" : (m.name || "Worker") + " (worker)";
    li.appendChild(el("span", who, "who"));
    li.appendChild(document.createTextNode(" "));
    li.appendChild(el("span", m.text, "text"));
    log.appendChild(li);
    li.scrollIntoView({ block: "nearest" });
  }

  function addNote(n) {
    const list = document.getElementById("notes");
    const li = el("li");
    li.appendChild(el("span", n.who, "who"));
    li.appendChild(document.createTextNode(" "));
    li.appendChild(el("span", n.text, "text"));
    list.appendChild(li);
  }

  // -- the socket ------------------------------------------------------------------------
  function handle(frame) {
    if (frame.type === "queue") renderQueue(frame.cases);
    else if (frame.type === "event") onEvent(frame.kind, frame.case);
    else if (frame.type === "case") renderCase(frame.case);
    else if (frame.type === "message") addMessage(frame.message);
  }

  function connect() {
    const scheme = window.location.protocol === "https:" ? "wss:" : "ws:";
    let url = scheme + "//" + window.location.host + "/desk/ws?csrf=" + encodeURIComponent(csrf);
    if (caseId) url += "&case=" + encodeURIComponent(caseId);
    const socket = new WebSocket(url);
    socket.addEventListener("open", function () {
      retry = 1000;
      root.dataset.live = "1";
      liveState.textContent = "Live: changes appear here as they happen.";
    });
    socket.addEventListener("message", function (event) {
      handle(JSON.parse(event.data));
    });
    socket.addEventListener("close", function (event) {
      root.dataset.live = "0";
      if (event.code === 4401 || event.code === 4403) {
        liveState.textContent = "You are logged out. Reload the page to log in again.";
        return;
      }
      liveState.textContent = "Live updates paused. Trying again...";
      window.setTimeout(connect, retry);
      retry = Math.min(retry * 2, 30000);
    });
  }

  // -- the forms -------------------------------------------------------------------------
  const error = document.getElementById("desk-error");
  document.querySelectorAll("form.live").forEach(function (form) {
    form.addEventListener("submit", async function (event) {
      event.preventDefault();
      const button = form.querySelector("button[type=submit]");
      button.disabled = true;
      error.hidden = true;
      try {
        const response = await fetch(form.action, {
          method: "POST",
          credentials: "same-origin",
          headers: { Accept: "application/json" },
          body: new FormData(form),
        });
        const data = await response.json().catch(function () { return {}; });
        if (!response.ok) {
          error.textContent = data.error || "That did not work. Reload the page and try again.";
          error.hidden = false;
          return;
        }
        const text = form.querySelector("textarea");
        if (text) text.value = "";
        if (data.note) addNote(data.note);
        if (root.dataset.live !== "1") window.location.reload();
        if (form.id === "claim-form") {
          const send = document.getElementById("send-text");
          window.setTimeout(function () { if (send && !send.closest("form").hidden) send.focus(); }, 300);
        }
      } catch (e) {
        error.textContent = "That did not work. Check the connection and try again.";
        error.hidden = false;
      } finally {
        button.disabled = false;
      }
    });
  });
  const sendText = document.getElementById("send-text");
  // Approved replies: put the chosen one in the message box, to change and send.
  document.querySelectorAll("button.reply-pick").forEach(function (button) {
    button.addEventListener("click", function () {
      if (!sendText) return;
      sendText.value = button.dataset.text;
      sendText.focus();
    });
  });
  if (sendText) {
    sendText.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && !event.shiftKey) {
        event.preventDefault();
        sendText.form.requestSubmit();
      }
    });
  }

  liveState.textContent = "Connecting to live updates...";
  connect();
})();
