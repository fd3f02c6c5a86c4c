// 监票人审核: every ballot the station would not guess about, least sure first. Scrutineers
// decide each box (or name a write-in, or void / accept / exclude the ballot); every decision
// carries who decided and why, and is recorded as a new entry, never an edit.
"use strict";

const R = {
  queue: [],       // GET /api/review
  names: {},       // ballot key → {seq, name} from GET /api/ballots
  sel: null,       // ballot key shown
  focus: null,     // box id highlighted on the whole ballot
  timer: null,
  pending: null,
};

const MARKS = [
  ["circle", "○"],
  ["cross", "×"],
  ["tick", "√"],
  ["empty", ""],
];
const WRITE_IN_CODES = new Set(["write_in_unclear", "write_in_unnamed", "same_person_twice"]);
const MARK_CODES = new Set(["mark", "missing_box"]);

async function loadQueue() {
  try {
    const [queue, pending] = await Promise.all([Api.get("/api/review"), Api.get("/api/ballots?status=pending")]);
    R.queue = queue;
    R.names = Object.fromEntries(pending.map((b) => [b.key, b]));
    if (!R.queue.some((q) => q.key === R.sel)) {
      R.sel = R.queue.length ? R.queue[0].key : null;
      R.focus = null;
    }
    const q = R.queue.find((x) => x.key === R.sel);
    if (q && !q.items.some((i) => i.box_id === R.focus)) R.focus = firstBox(q);
    render();
  } catch (e) {
    showError(e);
  }
}

function firstBox(q) {
  const item = q.items.find((i) => i.box_id);
  return item ? item.box_id : null;
}

function scheduleQueue() {
  clearTimeout(R.timer);
  R.timer = setTimeout(loadQueue, 300);
}

function label(q) {
  const n = R.names[q.key];
  return n ? `#${n.seq}${q.page ? `-${q.page + 1}` : ""} ${n.name}` : fmt.short(q.sha256);
}

function render() {
  $("#queue-n").textContent = I18N.t("review.n", { n: R.queue.length });
  fill($("#queue"), ...R.queue.map((q) => h("div", {
    class: `queue-item ${q.key === R.sel ? "sel" : ""}`, dataset: { key: q.key },
    onclick: () => { R.sel = q.key; R.focus = firstBox(q); render(); },
  },
  h("div", { class: "row" }, h("strong", { class: "grow", text: label(q) }),
    h("span", { class: "small muted", text: I18N.t("review.confidence", { c: q.confidence.toFixed(2) }) })),
  ...q.items.map((i) => h("div", { class: "what", text: I18N.bi(i) })))));
  const q = R.queue.find((x) => x.key === R.sel);
  $("#decide").classList.toggle("hidden", !q);
  $("#empty").classList.toggle("hidden", !!q);
  if (!q) {
    fill($("#whole"));
    return;
  }
  $("#ballot-title").textContent = `${label(q)} · ${I18N.t("review.items", { n: q.items.length })}`;
  fill($("#items"), ...q.items.map((item) => itemCard(q, item)));
  fill($("#whole"), q.reading ? Ballots.image(q.reading, q.sha256, q.page, R.focus) : h("div", { class: "noimg", i18n: "ballot.noimage" }));
}

function itemCard(q, item) {
  const card = h("div", { class: `item ${item.box_id && item.box_id === R.focus ? "focus" : ""}`, dataset: { code: item.code, box: item.box_id || "" },
    onclick: () => { if (item.box_id && R.focus !== item.box_id) { R.focus = item.box_id; render(); } } },
  h("div", { class: "desc", text: I18N.bi(item) }));
  const body = h("div", { class: "body" });
  // Only a page the station placed on its layout has box crops.
  const placed = q.reading && ["interpreted", "needs_review"].includes(q.reading.result.outcome);
  if (item.box_id && placed) {
    body.append(h("img", { class: "crop", alt: item.box_id, src: `/api/images/${q.sha256}/${q.page}/crop/${encodeURIComponent(item.box_id)}.png` }));
  }
  const ballot = { image_sha256: q.sha256, page_index: q.page };
  if (MARK_CODES.has(item.code) && item.box_id) {
    body.append(h("div", { class: "choices" }, ...MARKS.map(([cls, sym]) => h("button", {
      class: "btn", type: "button", dataset: { mark: cls },
      onclick: () => decide({ kind: "mark", ballot, box_id: item.box_id, mark_class: cls }),
    }, h("span", { class: `sym mark-${cls}`, text: sym }), I18N.t(`markbtn.${cls}`)))));
  } else if (WRITE_IN_CODES.has(item.code) && item.box_id) {
    const nameIn = h("input", { type: "text", maxlength: 16, class: "writein-name", placeholder: I18N.t("review.writein_hint") });
    body.append(h("div", { class: "choices" },
      h("label", { class: "field" }, h("span", { i18n: "review.writein_name" }), nameIn),
      h("button", { class: "btn", type: "button", dataset: { act: "name" }, i18n: "review.writein_ok",
        onclick: () => {
          if (!nameIn.value.trim()) { nameIn.focus(); return formError("review.writein_missing"); }
          decide({ kind: "write_in", ballot, box_id: item.box_id, name: nameIn.value.trim() });
        } }),
      h("button", { class: "btn", type: "button", dataset: { act: "noname" }, i18n: "review.writein_none",
        onclick: () => decide({ kind: "write_in", ballot, box_id: item.box_id, name: null }) })));
  } else if (item.code === "ballot_review") {
    body.append(h("div", { class: "choices" },
      h("button", { class: "btn", type: "button", dataset: { act: "accept" }, i18n: "review.accept",
        onclick: () => decide({ kind: "accept", ballot }) }),
      h("div", { class: "small muted", i18n: "review.accept_hint" })));
  } else if (item.code === "unidentified_page") {
    body.append(h("div", { class: "small muted", i18n: "review.unidentified_hint" }));
  }
  card.append(body);
  return card;
}

function formError(key) {
  $("#form-error").textContent = key ? I18N.t(key) : "";
}

async function decide(partial) {
  const by = $("#by").value.trim();
  const why = $("#why").value.trim();
  if (!by) { $("#by").focus(); return formError("review.by_missing"); }
  if (!why) { $("#why").focus(); return formError("review.why_missing"); }
  formError(null);
  try {
    await Api.post("/api/decisions", { ...partial, by, why }, "scrutineer", by);
    localStorage.setItem("station.name.scrutineer", by);
    $("#why").value = "";  // each decision gives its own reason
    toast(I18N.t("review.recorded"));
    await loadQueue();
  } catch (e) {
    showError(e);
  }
}

function ballotRef() {
  const q = R.queue.find((x) => x.key === R.sel);
  return q && { image_sha256: q.sha256, page_index: q.page };
}

$("#void-btn").addEventListener("click", () => {
  const ballot = ballotRef();
  if (ballot) decide({ kind: "void", ballot, reason: $("#void-reason").value });
});
$("#exclude-btn").addEventListener("click", () => {
  const ballot = ballotRef();
  if (ballot) decide({ kind: "exclude", ballot, reason: $("#exclude-reason").value });
});

function onCount(summary) {
  $("#election").textContent = `${summary.election.title} · ${summary.stage.title}`;
  const key = `${summary.counters.pending}/${summary.counters.images}`;
  if (key !== R.pending) {
    R.pending = key;
    scheduleQueue();
  }
}

pageSetup();
I18N.onChange(render);
identity("scrutineer", $("#who"), () => { $("#by").value = $("#by").value || Auth.name("scrutineer"); });
(async () => {
  try {
    await Ballots.load();
  } catch (e) {
    showError(e);
  }
  await loadQueue();
  liveEvents({ count: onCount }, $("#conn"));
})();
