// One ballot as people see it on every page: its upright image with the marks outlined, the
// verdict (counted / needs review / set aside, and why) and what it counted for.
"use strict";

const Ballots = {
  election: null, // GET /api/election: {definition, layouts}

  async load() {
    if (!this.election) this.election = await Api.get("/api/election");
    return this.election;
  },

  stage(id) {
    return this.election && this.election.definition.stages.find((s) => s.id === id);
  },

  post(stageId, contestId) {
    const st = this.stage(stageId);
    const c = st && st.contests.find((x) => x.id === contestId);
    return c ? c.post : contestId;
  },

  /** Every layout box by id, for a stage (all its styles). */
  boxes(stageId) {
    const out = {};
    const styles = (this.election && this.election.layouts[stageId]) || {};
    for (const layout of Object.values(styles)) for (const b of layout.boxes) out[b.id] = b;
    return out;
  },

  /** Images the station can draw: a page it placed on a layout. Others get a note, no request. */
  image(detailOrReading, sha, page, highlight) {
    const reading = detailOrReading.reading || detailOrReading;
    const outcome = reading.result.outcome;
    if (outcome === "interpreted" || outcome === "needs_review") {
      const q = highlight ? `?highlight=${encodeURIComponent(highlight)}` : "";
      return h("img", {
        class: "ballot-img", alt: I18N.t("ballot.alt"), src: `/api/images/${sha}/${page}/view.png${q}`,
      });
    }
    if (outcome === "not_a_ballot" || outcome === "blank_page") {
      // An image, but not a ballot: the original bytes, exactly as stored.
      return h("img", { class: "ballot-img", alt: I18N.t("ballot.alt"), src: `/api/images/${sha}` });
    }
    return h("div", { class: "noimg", text: I18N.bi(reading.result) || I18N.t("ballot.noimage") });
  },

  /** What staff and the room are told: the status, and why. */
  verdict(d) {
    const st = d.status;
    const res = d.reading.result;
    const c = d.count;
    let why = "";
    if (st === "rejected") {
      why = I18N.bi(d.refused);
    } else if (st === "invalid") {
      why = I18N.t(`invalid.${c.reason}`) + (c.decided_by ? ` — ${c.decided_by}：${c.why || ""}` : "");
    } else if (st === "excluded") {
      why = c.why === "blank_page" ? I18N.t("ballot.blank") : `${I18N.t("ballot.excluded_by")} ${c.decided_by || ""}`;
    } else if (st === "pending") {
      if (res.outcome === "unreadable" || res.outcome === "not_a_ballot") {
        why = `${I18N.bi(res)} — ${I18N.t("ballot.refeed")}`;
      } else if (c) {
        why = c.items.map((i) => I18N.bi(i)).join("；");
      }
    }
    const label = st === "pending" && (res.outcome === "unreadable" || res.outcome === "not_a_ballot")
      ? I18N.t("status.refeed") : I18N.t(`status.${st}`);
    return h("div", { class: `verdict ${st}`, dataset: { status: st } }, label, why ? h("span", { class: "why", text: why }) : null);
  },

  /** Per contest, the votes this ballot gave (chips), or nothing when it does not count. */
  counted(d, { abstainSummary = true } = {}) {
    const c = d.count;
    if (!c || c.status !== "valid") return null;
    const box = h("div", { class: "counted" });
    for (const part of c.contests) {
      const row = h("div", { class: "contest" }, h("span", { class: "post", text: this.post(d.stage, part.contest) }));
      const chip = (cls, text) => row.append(h("span", { class: `chip ${cls}`, text }));
      if (part.kind === "election") {
        const abstain = [];
        for (const [name, ch] of Object.entries(part.choices)) {
          if (ch === "agree") chip("agree", `○ ${name}`);
          else if (ch === "disagree") chip("disagree", `× ${name}`);
          else if (part.via_write_in.includes(name)) chip("agree", `○ ${name}`);
          else abstain.push(name);
        }
        for (const name of part.write_ins) chip("write", `${I18N.t("ballot.writein")} ○ ${name}`);
        if (abstainSummary && abstain.length) chip("abstain", I18N.t("ballot.abstain_n", { n: abstain.length }));
      } else if (part.kind === "recommendation") {
        for (const name of part.chosen) chip("chosen", `○ ${name}`);
        for (const name of part.written) chip("write", `${I18N.t("ballot.writein")} ${name}`);
        if (!part.chosen.length && !part.written.length) chip("abstain", I18N.t("ballot.none_chosen"));
      } else if (part.kind === "trust") {
        for (const [name, ch] of Object.entries(part.choices)) {
          if (ch === "abstain") continue;
          chip(ch, `${I18N.t(`trust.${ch}`)} ${name}`);
        }
      } else if (part.kind === "evaluation") {
        for (const [name, grade] of Object.entries(part.grades)) {
          chip(part.spoiled.includes(name) ? "spoiled" : grade ? "grade" : "abstain",
            `${name}：${grade || (part.spoiled.includes(name) ? I18N.t("trust.spoiled") : I18N.t("ballot.abstain"))}`);
        }
      } else if (part.kind === "invalid") {
        chip("disagree", I18N.t(`invalid.${part.reason}`));
      }
      box.append(row);
    }
    return box;
  },
};
