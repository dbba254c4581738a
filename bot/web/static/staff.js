// Staff pages: a "Show" button beside each password field, so a long passphrase can be
// checked before it is sent (ASVS 2.1.12). Without scripts the fields work as before.
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
