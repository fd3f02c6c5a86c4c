// 大屏幕: the hall screen. No controls. Tallies, threshold, turnout, quorum, ballots returned
// against issued, and the digital 唱票 (every ballot shown as it is read), pushed by the
// station through /api/events; EventSource reconnects by itself.
"use strict";

const O = { state: null, shown: null, queue: [], busy: false };

function fig(key, value, cls, extra) {
  return h("div", { class: `fig ${cls || ""}`, dataset: { fig: key } },
    h("div", { class: "k", i18n: `fig.${key}` }),
    h("div", { class: "v" }, fmt.n(value), extra ? h("small", { text: extra }) : null));
}

function bigStatus(st) {
  const s = st.stage.status;
  const r = st.result;
  if (r && (r.status === "void" || r.status === "no_quorum")) return r.status;
  if (s === "closed") return r ? r.status : "closed";
  if (s === "open") return r && r.status === "pending" ? "pending" : "counting";
  return s; // not_started, paused
}

function render() {
  const st = O.state;
  if (!st) return;
  $("#title").textContent = st.election.title;
  $("#stage").textContent = st.stage.title;
  const big = bigStatus(st);
  const status = $("#status");
  status.className = `bigstatus ${big}`;
  status.dataset.status = big;
  status.textContent = I18N.t(`big.${big}`);

  const r = st.result;
  const c = st.counters;
  const att = r && r.attendance;
  const should = att ? att.should_attend : null;
  const present = st.stage.present;
  const turnout = should && present !== null ? `${Math.round((present / should) * 1000) / 10}%` : null;
  const q = r && r.quorum;
  const rc = r && r.returned_check;
  fill($("#figures"),
    fig("should", should),
    fig("present", present, "", turnout),
    fig("quorum", q ? I18N.t(q.met ? "fig.quorum_met" : "fig.quorum_not") : null, q ? (q.met ? "good" : "bad") : ""),
    fig("issued", st.stage.issued),
    fig("returned", c.returned, rc ? (rc.valid ? "good" : "bad") : "", rc ? `/ ${rc.limit}` : null),
    fig("valid", c.valid),
    fig("invalid", c.invalid),
    fig("pending", c.pending, c.pending ? "warn" : ""));

  const notes = [];
  if (st.problem) notes.push(h("div", { class: "problem", text: I18N.bi(st.problem) }));
  // "final" means every ballot read so far is decided; while the count is open it is not yet
  // the result, so the room sees it only once staff close the count.
  const closed = st.stage.status === "closed";
  if (r && (r.status !== "final" || closed)) {
    notes.push(h("div", { class: `note ${r.status === "void" || r.status === "no_quorum" ? "problem bad" : ""}`, text: I18N.bi(r) }));
  }
  fill($("#problem"), ...notes);
  $("#tally-hint").textContent = q ? I18N.bi(q) : "";

  const box = $("#contests");
  box.replaceChildren(...(r ? r.contests : []).map((x) => contest(x, r, closed)));
  fit(box);
}

/** A hall screen never scrolls: when the contests do not fit, use smaller rows. */
function fit(box) {
  box.classList.remove("dense", "denser");
  for (const cls of ["dense", "denser"]) {
    if (box.scrollHeight <= box.clientHeight + 1) return;
    box.classList.add(cls);
  }
}

function bar(value, scale, needed, over) {
  const pct = (v) => `${Math.max(0, Math.min(100, (v / scale) * 100))}%`;
  return h("div", { class: "bar" },
    h("div", { class: `fill ${over ? "over" : ""}`, style: `width:${pct(value)}` }),
    needed !== null ? h("div", { class: "line", style: `left:${pct(needed)}`, title: String(needed) }) : null);
}

function person(name, num, barEl, tag, tagCls, writeIn) {
  return h("div", { class: "person", dataset: { person: name } },
    h("div", { class: "name" }, name, writeIn ? h("span", { class: "wi", i18n: "observer.writein" }) : null),
    barEl,
    h("div", { class: "num", dataset: { votes: String(num) }, text: fmt.n(num) }),
    h("div", { class: `tag ${tagCls || ""}`, text: tag || "" }));
}

function contest(x, r, closed) {
  const final = closed && r.status === "final";
  const head = h("div", { class: "contest-head" },
    h("span", { class: "post", text: x.post }),
    x.seats !== undefined ? h("span", { class: "rule", text: I18N.t("observer.seats", { n: x.seats }) }) : null,
    x.needed !== undefined ? h("span", { class: "legend" }) : null,
    h("span", { class: "rule", text: rule(x) }),
    h("span", { class: "spacer" }),
    h("span", { class: "rule", text: I18N.t("observer.valid_invalid", { v: x.valid, i: x.invalid }) }));
  const el = h("div", { class: "contest", dataset: { contest: x.contest } }, head);
  if (x.kind === "election" || x.kind === "trust") {
    const votes = (p) => (x.kind === "election" ? p.agree : p.trust);
    const scale = Math.max(x.base, ...x.people.map(votes), 1);
    const elected = new Set(x.outcome ? (x.outcome.elected || x.outcome.passed || []) : []);
    const tied = new Set(x.outcome && x.outcome.tie ? x.outcome.tie.tied : []);
    for (const p of x.people) {
      const over = x.kind === "election" ? p.over_half : p.passed;
      let tag = over ? I18N.t(x.kind === "election" ? "observer.over" : "observer.passed") : "";
      let cls = over ? "over" : "";
      if (final && elected.has(p.name)) { tag = I18N.t(x.kind === "election" ? "observer.elected" : "observer.passed"); cls = "elected"; }
      if (final && tied.has(p.name)) { tag = I18N.t("observer.tie"); cls = "tie"; }
      el.append(person(p.name, votes(p), bar(votes(p), scale, x.needed, over), tag, cls, p.on_ballot === false));
    }
    if (final && x.outcome) el.append(outcome(x));
  } else if (x.kind === "recommendation") {
    const scale = Math.max(x.valid, ...x.people.map((p) => p.votes), 1);
    const adv = new Set(x.outcome ? x.outcome.advancing : []);
    for (const p of x.people) {
      const tag = final && adv.has(p.name) ? I18N.t("observer.advancing") : "";
      el.append(person(p.name, p.votes, bar(p.votes, scale, null, adv.has(p.name)), tag, tag ? "elected" : "", !p.on_ballot));
    }
  } else if (x.kind === "evaluation") {
    // Grades given so far, stacked best first; the weighted score once every group has rated.
    const grades = Ballots.stage(O.state.stage.id).grades.map((g) => g.name);
    head.insertBefore(h("span", { class: "rule" }, ...grades.map((g, i) => h("span", { class: `gradekey g${i}`, text: g }))),
      head.querySelector(".spacer"));
    for (const p of x.people) {
      const n = grades.map((g) => p.groups.reduce((sum, grp) => sum + (grp.counts[g] || 0), 0));
      const total = Math.max(x.valid, 1);
      const stack = h("div", { class: "bar" }, ...n.map((k, i) => h("div", {
        class: `seg g${i}`, style: `width:${(k / total) * 100}%`, title: `${grades[i]} ${k}` })));
      el.append(person(p.name, p.score, stack, p.rank && final ? `#${p.rank}` : "", "", false));
    }
  }
  return el;
}

function rule(x) {
  if (x.kind === "election") {
    return I18N.t("observer.rule_election", { n: x.needed, base: x.base, basis: I18N.t(`basis.${x.base_rule}`) });
  }
  if (x.kind === "trust") return I18N.t("observer.rule_trust", { n: x.needed, base: x.base });
  if (x.kind === "recommendation") return I18N.t("observer.rule_recommendation", { n: x.max_choices });
  return "";
}

function outcome(x) {
  const o = x.outcome;
  const parts = [];
  if (o.elected && o.elected.length) parts.push(h("div", {}, h("strong", { text: `${I18N.t("observer.elected")}：${o.elected.join("、")}` })));
  if (o.tie) parts.push(h("div", { text: I18N.bi(o.tie) }));
  if (o.unfilled) parts.push(h("div", { text: I18N.bi(o.unfilled) }));
  return h("div", { class: "outcome" }, ...parts);
}

// --- 唱票: one ballot at a time, long enough to read; faster when ballots queue up ---------
function onRead(ev) {
  O.queue.push(ev);
  pump();
}

async function pump() {
  if (O.busy || !O.queue.length) return;
  O.busy = true;
  const ev = O.queue.shift();
  try {
    const d = await Api.get(`/api/ballots/${ev.sha256}/${ev.page}`);
    O.shown = { ...d, sha: ev.sha256, page: ev.page };
    renderBallot();
  } catch (e) {
    // a ballot that cannot be shown is skipped on the hall screen; staff see the error
  }
  const wait = O.queue.length > 3 ? 300 : 1200;
  setTimeout(() => { O.busy = false; pump(); }, wait);
}

function renderBallot() {
  const d = O.shown;
  if (!d) return;
  fill($("#chang-body"),
    Ballots.verdict(d),
    Ballots.counted(d),
    h("div", { class: "imgbox" }, Ballots.image(d, d.sha, d.page)));
  $("#chang-body").dataset.key = `${d.sha}:${d.page}`;
}

// --- start ------------------------------------------------------------------------------------
pageSetup();
I18N.onChange(() => { render(); renderBallot(); });
window.addEventListener("resize", () => fit($("#contests")));
(async () => {
  try {
    await Ballots.load();
    const list = await Api.get("/api/ballots");
    const last = list.filter((b) => b.status !== "rejected").pop();
    if (last) onRead({ sha256: last.sha256, page: last.page });
  } catch (e) {
    // the screen keeps going on live events alone
  }
  liveEvents({ count: (s) => { O.state = s; render(); }, ballot_read: onRead }, $("#conn"));
})();
