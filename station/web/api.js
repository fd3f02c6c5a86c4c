// The pages' link to the station: JSON API calls with the role's token, live events, and a
// few DOM helpers. Plain JS, no build step, nothing fetched from outside the station.
"use strict";

/** h("div", {class: "x", onclick: fn}, "text", child…) → an element. Text is always text. */
function h(tag, props, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(props || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === "class") el.className = v;
    else if (k === "text") el.textContent = v;
    else if (k === "i18n") { el.dataset.i18n = v; el.textContent = I18N.t(v); }
    else if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    else if (k === "dataset") Object.assign(el.dataset, v);
    else if (k in el && typeof v !== "string") el[k] = v;
    else el.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

const $ = (sel, root) => (root || document).querySelector(sel);

/** Replace an element's children, leaving out the null / false ones conditionals give. */
function fill(el, ...children) {
  el.replaceChildren(...children.flat().filter((c) => c !== null && c !== undefined && c !== false));
  return el;
}

class ApiError extends Error {
  constructor(status, detail) {
    super(typeof detail === "string" ? detail : (detail && (detail.en || detail.zh)) || `HTTP ${status}`);
    this.status = status;
    this.detail = detail;
  }
  text() {
    if (this.detail && typeof this.detail === "object") return I18N.bi(this.detail);
    if (this.status === 0) return I18N.t("api.offline");
    return this.message;
  }
}

const Auth = {
  // Tokens are entered once per browser and kept here; sent as a bearer token.
  token: (role) => localStorage.getItem(`station.token.${role}`) || "",
  name: (role) => localStorage.getItem(`station.name.${role}`) || "",
  save(role, token, name) {
    localStorage.setItem(`station.token.${role}`, token);
    localStorage.setItem(`station.name.${role}`, name);
  },
  forget(role) {
    localStorage.removeItem(`station.token.${role}`);
  },
};

const Api = {
  headers(role, actor) {
    const out = {};
    if (role && Auth.token(role)) out.Authorization = `Bearer ${Auth.token(role)}`;
    const who = actor || (role && Auth.name(role));
    if (who) out["X-Actor"] = encodeURIComponent(who);
    return out;
  },
  async call(method, path, { role, actor, json, body, token } = {}) {
    const headers = this.headers(role, actor);
    if (token) headers.Authorization = `Bearer ${token}`;
    if (json !== undefined) {
      headers["Content-Type"] = "application/json";
      body = JSON.stringify(json);
    }
    let r;
    try {
      r = await fetch(path, { method, headers, body, cache: "no-store" });
    } catch (e) {
      throw new ApiError(0, null);
    }
    const type = r.headers.get("content-type") || "";
    const data = type.includes("json") ? await r.json() : await r.text();
    if (!r.ok) throw new ApiError(r.status, data && data.detail !== undefined ? data.detail : data);
    return data;
  },
  get(path, opts) { return this.call("GET", path, opts); },
  post(path, json, role, actor) { return this.call("POST", path, { json, role, actor }); },
  upload(file, role) {
    return this.call("POST", `/api/images?name=${encodeURIComponent(file.name.slice(0, 200))}`, { body: file, role });
  },
};

/** A short message at the bottom right; errors stay longer. */
function toast(message, isError) {
  document.querySelectorAll(".toast").forEach((t) => t.remove());
  const el = h("div", { class: isError ? "toast error" : "toast", role: "status", text: message });
  document.body.append(el);
  setTimeout(() => el.remove(), isError ? 8000 : 3500);
}

function showError(err) {
  toast(err instanceof ApiError ? err.text() : String(err), true);
}

/**
 * Live events from /api/events. EventSource reconnects by itself after a network error;
 * when the server refused the stream (readyState CLOSED) we open a new one. `badge` shows
 * "reconnecting" while there is no stream, so nobody reads stale numbers as live.
 */
function liveEvents(handlers, badge) {
  let es = null;
  const down = (isDown) => badge && badge.classList.toggle("down", isDown);
  function open() {
    es = new EventSource("/api/events");
    es.onopen = () => down(false);
    es.onerror = () => {
      down(true);
      if (es.readyState === EventSource.CLOSED) setTimeout(open, 2000);
    };
    for (const [kind, fn] of Object.entries(handlers)) {
      es.addEventListener(kind, (ev) => {
        down(false);
        fn(JSON.parse(ev.data));
      });
    }
  }
  open();
  window.addEventListener("pagehide", () => es && es.close());
}

/**
 * The person at this screen: their token (checked with /api/whoami) and their name, asked
 * once per browser. `onReady` runs when a token of the right role is present.
 */
function identity(role, slot, onReady, { askName = true } = {}) {
  const dlg = h("dialog", { id: "who-dialog" });
  const err = h("div", { class: "error" });
  const tokenIn = h("input", { type: "password", name: "token", autocomplete: "off", required: true });
  const nameIn = h("input", { type: "text", name: "name", maxlength: 40, required: askName });
  const form = h("form", { method: "dialog" },
    h("h2", { i18n: `who.title.${role}` }),
    h("label", { class: "field" }, h("span", { i18n: "who.token" }), tokenIn),
    askName ? h("label", { class: "field" }, h("span", { i18n: `who.name.${role}` }), nameIn) : null,
    h("div", { class: "small muted", i18n: "who.kept" }),
    err,
    h("div", { class: "actions" }, h("button", { class: "btn primary", type: "submit", i18n: "who.save" })));
  dlg.append(form);
  document.body.append(dlg);
  dlg.addEventListener("cancel", (e) => { if (!Auth.token(role)) e.preventDefault(); });
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    err.textContent = "";
    const token = tokenIn.value.trim();
    try {
      const me = await Api.get("/api/whoami", { token });
      if (me.role !== role) {
        err.textContent = I18N.t(`who.wrong.${role}`);
        return;
      }
    } catch (x) {
      err.textContent = x instanceof ApiError ? x.text() : String(x);
      return;
    }
    Auth.save(role, token, askName ? nameIn.value.trim() : Auth.name(role));
    dlg.close();
    render();
    onReady();
  });

  function render() {
    fill(slot,
      h("span", { class: "who" }, Auth.name(role) || I18N.t(`role.${role}`)),
      h("button", { type: "button", i18n: "who.change", onclick: ask }));
  }
  function ask() {
    tokenIn.value = "";
    nameIn.value = Auth.name(role);
    err.textContent = "";
    dlg.showModal();
    tokenIn.focus();
  }
  I18N.onChange(render);
  render();
  if (Auth.token(role)) onReady();
  else ask();
  return { ask };
}

/** Ask for a reason (pause, close…). Resolves to the text, or null when cancelled. */
function askReason(titleKey, preset) {
  return new Promise((resolve) => {
    const input = h("textarea", { rows: 2, maxlength: 500, required: true, name: "reason" });
    input.value = preset || "";
    const dlg = h("dialog", { id: "reason-dialog" });
    const form = h("form", { method: "dialog" },
      h("h2", { i18n: titleKey }),
      h("label", { class: "field" }, h("span", { i18n: "reason.label" }), input),
      h("div", { class: "actions" },
        h("button", { class: "btn", type: "button", i18n: "reason.cancel", onclick: () => dlg.close("") }),
        h("button", { class: "btn primary", type: "submit", value: "ok", i18n: "reason.ok" })));
    dlg.append(form);
    document.body.append(dlg);
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      if (input.value.trim()) dlg.close("ok");
    });
    dlg.addEventListener("close", () => {
      resolve(dlg.returnValue === "ok" ? input.value.trim() : null);
      dlg.remove();
    });
    dlg.showModal();
    input.focus();
  });
}

/** The header of a working page (title, election, connection, who, language), then the
 *  page's static texts. */
function pageSetup() {
  const top = document.querySelector("header.top[data-page]");
  if (top) {
    fill(top,
      h("h1", { dataset: { i18n: document.body.dataset.title } }),
      h("span", { class: "sub", id: "election" }),
      h("span", { class: "spacer" }),
      h("span", { class: "conn", id: "conn", dataset: { i18n: "conn.down" } }),
      h("span", { id: "who" }),
      h("button", { type: "button", dataset: { langSwitch: "", i18n: "lang.other" } }));
  }
  I18N.apply();
  const sw = document.querySelector("[data-lang-switch]");
  if (sw) sw.addEventListener("click", () => I18N.set(I18N.lang === "en" ? "zh" : "en"));
}

const fmt = {
  n: (v) => (v === null || v === undefined ? "—" : String(v)),
  short: (sha) => (sha || "").slice(0, 10),
  time: (iso) => {
    const d = new Date(iso);
    return isNaN(d) ? iso : d.toLocaleString(I18N.lang === "en" ? "en-GB" : "zh-CN", { hour12: false });
  },
};
