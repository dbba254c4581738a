// SafeVoice web chat. Builds every element with textContent: no HTML from the server is
// ever parsed, so a message cannot inject markup. Nothing is stored in the browser.
// While a worker answers, a long poll (/chat/events) brings their messages to the page.
"use strict";
(function () {
  const body = document.body;
  const log = document.getElementById("log");
  const choices = document.getElementById("choices");
  const typed = document.getElementById("typed");
  const text = document.getElementById("text");
  const csrf = body.dataset.csrf;
  const preview = body.dataset.flow ? { flow: body.dataset.flow, band: body.dataset.band } : null;
  let busy = false;
  let after = 0;
  let leaving = false;

  function clearChildren(node) {
    while (node.firstChild) node.removeChild(node.firstChild);
  }

  // "Leave quickly": wipe the page first, tell the server to forget, then replace this
  // history entry so Back does not return here.
  function leave(event) {
    if (event) event.preventDefault();
    leaving = true;
    clearChildren(log);
    clearChildren(choices);
    text.value = "";
    const form = new FormData();
    form.append("csrf", csrf);
    try { navigator.sendBeacon("/chat/leave", form); } catch (e) { /* leave anyway */ }
    document.title = "";
    window.location.replace(body.dataset.neutral);
  }
  document.getElementById("leave-form").addEventListener("submit", leave);

  function payload(kind, value, step) {
    const data = { kind: kind, value: value, step: step, lang: body.dataset.lang };
    if (preview) {
      data.preview = true;
      if (kind === "start") { data.flow = preview.flow; data.band = preview.band; }
    }
    return data;
  }

  async function send(kind, value, step, shown) {
    if (busy) return;
    busy = true;
    body.dataset.busy = "1";
    const mine = shown ? addMessage(shown, "me", document.documentElement.lang,
                                    document.documentElement.dir) : null;
    try {
      const response = await fetch("/chat/turn", {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
        body: JSON.stringify(payload(kind, value, step)),
      });
      if (!response.ok) throw new Error("turn failed");
      const data = await response.json();
      if (data.relayed) {
        // It went to the worker: a small tick, and the page stays as it is.
        if (mine) markSent(mine);
      } else {
        render(data);
      }
    } catch (e) {
      addMessage("Something went wrong. Please reload the page.", "bot", "en", "ltr");
    } finally {
      busy = false;
      body.dataset.busy = "0";
    }
  }

  function addMessage(content, who, lang, dir) {
    const p = document.createElement("p");
    p.className = "msg " + who;
    p.lang = lang;
    p.dir = dir;
    p.textContent = content;
    log.appendChild(p);
    p.scrollIntoView({ block: "end" });
    return p;
  }

  function markSent(p) {
    const tick = document.createElement("span");
    tick.className = "sent";
    tick.textContent = " \u2713";
    p.appendChild(tick);
    p.dataset.sent = "1";
  }

  function button(label, value, onClick, pressed) {
    const b = document.createElement("button");
    b.type = "button";
    b.dataset.value = value;
    b.textContent = label;
    if (pressed !== undefined) b.setAttribute("aria-pressed", pressed ? "true" : "false");
    b.addEventListener("click", onClick);
    return b;
  }

  function applyUi(ui) {
    document.getElementById("leave").textContent = ui.leave;
    document.getElementById("send").textContent = ui.send;
    document.getElementById("text-label").textContent = ui.answer;
    document.querySelector(".menu summary").textContent = ui.menu;
    log.setAttribute("aria-label", ui.conversation);
    document.querySelectorAll("button.command").forEach(function (b) {
      b.textContent = ui[b.dataset.command];
    });
  }

  function render(data) {
    document.documentElement.lang = data.lang;
    document.documentElement.dir = data.dir;
    body.dataset.lang = data.lang;
    applyUi(data.ui);
    clearChildren(choices);
    typed.hidden = true;
    let ask = null;
    data.messages.forEach(function (m) {
      addMessage(m.text, "bot", m.lang, m.dir);
      if (m.input !== "none") ask = m;
    });
    if (!ask) {
      typed.hidden = false;
      return;
    }
    choices.lang = ask.lang;
    choices.dir = ask.dir;
    choices.setAttribute("aria-label", ask.text);
    ask.options.forEach(function (o) {
      const multi = ask.input === "multi";
      const picked = ask.selected.indexOf(o.value) >= 0;
      choices.appendChild(button(o.label, o.value, function () {
        send("button", o.value, ask.step, multi ? null : o.label);
      }, multi ? picked : undefined));
    });
    [ask.done, ask.skip].forEach(function (o) {
      if (o) choices.appendChild(button(o.label, o.value, function () {
        send("button", o.value, ask.step, o.label);
      }));
    });
    typed.dataset.step = ask.step || "";
    if (ask.input === "text") typed.hidden = false;
    const first = ask.input === "text" ? text : choices.querySelector("button");
    if (first) first.focus();
  }

  typed.addEventListener("submit", function (event) {
    event.preventDefault();
    const value = text.value.trim();
    if (!value) return;
    text.value = "";
    send("text", value, null, value);
  });
  text.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey) {
      event.preventDefault();
      typed.requestSubmit();
    }
  });
  document.querySelectorAll("button.command").forEach(function (b) {
    b.addEventListener("click", function () {
      b.closest("details").open = false;
      send("command", b.dataset.command, null, b.textContent);
    });
  });

  // Worker messages: wait for them, show them, ask again. A 403 means the visit is gone.
  async function poll() {
    while (!leaving) {
      try {
        const response = await fetch("/chat/events?after=" + after, {
          credentials: "same-origin",
          headers: { "X-CSRF-Token": csrf },
        });
        if (response.status === 403) return;
        if (!response.ok) throw new Error("poll failed");
        const data = await response.json();
        after = data.next;
        if (!leaving) data.batches.forEach(render);
      } catch (e) {
        await new Promise(function (resolve) { window.setTimeout(resolve, 5000); });
      }
    }
  }

  send("start", "", null, null);
  if (!preview) poll();
})();
