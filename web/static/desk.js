/* The case desk (web/templates/console/_desk.html): the console's second view.
 *
 * Lists the filed records (/api/console/records, overdue and due today first), opens one
 * (/api/console/records/<number>) with its data, the chat it came from, its history and notes,
 * and takes, assigns, moves and annotates it. The tab's badge counts overdue records of my teams.
 * Everything from the server is put on the page with textContent, never as HTML.
 */
(function () {
  "use strict";

  var LIST_MS = 5000;
  var BADGE_MS = 15000;
  var L = JSON.parse(document.getElementById("desk-labels").textContent);
  var CSRF = document.querySelector('meta[name="csrf-token"]').getAttribute("content");
  var root = document.getElementById("desk");
  var ME = root.getAttribute("data-me");
  var $ = function (id) { return document.getElementById(id); };
  var state = { selected: null, record: null, listTimer: null, officers: null };

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function label(group, key) {
    var table = L[group] || {};
    return Object.prototype.hasOwnProperty.call(table, key) ? table[key] : (key === null ? "" : key);
  }

  function when(iso) {
    if (!iso) return "";
    return new Date(iso).toLocaleString("zh-CN", { month: "numeric", day: "numeric", hour: "2-digit", minute: "2-digit" });
  }

  function notice(text, kind) {
    var box = $("notice");
    box.textContent = text;
    box.className = "toast " + (kind || "");
    box.hidden = !text;
    clearTimeout(notice.timer);
    if (text) notice.timer = setTimeout(function () { box.hidden = true; }, 4000);
  }

  async function api(method, path, body) {
    var opts = { method: method, credentials: "same-origin", headers: { "Accept": "application/json" } };
    if (method !== "GET") {
      opts.headers["Content-Type"] = "application/json";
      opts.headers["X-CSRFToken"] = CSRF;
      opts.body = JSON.stringify(body || {});
    }
    var resp = await fetch(path, opts);
    var data = null;
    try { data = await resp.json(); } catch (e) { data = null; }
    return { status: resp.status, ok: resp.ok, data: data };
  }

  function failed(res) {
    var d = res.data || {};
    var msg = d.message || (d.fields && Object.values(d.fields).join("；")) || d.error;
    notice(L.ui.error + (msg || res.status), "error");
  }

  /* ---------- the two views ---------- */
  function show(view) {
    document.querySelectorAll(".view-tab").forEach(function (b) {
      b.classList.toggle("active", b.getAttribute("data-view") === view);
    });
    $("console").hidden = view !== "console";
    root.hidden = view !== "desk";
    if (view === "desk") { history.replaceState(null, "", "#desk"); pollList(); }
    else { history.replaceState(null, "", location.pathname); clearTimeout(state.listTimer); }
  }

  document.querySelectorAll(".view-tab").forEach(function (b) {
    b.addEventListener("click", function () { show(b.getAttribute("data-view")); });
  });

  async function pollBadge() {
    try {
      var res = await api("GET", "/api/console/records/badge");
      if (res.ok) {
        var badge = $("desk-badge");
        badge.textContent = String(res.data.overdue);
        badge.hidden = res.data.overdue === 0;
        badge.classList.toggle("flagged", res.data.flagged > 0);
      }
    } catch (e) { /* the chat console reports the connection */ }
    setTimeout(pollBadge, BADGE_MS);
  }

  /* ---------- the list ---------- */
  function listPath() {
    var q = new URLSearchParams();
    [["q", "desk-q"], ["kind", "desk-kind"], ["type", "desk-type"], ["status", "desk-status"],
     ["priority", "desk-priority"]].forEach(function (pair) {
      var v = $(pair[1]).value.trim();
      if (v) q.set(pair[0], v);
    });
    if ($("desk-mine").checked) q.set("mine", "1");
    if ($("desk-overdue").checked) q.set("overdue", "1");
    return "/api/console/records?" + q.toString();
  }

  async function pollList() {
    clearTimeout(state.listTimer);
    if (root.hidden) return;
    try {
      var res = await api("GET", listPath());
      if (res.ok) renderList(res.data.items);
      else failed(res);
    } catch (e) { /* retried below */ }
    state.listTimer = setTimeout(pollList, LIST_MS);
  }

  function renderList(items) {
    var list = $("desk-list");
    list.textContent = "";
    if (!items.length) { list.appendChild(el("li", "empty", L.ui.no_items)); return; }
    items.forEach(function (r) {
      var li = el("li", "record");
      li.tabIndex = 0;
      li.setAttribute("data-number", r.number);
      if (r.overdue) li.classList.add("overdue");
      if (r.priority === "urgent") li.classList.add("urgent");
      if (r.number === state.selected) li.classList.add("selected");
      var row = el("div", "row");
      row.appendChild(el("span", "number", r.number));
      row.appendChild(el("span", "kind", r.type ? label("types", r.type) : label("kinds", r.kind)));
      row.appendChild(el("span", "status s-" + r.status, label("statuses", r.status)));
      if (r.priority === "urgent") row.appendChild(el("span", "tag urgent", label("priorities", "urgent")));
      li.appendChild(row);
      var due = el("div", "row meta");
      due.appendChild(el("span", "due", L.ui.due + when(r.due_at)));
      if (r.overdue) due.appendChild(el("span", "tag overdue", L.ui.overdue));
      else if (r.due_today) due.appendChild(el("span", "tag today", L.ui.due_today));
      if (r.flagged) due.appendChild(el("span", "flag", L.ui.flagged));
      due.appendChild(el("span", "assignee", r.assignee ? L.ui.assignee + r.assignee : L.ui.nobody));
      if (r.org_name || r.org) due.appendChild(el("span", "org", r.org_name || r.org));
      li.appendChild(due);
      li.appendChild(el("div", "preview", r.summary || ""));
      li.addEventListener("click", function () { open(r.number); });
      li.addEventListener("keydown", function (ev) { if (ev.key === "Enter") open(r.number); });
      list.appendChild(li);
    });
  }

  $("desk-filters").addEventListener("submit", function (ev) { ev.preventDefault(); pollList(); });
  ["desk-kind", "desk-type", "desk-status", "desk-priority", "desk-mine", "desk-overdue"].forEach(function (id) {
    $(id).addEventListener("change", pollList);
  });
  $("desk-q").addEventListener("input", function () {
    clearTimeout(state.searchTimer);
    state.searchTimer = setTimeout(pollList, 300);
  });

  /* ---------- one record ---------- */
  async function open(number) {
    state.selected = number;
    document.querySelectorAll("#desk-list .record").forEach(function (li) {
      li.classList.toggle("selected", li.getAttribute("data-number") === number);
    });
    var res = await api("GET", "/api/console/records/" + encodeURIComponent(number));
    if (!res.ok) { failed(res); return; }
    renderRecord(res.data);
  }

  function renderRecord(r) {
    state.record = r;
    $("record-title").textContent = r.number + " · " + (r.type ? label("types", r.type) : label("kinds", r.kind));
    $("record-meta").textContent = [label("statuses", r.status), label("priorities", r.priority),
      L.ui.created + when(r.created_at)].join(" · ");
    var due = $("record-due");
    due.textContent = L.ui.due + when(r.due_at) + (r.overdue ? " · " + L.ui.overdue : "");
    due.classList.toggle("overdue", !!r.overdue);
    $("record-masked").textContent = L.ui.masked;
    $("record-masked").hidden = !r.masked;
    $("record-body").hidden = false;
    $("record-side").hidden = false;

    var dl = $("record-data");
    dl.textContent = "";
    Object.keys(r.data || {}).forEach(function (key) {
      var value = r.data[key];
      dl.appendChild(el("dt", null, label("fields", key)));
      if (value && typeof value === "object") {
        var inner = el("dl", "form-data nested");
        Object.keys(value).forEach(function (k) {
          inner.appendChild(el("dt", null, k));
          inner.appendChild(el("dd", null, value[k]));
        });
        var dd = el("dd");
        dd.appendChild(inner);
        dl.appendChild(dd);
      } else if (typeof value === "boolean") {
        dl.appendChild(el("dd", null, value ? L.ui.yes : L.ui.no));
      } else {
        dl.appendChild(el("dd", null, value));
      }
    });

    var ol = $("record-transcript");
    ol.textContent = "";
    if (!(r.transcript || []).length) ol.appendChild(el("li", "msg system", L.ui.no_transcript));
    (r.transcript || []).forEach(function (m) {
      var li = el("li", "msg " + m.role);
      li.appendChild(el("div", "who", label("roles", m.role) + " " + when(m.ts)));
      li.appendChild(el("div", "text", m.text));
      ol.appendChild(li);
    });

    $("record-assignee").textContent = r.assignee ? L.ui.assignee + r.assignee + (r.holder ? L.ui.me : "") : L.ui.nobody;
    var org = $("record-org");
    if (org) org.textContent = r.org_name || r.org || "";
    $("record-take").hidden = !!r.holder;
    var next = $("record-next");
    next.textContent = "";
    (r.next_statuses || []).forEach(function (s) { next.appendChild(el("option", null, label("statuses", s))).value = s; });
    $("status-form").hidden = !r.holder || !(r.next_statuses || []).length;

    var hist = $("record-history");
    hist.textContent = "";
    (r.history || []).forEach(function (h) {
      var li = el("li", "entry " + h.action);
      var head = [when(h.at), h.actor || "", label("actions", h.action)];
      if (h.action === "status" || h.action === "created") {
        head.push((h.from ? label("statuses", h.from) + L.ui.to : "") + label("statuses", h.to));
      } else if (h.action === "assign") {
        head.push((h.from || L.ui.nobody) + L.ui.to + (h.to || L.ui.nobody));
      }
      li.appendChild(el("div", "head", head.filter(Boolean).join(" · ")));
      if (h.message) li.appendChild(el("div", "message", h.message));
      if (h.note) li.appendChild(el("div", "note", h.note));
      hist.appendChild(li);
    });
    loadOfficers();
  }

  async function loadOfficers() {
    if (state.officers) return;
    var res = await api("GET", "/api/console/officers");
    if (!res.ok) return;
    state.officers = res.data;
    var select = $("record-officer");
    select.textContent = "";
    res.data.forEach(function (o) {
      if (o.name === ME) return;
      select.appendChild(el("option", null, o.display_name + (o.online ? " ●" : ""))).value = o.name;
    });
  }

  async function act(path, body, done) {
    if (!state.record) return;
    var res = await api("POST", "/api/console/records/" + encodeURIComponent(state.record.number) + path, body);
    if (!res.ok) { failed(res); return; }
    renderRecord(res.data);
    notice(done, "ok");
    pollList();
  }

  $("record-take").addEventListener("click", function () { act("/assign", {}, L.ui.taken); });
  $("record-assign").addEventListener("click", function () {
    var officer = $("record-officer").value;
    if (officer) act("/assign", { officer: officer }, L.ui.saved);
  });
  $("status-form").addEventListener("submit", function (ev) {
    ev.preventDefault();
    var status = $("record-next").value;
    var message = $("status-message").value.trim();
    if (status === "rejected" && !message) { notice(L.ui.reason_needed, "error"); return; }
    act("/status", { status: status, message: message }, L.ui.moved).then(function () {
      $("status-message").value = "";
    });
  });
  $("record-note-form").addEventListener("submit", function (ev) {
    ev.preventDefault();
    var text = $("record-note").value.trim();
    if (!text) { notice(L.ui.empty_note, "error"); return; }
    act("/notes", { text: text }, L.ui.saved).then(function () { $("record-note").value = ""; });
  });

  pollBadge();
  show(location.hash === "#desk" ? "desk" : "console");
})();
