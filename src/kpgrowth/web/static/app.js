// kpgrowth dashboard: login, logout and upload. Plain JS, no build step.
(function () {
  "use strict";
  const csrf = () => (document.querySelector('meta[name="csrf-token"]') || {}).content || "";

  const login = document.getElementById("login-form");
  if (login) {
    login.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      const key = document.getElementById("key").value.trim();
      const r = await fetch("/v1/session", {
        method: "POST", headers: {"Content-Type": "application/json"},
        body: JSON.stringify({key: key}), credentials: "same-origin"});
      if (r.ok) { window.location.assign(login.dataset.next || "/"); }
      else { document.getElementById("login-error").hidden = false; }
    });
  }

  const logout = document.getElementById("logout");
  if (logout) {
    logout.addEventListener("click", async () => {
      await fetch("/v1/session", {method: "DELETE", headers: {"X-CSRF-Token": csrf()},
                                  credentials: "same-origin"});
      window.location.assign("/login");
    });
  }

  const mapping = document.getElementById("upload-mapping");
  if (mapping) {  // a mapping knows its table
    mapping.addEventListener("change", () => {
      const table = mapping.selectedOptions[0].dataset.table;
      if (table) { document.getElementById("upload-table").value = table; }
    });
  }

  // re-read parts of this page (row counts, quarantine) after a change
  async function refresh(ids) {
    const r = await fetch(window.location.href, {credentials: "same-origin"});
    if (!r.ok) { return; }
    const fresh = new DOMParser().parseFromString(await r.text(), "text/html");
    for (const id of ids) {
      const now = document.getElementById(id), next = fresh.getElementById(id);
      if (now && next) { now.replaceWith(next); }
    }
  }

  const upload = document.getElementById("upload-form");
  if (upload) {
    upload.addEventListener("submit", (ev) => {
      ev.preventDefault();
      const box = document.getElementById("upload-progress");
      const bar = box.querySelector("progress");
      const status = box.querySelector(".status");
      const out = document.getElementById("upload-result");
      const button = upload.querySelector("button");
      const xhr = new XMLHttpRequest();
      xhr.open("POST", upload.action);
      xhr.setRequestHeader("X-CSRF-Token", csrf());
      xhr.upload.addEventListener("progress", (e) => {
        if (e.lengthComputable) { bar.value = Math.round(100 * e.loaded / e.total); }
      });
      xhr.upload.addEventListener("load", () => {  // sent: now the server validates
        bar.removeAttribute("value");
        status.textContent = upload.dataset.ingesting;
      });
      xhr.addEventListener("loadend", () => {
        box.hidden = true; button.disabled = false;
        const type = xhr.getResponseHeader("Content-Type") || "";
        if (type.startsWith("text/html")) {
          out.innerHTML = xhr.responseText;
          if (xhr.status === 200) { refresh(["tables-section", "quarantine"]); }
          return;
        }
        let detail = xhr.statusText;
        try { detail = JSON.parse(xhr.responseText).detail || detail; } catch (e) { /* keep */ }
        out.innerHTML = "";
        const div = document.createElement("div");
        div.className = "result failed";
        div.textContent = upload.dataset.failed + ": " + detail;
        out.appendChild(div);
      });
      out.innerHTML = ""; bar.value = 0; status.textContent = upload.dataset.uploading;
      box.hidden = false; button.disabled = true;
      xhr.send(new FormData(upload));
    });
  }
})();
