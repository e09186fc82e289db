// bmobemu console: plain DOM code, no libraries. Values from the server are
// always put in the page with textContent, never as HTML.
"use strict";

function el(tag, attrs, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "class") e.className = v;
    else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v);
  }
  for (const k of kids) e.append(k instanceof Node ? k : document.createTextNode(k == null ? "" : String(k)));
  return e;
}

// api fetches a console endpoint as JSON; state changes send JSON, which the
// guard accepts from this origin only.
async function api(path, method, body) {
  const opts = { method: method || "GET", headers: {}, credentials: "same-origin" };
  if (body !== undefined) {
    opts.headers["Content-Type"] = "application/json";
    opts.body = typeof body === "string" ? body : JSON.stringify(body);
  }
  const r = await fetch(path, opts);
  const text = await r.text();
  let data;
  try { data = text ? JSON.parse(text) : {}; } catch (e) { data = { error: text }; }
  if (!r.ok) {
    const msg = (data && (data.error || data.message)) || text || r.statusText;
    throw new Error("HTTP " + r.status + ": " + (typeof msg === "string" ? msg : JSON.stringify(msg)));
  }
  return data;
}
// when shows an RFC 3339 time as "YYYY-MM-DD HH:mm:ss" (already Beijing time).
const when = (s) => (s ? String(s).replace("T", " ").replace(/\.\d+/, "").replace(/(Z|[+-]\d\d:\d\d)$/, "") : "");
const rest = (path, method, body) => api("/_console/api/rest" + path, method, body);

function show(v) {
  if (v === null || v === undefined) return "";
  if (typeof v !== "object") return String(v);
  if (v.__type === "Date") return v.iso;
  if (v.__type === "Pointer") return "→ " + v.className + " " + v.objectId;
  if (v.__type === "File") return "file " + (v.filename || v.url || "");
  if (v.__type === "GeoPoint") return "(" + v.latitude + ", " + v.longitude + ")";
  if (v.__type === "Relation") return "relation → " + v.className;
  return JSON.stringify(v);
}

async function copyText(text, btn) {
  try { await navigator.clipboard.writeText(text); }
  catch (e) {
    const t = el("textarea", {}, text); document.body.append(t); t.select();
    document.execCommand("copy"); t.remove();
  }
  const old = btn.textContent; btn.textContent = "Copied"; setTimeout(() => { btn.textContent = old; }, 1200);
}

document.addEventListener("click", (ev) => {
  const b = ev.target.closest("button.copy");
  if (!b) return;
  const from = b.dataset.copyFrom;
  copyText(from ? document.getElementById(from).textContent : b.dataset.copy, b);
});

// ---- Functions: the invoke form ----
function initFunctions() {
  const form = document.getElementById("invoke");
  if (!form) return;
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const f = new FormData(form);
    const headers = {};
    for (const line of String(f.get("headers")).split("\n")) {
      const i = line.indexOf(":");
      if (i > 0) headers[line.slice(0, i).trim()] = line.slice(i + 1).trim();
    }
    const req = { name: form.dataset.name, method: f.get("method"), query: f.get("query"),
      contentType: f.get("contentType"), body: f.get("body"), headers };
    const out = document.getElementById("answer");
    out.hidden = false;
    document.getElementById("answer-status").textContent = "…";
    try {
      const a = await api("/_console/api/invoke", "POST", req);
      const st = document.getElementById("answer-status");
      st.textContent = a.error ? "error" : String(a.status);
      st.className = "badge " + (a.error || a.status >= 400 ? "bad" : "ok");
      document.getElementById("answer-ms").textContent = a.ms.toFixed(1) + " ms";
      document.getElementById("answer-headers").textContent =
        Object.entries(a.headers || {}).map(([k, v]) => k + ": " + v.join(", ")).join("\n");
      let body = a.error ? a.error : a.body;
      if (a.base64) body = "(binary, base64) " + body;
      try { if (!a.base64 && body) body = JSON.stringify(JSON.parse(body), null, 2); } catch (e) { /* not JSON: as sent */ }
      document.getElementById("answer-body").textContent = body;
      const log = document.getElementById("answer-log");
      log.textContent = "";
      for (const l of a.logs) log.append(logLine(l));
      if (!a.logs.length) log.append(el("div", { class: "t" }, "(no log lines)"));
    } catch (e) {
      document.getElementById("answer-status").textContent = "failed";
      document.getElementById("answer-body").textContent = e.message;
    }
  });
}

function logLine(l) {
  const lvl = l.level === "note" ? "fidelity note" : l.level;
  // Few nodes a line: the live tail draws up to 200 of them a second.
  const line = document.createElement("div");
  line.className = "l lv-" + l.level;
  const head = document.createElement("span");
  head.className = "t";
  head.textContent = l.time + " [" + l.function + "] ";
  line.append(head, lvl + ": " + l.text);
  return line;
}

// ---- Logs: the live tail ----
function initLogs() {
  const box = document.getElementById("log");
  if (!box) return;
  const fnSel = document.getElementById("log-fn"), lvSel = document.getElementById("log-level");
  const search = document.getElementById("log-search"), state = document.getElementById("log-state");
  const pauseBtn = document.getElementById("log-pause");
  const keep = 2000; // lines kept for filtering and search
  const drawn = 200; // lines in the page: a long box makes every append cost layout
  let paused = false, held = [], all = [];
  const matches = (l) => (!fnSel.value || l.function === fnSel.value) && (!lvSel.value || l.level === lvSel.value) &&
    (!search.value || (l.text + " " + l.function).toLowerCase().includes(search.value.toLowerCase()));
  const atBottom = () => box.scrollHeight - box.scrollTop - box.clientHeight < 40;
  // appendMany adds lines (and "lines not shown" markers) with one DOM
  // insertion, keeping the last `keep` for filtering and `drawn` in the page.
  const appendMany = (lines) => {
    const stick = atBottom();
    all.push(...lines);
    if (all.length > keep) all.splice(0, all.length - keep);
    const frag = document.createDocumentFragment();
    for (const l of lines.slice(-drawn)) {
      if (l.dropped) frag.append(el("div", { class: "l dropped" }, l.text));
      else if (matches(l)) frag.append(logLine(l));
    }
    box.append(frag);
    while (box.childElementCount > drawn) box.firstElementChild.remove();
    if (stick) box.scrollTop = box.scrollHeight;
  };
  // What arrives is drawn once per animation frame: a batch and its "lines
  // not shown" marker come as two events but cost one layout, and a tab in
  // the background (no frames) draws nothing until it is shown again.
  let incoming = [], frame = 0;
  const receive = (lines) => {
    incoming.push(...lines);
    if (incoming.length > keep) incoming.splice(0, incoming.length - keep);
    if (!frame) frame = requestAnimationFrame(() => { frame = 0; const a = incoming; incoming = []; appendMany(a); });
  };
  const redraw = () => { box.textContent = ""; const a = all; all = []; appendMany(a.filter(matches)); all = a; };
  [fnSel, lvSel].forEach((s) => s.addEventListener("change", redraw));
  search.addEventListener("input", redraw);
  document.getElementById("log-clear").addEventListener("click", () => { all = []; box.textContent = ""; });
  pauseBtn.addEventListener("click", () => {
    paused = !paused;
    pauseBtn.textContent = paused ? "Resume" : "Pause";
    if (!paused) { appendMany(held); held = []; state.textContent = "live"; }
  });
  const es = new EventSource("/_console/events");
  es.addEventListener("open", () => { state.textContent = paused ? "paused" : "live"; });
  es.addEventListener("error", () => { state.textContent = "disconnected, retrying…"; });
  es.addEventListener("lines", (ev) => {
    const lines = JSON.parse(ev.data);
    if (paused) {
      held.push(...lines);
      if (held.length > keep) held.splice(0, held.length - keep);
      state.textContent = "paused (" + held.length + " held)";
    } else receive(lines);
  });
  es.addEventListener("dropped", (ev) => {
    const n = JSON.parse(ev.data).dropped;
    const marker = { dropped: true, function: "", level: "", text: "… " + n + " lines not shown: more than this page takes (100 a second) or the browser fell behind; the functions did not wait, the log file has every line" };
    if (paused) held.push(marker); else receive([marker]);
  });
}

// ---- Data ----
function initData() {
  const list = document.getElementById("classes");
  if (!list) return;
  const detail = document.getElementById("data-detail");
  let schemas = [];
  async function loadClasses() {
    try {
      const s = await rest("/1/schemas");
      schemas = s.results || [];
      list.textContent = "";
      if (!schemas.some((c) => c.className === "_User")) schemas.push({ className: "_User", fields: {} });
      for (const c of schemas) {
        const count = el("span", { class: "count" }, " …");
        const a = el("a", { href: "#class=" + encodeURIComponent(c.className), "data-class": c.className }, c.className);
        list.append(el("li", {}, a, count));
        rest("/1/classes/" + encodeURIComponent(c.className) + "?limit=0&count=1")
          .then((r) => { count.textContent = " " + r.count; }).catch(() => { count.textContent = ""; });
      }
    } catch (e) { list.textContent = e.message; }
  }
  function route() {
    const h = decodeURIComponent(location.hash.slice(1));
    for (const a of list.querySelectorAll("a")) a.classList.toggle("on", "class=" + a.dataset.class === h);
    if (h.startsWith("class=")) openClass(h.slice(6));
    else if (h === "files") openFiles();
    else if (h === "schema") openSchema();
  }
  window.addEventListener("hashchange", route);
  loadClasses().then(route);

  function openSchema() {
    detail.textContent = "";
    detail.append(el("h1", {}, "Schema"));
    for (const c of schemas) {
      const t = el("table", { class: "rows" }, el("tr", {}, el("th", {}, "field"), el("th", {}, "type")));
      for (const [k, v] of Object.entries(c.fields || {})) t.append(el("tr", {}, el("td", {}, k), el("td", {}, v.type || JSON.stringify(v))));
      detail.append(el("h2", {}, c.className), el("div", { class: "table-wrap" }, t));
    }
  }

  async function openFiles() {
    detail.textContent = "";
    detail.append(el("h1", {}, "Files"));
    const t = el("table", { class: "rows", id: "files" }, el("tr", {}, el("th", {}, "preview"), el("th", {}, "path"), el("th", {}, "size"), el("th", {}, "modified"), el("th", {}, "")));
    detail.append(el("div", { class: "table-wrap" }, t));
    try {
      const r = await api("/_console/api/files");
      if (!r.results.length) t.append(el("tr", {}, el("td", { colspan: "5", class: "hint" }, "No uploaded files.")));
      for (const f of r.results) {
        const url = "/" + f.path;
        const prev = /\.(png|jpe?g|gif|webp|svg)$/i.test(f.path) ? el("img", { class: "preview", src: url, alt: "" }) : el("a", { href: url, target: "_blank" }, "open");
        const del = el("button", { type: "button", onclick: async () => {
          if (!confirm("Delete " + f.path + "?")) return;
          try { await rest("/2/files/upyun/" + f.path, "DELETE"); openFiles(); } catch (e) { alert(e.message); }
        } }, "Delete");
        t.append(el("tr", {}, el("td", {}, prev), el("td", {}, el("a", { href: url, target: "_blank" }, f.path)), el("td", {}, f.size), el("td", {}, f.modified), el("td", {}, del)));
      }
    } catch (e) { detail.append(el("p", { class: "error" }, e.message)); }
  }

  function openClass(cls) {
    detail.textContent = "";
    detail.append(el("h1", { id: "data-title" }, cls));
    detail.append(document.getElementById("tpl-class").content.cloneNode(true));
    const form = document.getElementById("query"), table = document.getElementById("rows");
    const err = document.getElementById("data-error");
    let skip = 0, hidden = new Set(), lastRows = [];
    const base = cls === "_User" ? "/1/users" : "/1/classes/" + encodeURIComponent(cls);
    async function load() {
      const f = new FormData(form);
      const q = new URLSearchParams({ count: "1", limit: f.get("limit") || "20", skip: String(skip) });
      if (f.get("where")) q.set("where", f.get("where"));
      if (f.get("order")) q.set("order", f.get("order"));
      err.hidden = true;
      try {
        const r = await rest(base + "?" + q);
        lastRows = r.results || [];
        draw(lastRows);
        const lim = +(f.get("limit") || 20);
        document.getElementById("page-info").textContent =
          (r.count ? (skip + 1) + "–" + (skip + lastRows.length) + " of " + r.count : "no rows");
        document.getElementById("next").disabled = skip + lim >= (r.count || 0);
        document.getElementById("prev").disabled = skip === 0;
      } catch (e) { err.hidden = false; err.textContent = e.message; }
    }
    function columns(rows) {
      const cols = ["objectId"];
      for (const r of rows) for (const k of Object.keys(r)) if (!cols.includes(k) && k !== "password") cols.push(k);
      return cols;
    }
    function draw(rows) {
      const cols = columns(rows);
      const cl = document.getElementById("column-list");
      cl.textContent = "";
      for (const c of cols) {
        const cb = el("input", { type: "checkbox" }); cb.checked = !hidden.has(c);
        cb.addEventListener("change", () => { cb.checked ? hidden.delete(c) : hidden.add(c); draw(lastRows); });
        cl.append(el("label", {}, cb, " " + c));
      }
      const shown = cols.filter((c) => !hidden.has(c));
      table.textContent = "";
      table.append(el("tr", {}, ...shown.map((c) => el("th", {}, c)), el("th", {}, "")));
      for (const r of rows) {
        const actions = el("td", {},
          el("button", { type: "button", class: "edit", onclick: () => edit(r) }, "Edit"), " ",
          cls === "_User" ? el("button", { type: "button", onclick: () => resetPassword(r) }, "Reset password") : "",
          " ", el("button", { type: "button", onclick: () => remove(r) }, "Delete"));
        table.append(el("tr", { "data-id": r.objectId }, ...shown.map((c) => el("td", { title: show(r[c]) }, show(r[c]))), actions));
      }
    }
    async function remove(r) {
      if (!confirm("Delete " + cls + " " + r.objectId + "?")) return;
      try { await rest(base + "/" + r.objectId, "DELETE"); load(); } catch (e) { err.hidden = false; err.textContent = e.message; }
    }
    async function resetPassword(r) {
      const pw = prompt("New password for " + (r.username || r.objectId));
      if (!pw) return;
      try { await rest("/1/users/" + r.objectId, "PUT", { password: pw }); alert("Password reset."); } catch (e) { alert(e.message); }
    }
    function edit(r) {
      const old = document.getElementById("editor"); if (old) old.remove();
      detail.append(document.getElementById("tpl-editor").content.cloneNode(true));
      const ta = document.getElementById("editor-json"), acl = document.getElementById("acl");
      const msg = document.getElementById("editor-msg"), none = document.getElementById("acl-none");
      document.getElementById("editor-title").textContent = r ? "Edit " + cls + " " + r.objectId : "New " + cls + " row";
      const fields = {};
      for (const [k, v] of Object.entries(r || {})) if (!["objectId", "createdAt", "updatedAt", "ACL", "password", "sessionToken"].includes(k)) fields[k] = v;
      ta.value = JSON.stringify(fields, null, 2);
      const addACL = (who, rd, wr) => {
        const w = el("input", { value: who, class: "who" }), a = el("input", { type: "checkbox", class: "rd" }), b = el("input", { type: "checkbox", class: "wr" });
        a.checked = !!rd; b.checked = !!wr;
        const tr = el("tr", {}, el("td", {}, w), el("td", {}, a), el("td", {}, b), el("td", {}, el("button", { type: "button", onclick: () => tr.remove() }, "×")));
        acl.append(tr);
      };
      const current = r && r.ACL;
      none.checked = !!r && !current;
      if (current) for (const [who, p] of Object.entries(current)) addACL(who, p.read, p.write);
      else if (!r) addACL("*", true, true);
      document.getElementById("acl-add").addEventListener("click", () => addACL("", true, false));
      document.getElementById("editor").addEventListener("click", (ev) => {
        const b = ev.target.closest("button[data-insert]"); if (!b) return;
        const s = ta.selectionStart, e = ta.selectionEnd;
        ta.value = ta.value.slice(0, s) + b.dataset.insert + ta.value.slice(e); ta.focus();
      });
      document.getElementById("editor-cancel").addEventListener("click", () => document.getElementById("editor").remove());
      document.getElementById("editor-save").addEventListener("click", async () => {
        let body;
        try { body = JSON.parse(ta.value); } catch (e) { msg.textContent = "Not JSON: " + e.message; return; }
        if (!none.checked) {
          const a = {};
          for (const tr of acl.querySelectorAll("tr")) {
            const who = tr.querySelector(".who"); if (!who || !who.value.trim()) continue;
            const p = {}; if (tr.querySelector(".rd").checked) p.read = true; if (tr.querySelector(".wr").checked) p.write = true;
            a[who.value.trim()] = p;
          }
          body.ACL = a;
        } else if (current) body.ACL = { "*": { read: true, write: true } };
        try {
          if (r) await rest(base + "/" + r.objectId, "PUT", body); else await rest(base, "POST", body);
          msg.textContent = "Saved."; document.getElementById("editor").remove(); load();
        } catch (e) { msg.textContent = e.message; }
      });
      document.getElementById("editor").scrollIntoView();
    }
    form.addEventListener("submit", (ev) => { ev.preventDefault(); skip = 0; load(); });
    document.getElementById("next").addEventListener("click", () => { skip += +(new FormData(form).get("limit") || 20); load(); });
    document.getElementById("prev").addEventListener("click", () => { skip = Math.max(0, skip - +(new FormData(form).get("limit") || 20)); load(); });
    document.getElementById("new-row").addEventListener("click", () => edit(null));
    load();
  }
}

// ---- Payments ----
function initPayments() {
  const trades = document.getElementById("trades");
  if (!trades) return;
  const notifies = document.getElementById("notifies"), msg = document.getElementById("pay-msg");
  const sb = (p, method, body) => api("/_console/api/sandbox/" + p, method, body);
  const yuan = (fen) => (fen / 100).toFixed(2);
  async function act(action, t) {
    try {
      let body = { provider: t.provider, outTradeNo: t.outTradeNo };
      if (action === "refund") {
        const amt = prompt("Refund how much (yuan)?", yuan(t.totalFen - t.refundedFen));
        if (!amt) return;
        body.amount = amt;
      }
      const r = await sb(action, "POST", body);
      msg.textContent = action + " " + t.outTradeNo + ": " + r.trade.status;
      refresh();
    } catch (e) { msg.textContent = e.message; }
  }
  let last = "";
  async function refresh() {
    try {
      const [ts, ds] = await Promise.all([sb("trades"), sb("notifies")]);
      const now = JSON.stringify([ts, ds]);
      if (now === last) return; // unchanged: keep the page (and an open <details>) as it is
      last = now;
      trades.textContent = "";
      trades.append(el("tr", {}, ...["provider", "out_trade_no", "trade no", "kind", "status", "amount", "refunded", "subject", "created", ""].map((h) => el("th", {}, h))));
      if (!ts.length) trades.append(el("tr", {}, el("td", { colspan: "10", class: "hint" }, "No trades yet.")));
      for (const t of ts) {
        trades.append(el("tr", { "data-trade": t.outTradeNo }, el("td", {}, t.provider), el("td", {}, t.outTradeNo), el("td", {}, t.tradeNo), el("td", {}, t.kind),
          el("td", { class: "status" }, t.status), el("td", {}, yuan(t.totalFen)), el("td", {}, yuan(t.refundedFen)), el("td", {}, t.subject), el("td", {}, when(t.createdAt)),
          el("td", {}, el("button", { type: "button", class: "pay", onclick: () => act("pay", t) }, "Pay"), " ",
            el("button", { type: "button", class: "close", onclick: () => act("close", t) }, "Close"), " ",
            el("button", { type: "button", class: "refund", onclick: () => act("refund", t) }, "Refund"))));
      }
      notifies.textContent = "";
      if (!ds.length) notifies.append(el("p", { class: "hint" }, "No notifies yet."));
      for (const d of ds.slice().reverse()) {
        const at = el("table", { class: "rows attempts" }, el("tr", {}, ...["#", "at", "status", "answer", "ms", "error"].map((h) => el("th", {}, h))));
        for (const a of d.attempts || []) at.append(el("tr", {}, el("td", {}, a.n), el("td", {}, when(a.at)), el("td", {}, a.status || ""), el("td", {}, a.body), el("td", {}, a.ms.toFixed(1)), el("td", {}, a.error || "")));
        notifies.append(el("div", { class: "delivery", "data-id": d.id, "data-replay-of": d.replayOf || "" },
          el("div", {}, el("b", {}, d.provider + " " + d.event + " " + d.outTradeNo), " ",
            el("span", { class: "badge " + (d.state === "acknowledged" ? "ok" : d.state === "failed" ? "bad" : "") }, d.state), " ",
            d.replayOf ? el("span", { class: "hint" }, "replay of " + d.replayOf + " ") : "",
            el("button", { type: "button", class: "replay", onclick: async () => {
              try { await sb("notifies/" + encodeURIComponent(d.id) + "/replay", "POST", {}); refresh(); } catch (e) { msg.textContent = e.message; }
            } }, "Replay")),
          el("div", { class: "hint" }, "→ " + d.url + " · " + d.rule),
          el("details", {}, el("summary", {}, "request"), el("pre", { class: "small" },
            Object.entries(d.header || {}).map(([k, v]) => k + ": " + v.join(", ")).join("\n") + "\n\n" + d.body)),
          el("div", { class: "table-wrap" }, at)));
      }
    } catch (e) { msg.textContent = e.message; }
  }
  document.getElementById("new-pay").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const f = new FormData(ev.target), body = {};
    for (const [k, v] of f.entries()) if (v) body[k] = v;
    try { const r = await sb("pay", "POST", body); msg.textContent = "paid " + r.trade.outTradeNo; refresh(); }
    catch (e) { msg.textContent = e.message; }
  });
  refresh();
  setInterval(() => { if (!document.hidden) refresh(); }, 3000);
}

document.addEventListener("DOMContentLoaded", () => {
  initFunctions(); initLogs(); initData(); initPayments();
});

// ---- Tasks ----
function initTasks() {
  const table = document.getElementById("tasks");
  if (!table) return;
  const msg = document.getElementById("task-msg"), hist = document.getElementById("task-history");
  const tk = (p, method, body) => api("/_console/api/tasks/" + p, method, body);
  async function history(name) {
    try {
      const r = await tk(encodeURIComponent(name));
      const t = el("table", { class: "rows", id: "runs" }, el("tr", {}, ...["started", "scheduled", "outcome", "status", "ms", "by hand", "error"].map((h) => el("th", {}, h))));
      for (const run of (r.runs || []).slice().reverse()) {
        t.append(el("tr", {}, el("td", {}, when(run.started)), el("td", {}, when(run.scheduled)), el("td", {}, run.outcome),
          el("td", {}, run.status || ""), el("td", {}, run.durationMs), el("td", {}, run.byHand ? "yes" : ""), el("td", {}, run.error || "")));
      }
      hist.textContent = "";
      hist.append(el("h3", {}, "History of " + name), el("div", { class: "table-wrap" }, t));
    } catch (e) { msg.textContent = e.message; }
  }
  async function refresh() {
    try {
      const r = await tk("");
      table.textContent = "";
      table.append(el("tr", {}, ...["task", "rule", "function", "enabled", "next run", "last run", ""].map((h) => el("th", {}, h))));
      const list = r.tasks || [];
      if (!list.length) table.append(el("tr", {}, el("td", { colspan: "7", class: "hint" }, "No timed tasks: declare them under tasks: in bmobemu.yaml.")));
      for (const t of list) {
        const last = t.last ? t.last.outcome + " " + when(t.last.started) + (t.last.error ? " (" + t.last.error + ")" : "") : "";
        table.append(el("tr", { "data-task": t.name }, el("td", {}, t.name), el("td", {}, el("code", {}, t.rule)), el("td", {}, t.function),
          el("td", {}, t.enabled ? "yes" : "no"), el("td", {}, t.running ? "running" : when(t.next)), el("td", { class: "last" }, last),
          el("td", {}, el("button", { type: "button", class: "run", onclick: async () => {
            msg.textContent = "running " + t.name + "…";
            try { const run = await tk(encodeURIComponent(t.name) + "/run", "POST", {}); msg.textContent = t.name + ": " + run.outcome + (run.error ? " (" + run.error + ")" : ""); }
            catch (e) { msg.textContent = e.message; }
            refresh(); history(t.name);
          } }, "Run now"), " ",
          el("button", { type: "button", class: "history", onclick: () => history(t.name) }, "History"))));
      }
    } catch (e) { msg.textContent = e.message; }
  }
  refresh();
  setInterval(() => { if (!document.hidden) refresh(); }, 5000);
}
document.addEventListener("DOMContentLoaded", initTasks);
