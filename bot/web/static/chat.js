// SafeVoice web chat. Builds every element with textContent: no HTML from the server is
// ever parsed, so a message cannot inject markup.
//
// The browser keeps two things, in this tab's sessionStorage only: the visit token the
// server minted, and how far the worker's messages were read. Only after a young person
// asks to hear back about a service does it keep one more, in localStorage: the news
// token, so a later visit shows what changed (bot/web/chat_news.py). "Leave quickly" and
// "Delete my data" clear all of them, and the page. A reload asks the server where the
// conversation is (/chat/state) and shows that question again.
// While a case is open the text box stays, and a long poll (/chat/events) brings what
// the worker writes.
"use strict";
(function () {
  const body = document.body;
  const log = document.getElementById("log");
  const choices = document.getElementById("choices");
  const typed = document.getElementById("typed");
  const text = document.getElementById("text");
  const count = document.getElementById("count");
  const preview = body.dataset.flow ? { flow: body.dataset.flow, band: body.dataset.band } : null;
  const max = Number(body.dataset.max) || 2000;
  const VISIT = "safevoice-visit";
  const AFTER = "safevoice-after";
  const NEWS = "safevoice-news";
  let visit = remembered(VISIT);
  let after = Number(remembered(AFTER)) || 0;
  let question = null; // the question on screen, with its buttons
  let caseOpen = false;
  let busy = false;
  let polling = false;
  let leaving = false;
  let booted = false; // the first answer from the server has come
  // "Try it" from the flow studio: which step the conversation is on goes to the studio's
  // page in this browser (staff.js), to mark it on the diagram. Previews only.
  const studio = preview && "BroadcastChannel" in window
    ? new BroadcastChannel("safevoice-try") : null;

  // sessionStorage can be switched off; the chat then works until the tab reloads.
  function remembered(name) {
    try { return window.sessionStorage.getItem(name); } catch (e) { return null; }
  }
  function remember(name, value) {
    try { window.sessionStorage.setItem(name, String(value)); } catch (e) { /* kept here */ }
  }
  function news() {
    try { return window.localStorage.getItem(NEWS); } catch (e) { return null; }
  }
  function keepNews(token) {
    try { window.localStorage.setItem(NEWS, String(token)); } catch (e) { /* this visit only */ }
  }
  function clearStorage() {
    try { window.sessionStorage.clear(); } catch (e) { /* nothing kept */ }
    try { window.localStorage.clear(); } catch (e) { /* nothing kept */ }
  }

  function clearChildren(node) {
    while (node.firstChild) node.removeChild(node.firstChild);
  }

  // The transcript, the question, the box and what the browser keeps: all gone.
  function wipe() {
    clearChildren(log);
    clearChildren(choices);
    question = null;
    text.value = "";
    updateCount();
    clearStorage();
    after = 0;
  }

  // Take the token the server gave (it may be a new one: ours was unknown, or our data
  // was deleted). A new visit reads its own mailbox from the start.
  function adopt(token) {
    if (!token) return;
    if (token !== visit) {
      visit = token;
      after = 0;
      remember(AFTER, 0);
    }
    remember(VISIT, token);
    if (!polling && !preview && !leaving && booted) poll();
  }

  // "Leave quickly": wipe the page first, tell the server to forget, then replace this
  // history entry so Back does not return here.
  function leave(event) {
    if (event) event.preventDefault();
    leaving = true;
    const token = visit;
    const held = news();
    wipe();
    const form = new FormData();
    if (token) form.append("visit", token);
    if (held) form.append("news", held); // nothing can show that news again: end it
    try { navigator.sendBeacon("/chat/leave", form); } catch (e) { /* leave anyway */ }
    document.title = "";
    window.location.replace(body.dataset.neutral);
  }
  document.getElementById("leave-form").addEventListener("submit", leave);

  function headers(extra) {
    const all = Object.assign({}, extra || {});
    if (visit) all["X-Visit"] = visit;
    const held = news();
    if (held) all["X-News"] = held;
    return all;
  }

  function payload(kind, value, step) {
    const data = { kind: kind, value: value, step: step, lang: body.dataset.lang };
    // The browser's languages, most wanted first: the first guess at the young person's
    // language (the language question still asks). A link's own language goes first.
    if (kind === "start" && !body.dataset.linked) data.languages = browserLanguages();
    // A deep link's name (?start=<name>): its flow comes after language and age band.
    if (kind === "start" && body.dataset.start) data.start = body.dataset.start;
    if (preview) {
      data.preview = true;
      if (kind === "start") { data.flow = preview.flow; data.band = preview.band; }
    }
    return data;
  }

  function browserLanguages() {
    const wanted = navigator.languages && navigator.languages.length
      ? Array.from(navigator.languages) : [navigator.language || ""];
    return wanted.slice(0, 10).join(",").slice(0, 200);
  }

  function setBusy(on) {
    busy = on;
    body.dataset.busy = on ? "1" : "0";
  }

  // One turn. Returns whether the server answered.
  async function send(kind, value, step, shown) {
    if (busy) return false;
    setBusy(true);
    const mine = shown ? addMessage(shown, "me", null, "auto") : null;
    let answered = false;
    try {
      const response = await fetch("/chat/turn", {
        method: "POST",
        headers: headers({ "Content-Type": "application/json" }),
        body: JSON.stringify(payload(kind, value, step)),
      });
      if (!response.ok) throw new Error("turn failed");
      const data = await response.json();
      answered = true;
      if (data.deleted) wipe();
      if (data.news) keepNews(data.news);
      adopt(data.visit);
      // It went to the worker: a small tick. What the server said besides is shown too.
      if (data.relayed && mine) markSent(mine);
      render(data, true);
      if (studio && "at" in data) studio.postMessage({ at: data.at, band: preview.band });
    } catch (e) {
      addMessage("Something went wrong. Please reload the page.", "bot", "en", "ltr");
    } finally {
      setBusy(false);
    }
    return answered;
  }

  function addMessage(content, who, lang, dir) {
    const p = document.createElement("p");
    p.className = "msg " + who;
    if (lang) p.lang = lang;
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
    b.dir = "auto"; // a name in its own script ("العربية" among Latin ones) reads right
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

  // Every message is shown. Turns and resumes say which question waits (`ask`, maybe
  // none) and whether a case is open; a worker's messages leave the question as it is,
  // unless they bring one (the rating after a chat).
  function render(data, fromTurn) {
    document.documentElement.lang = data.lang;
    document.documentElement.dir = data.dir;
    body.dataset.lang = data.lang;
    applyUi(data.ui);
    let ask = null;
    data.messages.forEach(function (m) {
      addMessage(m.text, "bot", m.lang, m.dir);
      if (m.input !== "none") ask = m;
    });
    if (typeof data.case === "boolean") caseOpen = data.case;
    if ("ask" in data) ask = data.ask;
    if ("ask" in data || ask) showQuestion(ask, fromTurn || document.activeElement !== text);
    updateTyped();
  }

  function showQuestion(ask, focus) {
    clearChildren(choices);
    question = ask;
    if (!ask) return;
    choices.lang = ask.lang;
    choices.dir = ask.dir;
    choices.setAttribute("aria-label", ask.text);
    const multi = ask.input === "multi";
    ask.options.forEach(function (o) {
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
    if (!focus) return;
    const first = ask.input === "text" ? text : choices.querySelector("button");
    if (first) {
      if (first === text) typed.hidden = false;
      first.focus();
    }
  }

  // A text box whenever typing goes somewhere: a question that wants words, no question
  // at all, or an open case (what is typed then goes to the worker).
  function updateTyped() {
    typed.hidden = !(caseOpen || !question || question.input === "text");
  }

  function length(value) {
    return Array.from(value).length; // characters, as the server counts them
  }

  // Near and over the limit, a counter; nothing is cut off here. Too long a text is
  // sent anyway, so the server's words say why it was not taken, and stays in the box.
  function updateCount() {
    const n = length(text.value);
    count.hidden = n <= max * 0.8;
    count.textContent = n + " / " + max;
    count.classList.toggle("over", n > max);
    if (n > max) text.setAttribute("aria-invalid", "true");
    else text.removeAttribute("aria-invalid");
  }
  text.addEventListener("input", updateCount);

  typed.addEventListener("submit", async function (event) {
    event.preventDefault();
    const value = text.value.trim();
    if (!value || busy) return;
    const tooLong = length(value) > max;
    if (!tooLong) {
      text.value = "";
      updateCount();
    }
    const answered = await send("text", value, null, tooLong ? null : value);
    if (!answered && !text.value) {
      text.value = value; // nothing arrived: the words are not lost
      updateCount();
    }
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

  function pause(ms) {
    return new Promise(function (resolve) { window.setTimeout(resolve, ms); });
  }

  // Worker messages: wait for them, show them, ask again, for as long as the page is
  // open. A 403 means the token is not ours any more: the next turn brings a new one
  // and starts the loop again (adopt).
  async function poll() {
    if (polling || preview) return;
    polling = true;
    try {
      while (!leaving) {
        let data;
        try {
          const response = await fetch("/chat/events?after=" + after, { headers: headers() });
          if (response.status === 403) return;
          if (!response.ok) throw new Error("poll failed");
          data = await response.json();
        } catch (e) {
          await pause(5000);
          continue;
        }
        if (leaving) return;
        data.batches.forEach(function (batch) {
          try { render(batch, false); } catch (e) { /* show the next one */ }
        });
        // Whether a case is open changes with a delivery (claimed, closed), or in a turn.
        if (data.batches.length && typeof data.case === "boolean") {
          caseOpen = data.case;
          updateTyped();
        }
        after = data.next;
        remember(AFTER, after);
      }
    } finally {
      polling = false;
    }
  }

  // On load: resume where the conversation is, or begin one.
  async function boot() {
    setBusy(true);
    let resumed = false;
    try {
      const response = await fetch("/chat/state" + (preview ? "?preview=1" : ""),
                                   { headers: headers() });
      if (!response.ok) throw new Error("state failed");
      const data = await response.json();
      adopt(data.visit);
      if (data.resumed) {
        render(data, true);
        resumed = true;
      }
    } catch (e) { /* begin afresh */ }
    booted = true;
    setBusy(false);
    // A followed deep link starts, even in a conversation already going; once only, so
    // a reload does not start it again.
    const linked = Boolean(body.dataset.start);
    if (!resumed || linked) await send("start", "", null, null);
    if (linked) {
      delete body.dataset.start;
      const url = new URL(window.location.href);
      url.searchParams.delete("start");
      window.history.replaceState(null, "", url.pathname + url.search);
    }
    poll();
  }

  updateCount();
  boot();
})();
