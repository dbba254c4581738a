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
});
