// 审计: every ballot with its reading overlaid, filters ("every ballot counted for X"), a
// re-read with the current code, the verification of every image and the log chain, and the
// action log.
"use strict";

const A = {
  list: [],
  sel: null,       // {sha, page, detail, reread}
  names: {},       // sha → {seq, name} for the verify report
  log: [],
  verify: null,
  stage: null,     // the stage being counted now
};

// --- tabs --------------------------------------------------------------------------------------
function showTab(tab) {
  for (const b of document.querySelectorAll("#tabs button")) b.classList.toggle("on", b.dataset.tab === tab);
  for (const p of ["ballots", "verify", "log"]) $(`#pane-${p}`).classList.toggle("hidden", p !== tab);
  if (tab === "log") loadLog();
}
for (const b of document.querySelectorAll("#tabs button")) b.addEventListener("click", () => showTab(b.dataset.tab));

// --- filters and the ballot list ---------------------------------------------------------------------
function fillFilters() {
  const def = Ballots.election.definition;
  const stageSel = $("#f-stage");
  const chosen = stageSel.value || A.stage || def.stages[0].id;
  stageSel.replaceChildren(...def.stages.map((s) => h("option", { value: s.id, text: s.title })));
  stageSel.value = chosen;
  const cand = $("#f-candidate");
  const had = cand.value;
  const names = [...new Set(Ballots.stage(chosen).contests.flatMap((c) => c.candidates.map((p) => p.name)))];
  cand.replaceChildren(h("option", { value: "", text: I18N.t("audit.any") }), ...names.map((n) => h("option", { value: n, text: n })));
  cand.value = names.includes(had) ? had : "";
}

async function loadList() {
  const f = $("#filters");
  const q = new URLSearchParams();
  for (const k of ["stage", "status", "reviewed", "write_ins", "candidate"]) if (f[k].value) q.set(k, f[k].value);
  try {
    A.list = await Api.get(`/api/ballots?${q}`);
    for (const b of A.list) A.names[b.sha256] = b;
    renderList();
  } catch (e) {
    showError(e);
  }
}

function renderList() {
  $("#n-found").textContent = I18N.t("audit.found", { n: A.list.length });
  const sel = A.sel && `${A.sel.sha}:${A.sel.page}`;
  fill($("#ballot-list"), ...A.list.map((b) => h("tr", {
    class: `click ${b.key === sel ? "sel" : ""}`, dataset: { key: b.key, status: b.status },
    onclick: () => select(b.sha256, b.page),
  },
  h("td", { text: b.page ? `${b.seq}-${b.page + 1}` : String(b.seq) }),
  h("td", { class: "small", text: b.name }),
  h("td", {}, h("span", { class: `badge ${b.status}`, i18n: `status.${b.status}` })),
  h("td", { class: "small", i18n: `outcome.${b.outcome}` }),
  h("td", { class: "small" }, b.reviewed ? h("span", { i18n: "audit.flag_reviewed" }) : null, " ",
    b.write_ins ? h("span", { i18n: "audit.flag_write_in" }) : null))));
}

$("#filters").addEventListener("change", (e) => {
  if (e.target.name === "stage") fillFilters();
  loadList();
});

// --- one ballot -----------------------------------------------------------------------------------
async function select(sha, page) {
  try {
    const detail = await Api.get(`/api/ballots/${sha}/${page}`);
    A.sel = { sha, page, detail, reread: null };
    renderList();
    renderDetail();
  } catch (e) {
    showError(e);
  }
}

function boxText(stageId, id) {
  const b = Ballots.boxes(stageId)[id];
  if (!b) return id;
  const who = [Ballots.post(stageId, b.contest), b.candidate, b.grade].filter(Boolean).join(" · ");
  return `${who} ${I18N.t(`role.box.${b.role}`)}`;
}

function renderDetail() {
  const s = A.sel;
  if (!s) return;
  const d = s.detail;
  const res = d.reading.result;
  const row = A.list.find((b) => b.key === `${s.sha}:${s.page}`) || A.names[s.sha];
  const readingRows = (res.boxes || []).map((b) => h("tr", { dataset: { box: b.id } },
    h("td", { text: boxText(d.stage, b.id) }),
    h("td", { class: `cls mark-${b.class}`, i18n: `mark.${b.class}` }),
    h("td", { class: "mono", text: b.score.toFixed(3) }),
    h("td", { class: "mono", text: b.confidence.toFixed(2) },
      // A class the learned shape model gave where the shape rules were unclear, or its veto
      // of theirs: auditors see which, and why (docs/vision.md, step 9).
      b.decided_by === "shape_model"
        ? h("span", { class: "chip by-model", title: b.basis || "", i18n: "audit.by_model" })
        : null)));
  const writeRows = (res.write_ins || []).filter((w) => w.has_writing !== false).map((w) => h("tr", {},
    h("td", { text: boxText(d.stage, w.id) }),
    h("td", { class: "cls", i18n: w.has_writing ? "audit.written" : "audit.write_unsure" }),
    h("td", { class: "mono", text: w.ink.toFixed(3) }), h("td", {})));
  fill($("#detail"),
    h("h2", {}, row ? `#${row.seq} ${row.name}` : fmt.short(s.sha), h("span", { class: "hint mono", text: s.sha })),
    h("div", { class: "detail" },
      h("div", { class: "imgcol" }, Ballots.image(d, s.sha, s.page),
        h("div", { class: "small", style: "margin-top:6px" },
          h("a", { href: `/api/images/${s.sha}`, i18n: "audit.original" }))),
      h("div", {},
        Ballots.verdict(d),
        Ballots.counted(d),
        decisionsBlock(d),
        h("div", { class: "row", style: "margin:12px 0 6px" },
          h("button", { class: "btn primary", type: "button", id: "reread-btn", i18n: "audit.reread", onclick: reread }),
          h("span", { class: "small muted", i18n: "audit.reread_hint" })),
        rereadBlock(s.reread),
        readingRows.length || writeRows.length
          ? h("table", { class: "list reading", style: "margin-top:10px" },
            h("thead", {}, h("tr", {}, h("th", { i18n: "audit.box" }), h("th", { i18n: "audit.class" }),
              h("th", { i18n: "audit.score" }), h("th", { i18n: "audit.confidence" }))),
            h("tbody", {}, ...readingRows, ...writeRows))
          : null)));
}

function decisionsBlock(d) {
  if (!d.decisions.length) return null;
  return h("div", { style: "margin-top:10px" },
    h("strong", { i18n: "audit.decisions" }),
    ...d.decisions.map((x) => h("div", { class: "small", dataset: { decision: x.kind } },
      `${I18N.t(`decision.${x.kind}`)}${x.box_id ? ` ${boxText(d.stage, x.box_id)}` : ""}`,
      x.mark_class ? ` → ${I18N.t(`mark.${x.mark_class}`)}` : "",
      x.kind === "write_in" ? ` → ${x.name || I18N.t("audit.no_name")}` : "",
      ` — ${x.by}：${x.why}`)));
}

function rereadBlock(rr) {
  if (!rr) return null;
  if (rr.same) return h("div", { class: "ok-line", id: "reread-result", dataset: { same: "true" }, i18n: "audit.reread_same" });
  return h("div", { class: "problem bad diff", id: "reread-result", dataset: { same: "false" } },
    h("div", { i18n: "audit.reread_diff" }),
    h("table", { class: "list" },
      h("thead", {}, h("tr", {}, h("th", { i18n: "audit.what" }), h("th", { i18n: "audit.stored" }), h("th", { i18n: "audit.now" }))),
      h("tbody", {}, ...rr.differences.map((x) => h("tr", {},
        h("td", { text: x.what === "outcome" ? I18N.t("audit.outcome") : boxText(A.sel.detail.stage, x.what) }),
        h("td", { text: x.stored === null ? "—" : x.stored }), h("td", { text: x.now === null ? "—" : x.now }))))));
}

async function reread() {
  const s = A.sel;
  try {
    s.reread = await Api.post(`/api/ballots/${s.sha}/${s.page}/reread`, {}, "auditor");
    renderDetail();
  } catch (e) {
    showError(e);
  }
}

// --- verification ---------------------------------------------------------------------------------
$("#verify-btn").addEventListener("click", async () => {
  const btn = $("#verify-btn");
  btn.disabled = true;
  try {
    // every ballot, any stage, so the report can name altered images by file and number
    const all = await Promise.all(Ballots.election.definition.stages.map((st) => Api.get(`/api/ballots?stage=${st.id}`)));
    for (const b of all.flat()) A.names[b.sha256] = b;
    A.verify = await Api.post("/api/audit/verify", {}, "auditor");
    renderVerify();
  } catch (e) {
    showError(e);
  } finally {
    btn.disabled = false;
  }
});

function logProblem(text) {
  // the store reports chain problems in English; the known ones are translated here
  const m = /^entry (\d+) is missing$/.exec(text || "");
  if (m) return I18N.t("audit.log_missing", { n: m[1] });
  if (text === "does not link to the entry before it") return I18N.t("audit.log_unlinked");
  if (text === "its content does not match its hash") return I18N.t("audit.log_altered");
  return text;
}

function renderVerify() {
  const v = A.verify;
  if (!v) return;
  const parts = [
    h("div", { class: `report-big ${v.ok ? "ok" : "bad"}`, id: "verify-verdict", dataset: { ok: String(v.ok) } }, I18N.bi(v)),
    h("p", { text: I18N.t("audit.checked", { n: v.images_checked, bad: v.images_bad.length, log: v.log_entries }) }),
  ];
  if (v.images_bad.length) {
    parts.push(h("table", { class: "list", id: "bad-images" },
      h("thead", {}, h("tr", {}, h("th", { text: "#" }), h("th", { i18n: "col.file" }), h("th", { text: "SHA-256" }), h("th", { i18n: "audit.problem" }))),
      h("tbody", {}, ...v.images_bad.map((b) => {
        const n = A.names[b.sha256];
        return h("tr", { dataset: { sha: b.sha256, problem: b.problem } },
          h("td", { text: n ? String(n.seq) : "" }), h("td", { text: n ? n.name : "" }),
          h("td", { class: "mono", text: b.sha256 }),
          h("td", {}, h("span", { class: "badge invalid", i18n: `audit.image_${b.problem}` })));
      }))));
  }
  parts.push(v.log_broken_at === null
    ? h("div", { class: "ok-line", id: "chain", i18n: "audit.chain_ok" })
    : h("div", { class: "problem bad", id: "chain", dataset: { brokenAt: String(v.log_broken_at) },
      text: I18N.t("audit.chain_broken", { n: v.log_broken_at, why: logProblem(v.log_problem) }) }));
  fill($("#verify-report"), ...parts);
}

// --- the action log --------------------------------------------------------------------------------
async function loadLog() {
  try {
    const after = A.log.length ? A.log[A.log.length - 1].seq : 0;
    A.log.push(...(await Api.get(`/api/log?after=${after}`)));
    renderLog();
  } catch (e) {
    showError(e);
  }
}

function renderLog() {
  fill($("#log"), ...[...A.log].reverse().map((e) => h("tr", { dataset: { seq: String(e.seq), action: e.action } },
    h("td", { text: String(e.seq) }),
    h("td", { class: "small", text: fmt.time(e.at) }),
    h("td", { text: e.actor }),
    h("td", { class: "small", text: I18N.has(`role.${e.role}`) ? I18N.t(`role.${e.role}`) : e.role }),
    h("td", { text: I18N.has(`action.${e.action}`) ? I18N.t(`action.${e.action}`) : e.action }),
    h("td", { class: "small", text: e.reason }),
    h("td", { class: "small mono payload", text: JSON.stringify(e.payload) }))));
}

// --- start ------------------------------------------------------------------------------------------
pageSetup();
I18N.onChange(() => { fillFilters(); renderList(); renderDetail(); renderVerify(); renderLog(); });
identity("auditor", $("#who"), () => {});
(async () => {
  try {
    await Ballots.load();
    const st = await Api.get("/api/state");
    A.stage = st.stage.id;
    $("#election").textContent = `${st.election.title} · ${st.stage.title}`;
    fillFilters();
    await loadList();
  } catch (e) {
    showError(e);
  }
  let timer = null;
  liveEvents({
    log: () => { if (!$("#pane-log").classList.contains("hidden")) loadLog(); },
    ballot_read: () => { clearTimeout(timer); timer = setTimeout(loadList, 800); },
  }, $("#conn"));
})();
