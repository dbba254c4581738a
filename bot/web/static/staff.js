// Staff pages: a "Show" button beside each password field, so a long passphrase can be
// checked before it is sent (ASVS 2.1.12). Without scripts the fields work as before.
// In the flow studio, the step a "try it" conversation (chat.js, another tab of this
// site) is on is marked on the diagram and in the list of steps.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  for (const field of document.querySelectorAll('input[type="password"]')) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "show-password";
    button.textContent = "Show";
    button.setAttribute("aria-pressed", "false");
    button.setAttribute("aria-controls", field.id);
    const label = field.labels && field.labels[0] ? field.labels[0].textContent : "password";
    button.setAttribute("aria-label", `Show ${label}`);
    button.addEventListener("click", () => {
      const shown = field.type === "text";
      field.type = shown ? "password" : "text";
      button.setAttribute("aria-pressed", String(!shown));
      button.textContent = shown ? "Show" : "Hide";
    });
    field.insertAdjacentElement("afterend", button);
  }
  const diagram = document.querySelector("svg.diagram[data-flow]");
  if (diagram && "BroadcastChannel" in window) {
    const channel = new BroadcastChannel("safevoice-try");
    channel.addEventListener("message", (event) => markStep(diagram, event.data));
  }
  // A meter under a new password: the server's own check (length, breached lists,
  // zxcvbn), asked a moment after typing stops, so the refusal never comes as a surprise
  // (ASVS 2.1.8). Nothing is sent until 12 characters are typed.
  for (const field of document.querySelectorAll("input[data-strength]")) {
    const out = document.getElementById(field.getAttribute("aria-describedby"));
    const csrf = field.form && field.form.querySelector('input[name="csrf"]');
    let timer = null;
    field.addEventListener("input", () => {
      clearTimeout(timer);
      if (!out || !csrf) return;
      if (field.value.length < 12) {
        out.textContent = field.value ? "A password needs at least 12 characters." : "";
        return;
      }
      timer = setTimeout(async () => {
        const body = new URLSearchParams({ csrf: csrf.value, new: field.value });
        try {
          const answer = await fetch(field.dataset.strength, { method: "POST", body });
          if (!answer.ok) return;
          const result = await answer.json();
          out.textContent = result.message;
          out.className = result.ok ? "hint good" : "hint weak";
        } catch (error) {
          out.textContent = "";
        }
      }, 400);
    });
  }
});

// Mark the step `data.at` names, if it is in this page's flow; say where it is in words
// (a status line, "Now here" on the box and in the list, aria-current): not colour only.
function markStep(diagram, data) {
  for (const box of diagram.querySelectorAll("g.current")) box.classList.remove("current");
  for (const item of document.querySelectorAll('.steps li[aria-current="step"]')) {
    item.removeAttribute("aria-current");
  }
  for (const note of document.querySelectorAll(".steps .here")) note.remove();
  const status = document.getElementById("try-status");
  const at = data && typeof data === "object" ? data.at : null;
  let said = "Trying it: the conversation is not waiting at any step now.";
  const here = at && at.scope === diagram.dataset.scope && at.flow === diagram.dataset.flow;
  const box = here ? document.getElementById(`box-${at.step}`) : null;
  const section = here ? document.getElementById(`step-${at.step}`) : null;
  if (box && section) {
    box.classList.add("current");
    const item = section.closest("li");
    item.setAttribute("aria-current", "step");
    const note = document.createElement("span");
    note.className = "here";
    note.textContent = "Now here: ";
    section.querySelector("h3").prepend(note);
    said = `Trying it: now at step ${at.step}.`;
  } else if (at) {
    said = `Trying it: the conversation is in the flow ${at.flow} now (step ${at.step}).`;
  }
  if (status) status.textContent = said;
}
