// 计票工作台: start / pause / close the stage, feed ballot images, and see each ballot as it
// is read, with the counters that must reconcile.
"use strict";

const S = {
  state: null,      // GET /api/state or the latest `count` event
  list: [],         // GET /api/ballots (current stage): the reading record
  detail: null,     // the ballot in the middle: GET /api/ballots/{sha}/{page} + its list row
  pinned: false,    // true when staff clicked a row; otherwise the newest ballot is shown
  listTimer: null,
  showTimer: null,
  filesFor: null,   // the closed stage whose report links are shown
};

const stageId = () => S.state && S.state.stage.id;

// --- counters and stage --------------------------------------------------------------------
function renderState() {
  const st = S.state;
  if (!st) return;
  $("#election").textContent = `${st.election.title} · ${st.stage.title}`;
  const c = st.counters;
  // counters.box: the ballot box's own count. The ballot-box integration adds it to
  // /api/state; until a box is connected it is absent and shown as "—".
  const box = c.box === undefined ? null : c.box;
  const returnedOver = c.returned !== null && c.issued !== null && c.returned > c.issued;
  const boxDiffers = box !== null && box !== c.images;
  const tile = (key, value, { cls, href, title } = {}) => {
    const v = h("div", { class: "v", text: fmt.n(value) });
    return h("div", { class: `tile ${cls || ""}`, dataset: { counter: key }, title },
      h("div", { class: "k", i18n: `counter.${key}` }),
      href ? h("a", { href }, v) : v);
  };
  fill($("#counters"),
    tile("issued", c.issued),
    tile("box", box, { cls: box === null ? "slot" : boxDiffers ? "warn" : "", title: box === null ? I18N.t("counter.box_none") : null }),
    tile("scanned", c.images, { cls: boxDiffers ? "warn" : "" }),
    tile("returned", c.returned, { cls: returnedOver ? "warn" : "" }),
    tile("valid", c.valid),
    tile("invalid", c.invalid),
    tile("pending", c.pending, { cls: c.pending ? "warn" : "", href: "review.html" }),
    tile("rejected", c.rejected),
    tile("queue", c.queue));
  const notes = [];
  if (st.problem) notes.push(h("div", { class: "problem", text: I18N.bi(st.problem) }));
  if (st.result) {
    notes.push(h("div", { class: st.result.status === "void" || st.result.status === "no_quorum" ? "problem bad" : "small muted",
      style: "margin-top:8px" }, h("span", { class: `badge ${st.result.status}`, i18n: `result.${st.result.status}` }), " ",
    I18N.bi(st.result)));
  }
  if (c.pending) {
    notes.push(h("div", { class: "small", style: "margin-top:6px" },
      h("a", { href: "review.html", id: "review-link", text: I18N.t("staff.review_link", { n: c.pending }) })));
  }
  if (boxDiffers) notes.push(h("div", { class: "problem bad", text: I18N.t("staff.box_differs", { box, n: c.images }) }));
  fill($("#problem"), ...notes);
  renderStage();
}

function renderStage() {
  const st = S.state;
  const s = st.stage;
  fill($("#stage-line"),
    h("strong", { text: s.title }), " ",
    h("span", { class: `badge pill ${s.status}`, id: "stage-status", dataset: { status: s.status }, i18n: `stage.${s.status}` }),
    s.present !== null ? h("div", { class: "small muted", text: I18N.t("staff.attendance", { p: s.present, i: s.issued }) }) : null);
  const running = s.status === "open" || s.status === "paused";
  $("#start-form").classList.toggle("hidden", running);
  $("#run-buttons").classList.toggle("hidden", !running);
  $("#pause-btn").classList.toggle("hidden", s.status !== "open");
  $("#resume-btn").classList.toggle("hidden", s.status !== "paused");
  const pick = $("#stage-pick");
  if (!pick.options.length) {  // built once: a count arriving must not close the open list
    pick.replaceChildren(...st.stages.map((x) => h("option", { value: x.id, text: x.title })));
    pick.value = s.id;
  }
  if (s.status !== "closed") {
    S.filesFor = null;
    fill($("#files"));
  } else if (S.filesFor !== s.id) {
    S.filesFor = s.id;
    loadFiles(s.id);
  }
}

async function loadFiles(id) {
  try {
    const files = await Api.get(`/api/stages/${id}/files`);
    fill($("#files"), h("div", { class: "small", style: "margin-top:8px" },
      h("div", { class: "muted", i18n: "staff.reports" }),
      ...files.map((f) => h("div", {}, h("a", { href: `/api/stages/${id}/files/${encodeURIComponent(f)}`, text: f })))));
  } catch (e) {
    showError(e);
  }
}

// --- the reading record ----------------------------------------------------------------------
function scheduleList() {
  if (S.listTimer) return;
  S.listTimer = setTimeout(async () => {
    S.listTimer = null;
    try {
      S.list = await Api.get("/api/ballots");
      renderList();
    } catch (e) {
      showError(e);
    }
  }, 400);
}

function renderList() {
  const rows = [...S.list].reverse(); // newest first
  $("#recent-n").textContent = I18N.t("staff.n_ballots", { n: S.list.length });
  const sel = S.detail && S.detail.key;
  fill($("#recent"), ...rows.map((b) => h("tr", {
    class: `click ${b.key === sel ? "sel" : ""}`, dataset: { key: b.key, status: b.status },
    onclick: () => { S.pinned = true; showBallot(b.sha256, b.page); },
  },
  h("td", { text: b.page ? `${b.seq}-${b.page + 1}` : String(b.seq) }),
  h("td", { class: "small", text: b.name }),
  h("td", {}, refeed(b)
    ? h("span", { class: "badge failed", i18n: "status.refeed_short" })
    : h("span", { class: `badge ${b.status}`, i18n: `status.${b.status}`, title: b.status === "rejected" ? I18N.bi(b) : null })))));
}

/** A page that could not be read at all: staff put it through again. */
function refeed(b) {
  return b.status === "pending" && (b.outcome === "unreadable" || b.outcome === "not_a_ballot");
}

async function showBallot(sha, page) {
  try {
    const d = await Api.get(`/api/ballots/${sha}/${page}`);
    d.key = `${sha}:${page}`;
    d.sha = sha;
    d.page = page;
    S.detail = d;
    renderDetail();
    renderList();
  } catch (e) {
    showError(e);
  }
}

function renderDetail() {
  const d = S.detail;
  if (!d) return;
  const row = S.list.find((b) => b.key === d.key);
  const title = row ? `#${row.seq} ${row.name}` : fmt.short(d.sha);
  $("#current-body").classList.remove("muted");
  fill($("#current-body"),
    h("div", { class: "row", style: "margin-bottom:6px" },
      h("strong", { class: "grow", text: title }),
      S.pinned ? h("button", { class: "btn", type: "button", i18n: "staff.follow",
        onclick: () => { S.pinned = false; const last = S.list[S.list.length - 1]; if (last) showBallot(last.sha256, last.page); } }) : null),
    Ballots.verdict(d),
    Ballots.counted(d));
  $("#current-body").append(h("div", { class: "imgbox", style: "margin-top:8px" }, Ballots.image(d, d.sha, d.page)));
}

// --- live events -------------------------------------------------------------------------------
function onCount(summary) {
  const before = S.state && S.state.counters;
  S.state = summary;
  renderState();
  const c = summary.counters;
  if (!before || before.valid !== c.valid || before.invalid !== c.invalid || before.pending !== c.pending
      || before.rejected !== c.rejected || before.images !== c.images) scheduleList();
}

function onRead(ev) {
  scheduleList();
  // A fast feeder reads several ballots a second: show the newest, not every one in turn.
  clearTimeout(S.showTimer);
  if (!S.pinned) S.showTimer = setTimeout(() => showBallot(ev.sha256, ev.page), 250);
}

function onFailed(ev) {
  toast(I18N.t("staff.read_failed", { sha: fmt.short(ev.sha256), error: ev.error }), true);
}

// --- actions -------------------------------------------------------------------------------------
async function act(path, body, okKey) {
  try {
    await Api.post(path, body, "staff");
    toast(I18N.t(okKey));
  } catch (e) {
    showError(e);
  }
}

$("#start-form").addEventListener("submit", (e) => {
  e.preventDefault();
  const f = e.target;
  act(`/api/stages/${f.stage.value}/start`, { present: Number(f.present.value), issued: Number(f.issued.value) },
    "staff.started");
});
$("#pause-btn").addEventListener("click", async () => {
  const reason = await askReason("staff.pause_reason", I18N.t("staff.pause_default"));
  if (reason) act(`/api/stages/${stageId()}/pause`, { reason }, "staff.paused");
});
$("#resume-btn").addEventListener("click", async () => {
  const reason = await askReason("staff.resume_reason", I18N.t("staff.resume_default"));
  if (reason) act(`/api/stages/${stageId()}/resume`, { reason }, "staff.resumed");
});
$("#close-btn").addEventListener("click", async () => {
  const reason = await askReason("staff.close_reason", "");
  if (reason) act(`/api/stages/${stageId()}/close`, { reason }, "staff.closed");
});

$("#files-in").addEventListener("change", () => {
  const n = $("#files-in").files.length;
  $("#picked").textContent = n ? I18N.t("staff.picked", { n }) : "";
});
$("#upload-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  const files = [...$("#files-in").files];
  if (!files.length) return;
  const status = $("#upload-status");
  const btn = $("#upload-btn");
  btn.disabled = true;
  let done = 0, dup = 0, failed = 0;
  // One at a time, in the order given: the store numbers images in the order they arrive.
  for (const file of files) {
    try {
      const r = await Api.upload(file, "staff");
      if (!r.new) dup += 1;
    } catch (err) {
      failed += 1;
      showError(err);
    }
    done += 1;
    status.textContent = I18N.t("staff.uploading", { done, n: files.length });
  }
  status.textContent = I18N.t("staff.uploaded", { n: done - failed, dup, failed });
  status.dataset.done = String(done);
  $("#files-in").value = "";
  $("#picked").textContent = "";
  btn.disabled = false;
});

// --- start ---------------------------------------------------------------------------------------
pageSetup();
I18N.onChange(() => { renderState(); renderList(); renderDetail(); });
identity("staff", $("#who"), () => {});
(async () => {
  try {
    await Ballots.load();
    S.state = await Api.get("/api/state");
    renderState();
    S.list = await Api.get("/api/ballots");
    renderList();
    const last = S.list[S.list.length - 1];
    if (last) showBallot(last.sha256, last.page);
  } catch (e) {
    showError(e);
  }
  liveEvents({ count: onCount, ballot_read: onRead, read_failed: onFailed }, $("#conn"));
})();
