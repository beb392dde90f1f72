/* Officer console (web/templates/console/index.html).
 *
 * Polls the queue (/api/console/handoffs) and the open chat (/api/console/handoffs/<id>?after=<last
 * message id>) so new handoffs and new worker messages appear without a reload; a new handoff
 * raises the badge and plays a short tone. Everything that comes from a worker (or from the
 * server at all) is put on the page with textContent, never as HTML.
 */
(function () {
  "use strict";

  var LIST_MS = 2000;
  var DETAIL_MS = 1500;
  var L = JSON.parse(document.getElementById("console-labels").textContent);
  var CSRF = document.querySelector('meta[name="csrf-token"]').getAttribute("content");
  var root = document.getElementById("console");
  var ME = root.getAttribute("data-me");
  var $ = function (id) { return document.getElementById(id); };

  var state = {
    filter: "open",
    items: [],
    known: null,          // ids of waiting handoffs already seen (null until the first load)
    flagged: {},          // ids already announced as waiting too long
    unseen: 0,
    selected: null,
    detail: null,
    lastMessageId: 0,
    holder: null,
    listTimer: null,
    detailTimer: null,
    detailBusy: false,
    audio: null,
    baseTitle: document.title
  };

  /* ---------- small helpers ---------- */
  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function label(group, key) {
    var table = L[group] || {};
    return Object.prototype.hasOwnProperty.call(table, key) ? table[key] : key;
  }

  function clock(seconds) {
    seconds = Math.max(0, seconds | 0);
    var h = Math.floor(seconds / 3600), m = Math.floor(seconds / 60) % 60, s = seconds % 60;
    var mm = (m < 10 ? "0" : "") + m + ":" + (s < 10 ? "0" : "") + s;
    return h ? h + ":" + mm : mm;
  }

  function localTime(iso) {
    if (!iso) return "";
    var d = new Date(iso);
    return d.toLocaleTimeString("zh-CN", { hour: "2-digit", minute: "2-digit" });
  }

  function notice(text, kind) {
    var box = $("notice");
    box.textContent = text;
    box.className = "toast " + (kind || "");
    box.hidden = !text;
    clearTimeout(notice.timer);
    if (text) notice.timer = setTimeout(function () { box.hidden = true; }, 4000);
  }

  // A token that expired (the page stayed open past its lifetime) is renewed once and the call
  // tried again, so claims and replies keep working without a reload.
  async function freshCsrf() {
    var resp = await fetch("/api/csrf-token", { credentials: "same-origin", headers: { "Accept": "application/json" } });
    if (!resp.ok) return false;
    CSRF = (await resp.json()).csrf_token;
    document.querySelector('meta[name="csrf-token"]').setAttribute("content", CSRF);
    return true;
  }

  // `poll` marks the page's own background refreshes: they do not count as the officer's activity,
  // so an unattended console still logs out after the idle time.
  async function api(method, path, body, poll, retried) {
    var opts = { method: method, credentials: "same-origin", headers: { "Accept": "application/json" } };
    if (poll) opts.headers["X-Console-Poll"] = "1";
    if (method !== "GET") {
      opts.headers["Content-Type"] = "application/json";
      opts.headers["X-CSRFToken"] = CSRF;
      opts.body = JSON.stringify(body || {});
    }
    var resp = await fetch(path, opts);
    var data = null;
    try { data = await resp.json(); } catch (e) { data = null; }
    if (resp.status === 400 && data && data.error === "csrf_failed" && !retried && await freshCsrf()) {
      return api(method, path, body, poll, true);
    }
    if (resp.status === 401) {
      notice(L.ui.session_expired, "error");
      setTimeout(function () { window.location.reload(); }, 1500);
    }
    return { status: resp.status, ok: resp.ok, data: data };
  }

  function failed(res) {
    var msg = res.data && (res.data.message || res.data.error);
    notice(L.ui.error + (msg || res.status), "error");
  }

  /* ---------- a short tone for new handoffs (browsers allow audio after a click) ---------- */
  document.addEventListener("click", function () {
    if (!state.audio && (window.AudioContext || window.webkitAudioContext)) {
      state.audio = new (window.AudioContext || window.webkitAudioContext)();
    }
  }, { once: true });

  function beep() {
    var ctx = state.audio;
    if (!ctx) return;
    var osc = ctx.createOscillator(), gain = ctx.createGain();
    osc.frequency.value = 880;
    gain.gain.setValueAtTime(0.15, ctx.currentTime);
    gain.gain.exponentialRampToValueAtTime(0.001, ctx.currentTime + 0.4);
    osc.connect(gain).connect(ctx.destination);
    osc.start();
    osc.stop(ctx.currentTime + 0.4);
  }

  function setBadge(n) {
    state.unseen = n;
    var badge = $("new-badge");
    badge.textContent = String(n);
    badge.hidden = n === 0;
    document.title = (n ? "(" + n + ") " : "") + state.baseTitle;
  }

  /* ---------- the queue ---------- */
  function listPath() {
    if (state.filter === "closed") return "/api/console/handoffs?status=closed";
    if (state.filter === "waiting") return "/api/console/handoffs?status=waiting";
    return "/api/console/handoffs?status=waiting,active";
  }

  async function pollList() {
    clearTimeout(state.listTimer);
    try {
      var res = await api("GET", listPath(), null, true);
      if (res.ok) {
        $("online-status").classList.remove("offline");
        announce(res.data);
        state.items = state.filter === "mine"
          ? res.data.filter(function (h) { return h.officer === ME; }) : res.data;
        renderList();
      }
    } catch (e) {
      $("online-status").classList.add("offline");
      notice(L.ui.offline, "error");
    }
    state.listTimer = setTimeout(pollList, LIST_MS);
  }

  // Badge and tone for handoffs that were not there on the last poll, and for ones waiting too long.
  function announce(items) {
    var fresh = 0, flaggedNow = [];
    var waiting = items.filter(function (h) { return h.status === "waiting"; });
    if (state.filter !== "closed") {
      if (state.known === null) {
        state.known = {};
      } else {
        waiting.forEach(function (h) { if (!state.known[h.id]) fresh += 1; });
      }
      waiting.forEach(function (h) { state.known[h.id] = true; });
      waiting.forEach(function (h) {
        if (h.flagged) {
          flaggedNow.push(h);
          if (!state.flagged[h.id]) { state.flagged[h.id] = true; fresh += 1; }
        }
      });
      var banner = $("flag-banner");
      banner.hidden = flaggedNow.length === 0;
      banner.textContent = flaggedNow.length ? L.ui.flagged + " × " + flaggedNow.length : "";
    }
    if (fresh) {
      setBadge(state.unseen + fresh);
      beep();
    }
  }

  function renderList() {
    var list = $("queue");
    var items = state.items;
    list.textContent = "";
    if (!items.length) {
      list.appendChild(el("li", "empty", L.ui.no_items));
      return;
    }
    items.forEach(function (h) {
      var li = el("li", "handoff " + h.status + (h.priority === "urgent" ? " urgent" : "") +
        (h.priority === "critical" ? " urgent critical" : "") +
        (h.flagged ? " flagged" : "") + (h.id === state.selected ? " selected" : ""));
      li.setAttribute("data-id", String(h.id));
      li.tabIndex = 0;
      var top = el("div", "row");
      if (h.priority === "urgent") top.appendChild(el("span", "tag urgent", L.ui.urgent_flag));
      if (h.priority === "critical") top.appendChild(el("span", "tag urgent critical", L.ui.critical_flag));
      top.appendChild(el("span", "reason", label("reasons", h.reason)));
      top.appendChild(el("span", "team", label("teams", h.team)));
      if (h.org_name || h.org) top.appendChild(el("span", "org", h.org_name || h.org));
      li.appendChild(top);
      var meta = el("div", "row meta");
      meta.appendChild(el("span", "status", label("statuses", h.status)));
      meta.appendChild(el("span", "channel", label("channels", h.channel)));
      if (h.phone) meta.appendChild(el("span", "phone", h.phone));
      if (h.status === "waiting") {
        meta.appendChild(el("span", "waited", L.ui.waited + " " + clock(h.waiting_seconds)));
        if (h.position) meta.appendChild(el("span", "position", L.ui.position.replace("{n}", h.position)));
      } else if (h.officer) {
        meta.appendChild(el("span", "officer", L.ui.held_by + h.officer + (h.officer === ME ? L.ui.me : "")));
      }
      if (h.status === "closed" && h.outcome) meta.appendChild(el("span", "outcome", label("outcomes", h.outcome)));
      li.appendChild(meta);
      if (h.flagged) li.appendChild(el("div", "flag", L.ui.flagged));
      if (h.preview) li.appendChild(el("div", "preview", h.preview));
      li.addEventListener("click", function () { select(h.id); });
      li.addEventListener("keydown", function (ev) { if (ev.key === "Enter") select(h.id); });
      list.appendChild(li);
    });
  }

  document.querySelectorAll(".tabs .tab").forEach(function (tab) {
    tab.addEventListener("click", function () {
      document.querySelectorAll(".tabs .tab").forEach(function (t) { t.classList.remove("active"); });
      tab.classList.add("active");
      state.filter = tab.getAttribute("data-filter");
      pollList();
    });
  });

  $("queue").addEventListener("mouseenter", function () { setBadge(0); });
  window.addEventListener("focus", function () { if (state.unseen) setBadge(0); });

  /* ---------- one chat ---------- */
  function select(id) {
    setBadge(0);
    state.selected = id;
    state.detail = null;
    state.holder = null;
    state.lastMessageId = 0;
    $("transcript").textContent = "";
    renderList();
    pollDetail();
  }

  function reloadDetail() {
    if (state.selected === null) return;
    select(state.selected);
  }

  async function pollDetail() {
    clearTimeout(state.detailTimer);
    var id = state.selected;
    if (id === null) return;
    if (state.detailBusy) { state.detailTimer = setTimeout(pollDetail, 200); return; }
    state.detailBusy = true;
    try {
      var res = await api("GET", "/api/console/handoffs/" + id + "?after=" + state.lastMessageId, null, true);
      if (id !== state.selected) return;
      if (res.ok) {
        // Taking or handing over the chat changes what may be shown in full: redraw it all.
        if (state.holder !== null && res.data.holder !== state.holder) {
          state.detailBusy = false;
          reloadDetail();
          return;
        }
        state.holder = res.data.holder;
        renderDetail(res.data);
      } else if (res.status === 403 || res.status === 404) {
        failed(res);
        state.selected = null;
        return;
      }
    } catch (e) {
      notice(L.ui.offline, "error");
    } finally {
      state.detailBusy = false;
    }
    if (id === state.selected) state.detailTimer = setTimeout(pollDetail, DETAIL_MS);
  }

  function renderDetail(h) {
    state.detail = h;
    $("chat-title").textContent = label("reasons", h.reason) + " · " + label("teams", h.team) +
      (h.priority === "urgent" ? " · " + L.ui.urgent_flag : "") +
      (h.priority === "critical" ? " · " + L.ui.critical_flag : "");
    var meta = [label("statuses", h.status), label("channels", h.channel), localTime(h.created_at)];
    if (h.officer) meta.push(L.ui.held_by + h.officer + (h.officer === ME ? L.ui.me : ""));
    if (h.status === "closed" && h.outcome) meta.push(label("outcomes", h.outcome));
    $("chat-meta").textContent = meta.join(" · ");
    $("masked-hint").hidden = !h.masked;
    $("masked-hint").textContent = L.ui.masked;

    var list = $("transcript");
    (h.transcript || []).forEach(function (m) {
      if (m.id <= state.lastMessageId) return;
      state.lastMessageId = m.id;
      var li = el("li", "msg " + m.role + (m.danger ? " danger" : ""));
      li.setAttribute("data-id", String(m.id));
      var head = el("div", "who", label("roles", m.role) + " " + localTime(m.ts) +
        (m.danger ? " " + L.ui.danger_message + label("reasons", "safety_" + m.danger) : ""));
      li.appendChild(head);
      li.appendChild(el("div", "text", m.text));
      list.appendChild(li);
    });
    if (h.transcript && h.transcript.length) list.scrollTop = list.scrollHeight;

    $("claim-bar").hidden = h.status !== "waiting";
    $("reply-form").hidden = !h.holder;
    $("side-pane").hidden = false;
    $("manage").hidden = h.status === "closed";
    $("case-number").textContent = h.case_number ? L.ui.case + h.case_number : "";
    if (h.form_data) renderForm(h.form_data);  // only in a full load (after=0), not in every poll
    renderNotes(h.notes || []);
  }

  function renderForm(data) {
    var dl = $("form-data");
    dl.textContent = "";
    var keys = Object.keys(data);
    if (!keys.length) {
      dl.appendChild(el("dd", "empty", L.ui.no_form));
      return;
    }
    keys.forEach(function (k) {
      var value = data[k];
      if (value !== null && typeof value === "object") value = JSON.stringify(value);
      dl.appendChild(el("dt", null, label("fields", k)));
      var dd = el("dd", null, value === null || value === undefined ? "" : value);
      dd.setAttribute("data-field", k);
      dl.appendChild(dd);
    });
  }

  function renderNotes(notes) {
    var ul = $("notes");
    ul.textContent = "";
    notes.forEach(function (n) {
      var li = el("li", "note " + n.kind);
      li.appendChild(el("div", "who", n.author + " " + localTime(n.created_at)));
      var prefix = L.note_kinds[n.kind] || "";
      var text = n.text;
      if (n.kind === "transfer_team") text = label("teams", n.text);
      li.appendChild(el("div", "text", prefix + text));
      ul.appendChild(li);
    });
  }

  /* ---------- actions ---------- */
  $("claim").addEventListener("click", async function () {
    var res = await api("POST", "/api/console/handoffs/" + state.selected + "/claim");
    if (res.ok) {
      notice(L.ui.claimed, "ok");
      reloadDetail();
      pollList();
      $("reply-text").focus();
    } else {
      failed(res);
      reloadDetail();
    }
  });

  async function sendReply() {
    var box = $("reply-text");
    var text = box.value.trim();
    if (!text) return;
    $("send").disabled = true;
    try {
      var res = await api("POST", "/api/console/handoffs/" + state.selected + "/messages", { text: text });
      if (res.ok) {
        box.value = "";
        pollDetail();
      } else {
        failed(res);
      }
    } finally {
      $("send").disabled = false;
    }
  }

  $("reply-form").addEventListener("submit", function (ev) { ev.preventDefault(); sendReply(); });
  $("reply-text").addEventListener("keydown", function (ev) {
    if (ev.key === "Enter" && (ev.ctrlKey || ev.metaKey)) { ev.preventDefault(); sendReply(); }
  });

  $("canned").addEventListener("change", function () {
    var opt = this.options[this.selectedIndex];
    if (opt && opt.value) {
      $("reply-text").value = opt.getAttribute("data-text");
      $("reply-text").focus();
    }
    this.selectedIndex = 0;
  });

  $("note-form").addEventListener("submit", async function (ev) {
    ev.preventDefault();
    var text = $("note-text").value.trim();
    if (!text || state.selected === null) return;
    var res = await api("POST", "/api/console/handoffs/" + state.selected + "/notes", { text: text });
    if (res.ok) { $("note-text").value = ""; notice(L.ui.noted, "ok"); pollDetail(); } else { failed(res); }
  });

  async function transfer(body) {
    var res = await api("POST", "/api/console/handoffs/" + state.selected + "/transfer", body);
    if (res.ok) { notice(L.ui.transferred, "ok"); reloadDetail(); pollList(); } else { failed(res); }
  }
  $("transfer-to-team").addEventListener("click", function () { transfer({ team: $("transfer-team").value }); });
  $("transfer-to-officer").addEventListener("click", function () {
    if ($("transfer-officer").value) transfer({ officer: $("transfer-officer").value });
  });

  $("close").addEventListener("click", async function () {
    var res = await api("POST", "/api/console/handoffs/" + state.selected + "/close", { outcome: $("outcome").value });
    if (res.ok) { notice(L.ui.closed, "ok"); pollDetail(); pollList(); } else { failed(res); }
  });

  /* ---------- colleagues and canned replies, loaded once ---------- */
  async function loadCanned() {
    var res = await api("GET", "/api/console/canned-replies");
    if (!res.ok) return;
    var select = $("canned");
    res.data.forEach(function (r) {
      var opt = el("option", null, r.title);
      opt.value = r.id;
      opt.setAttribute("data-text", r.text);
      select.appendChild(opt);
    });
  }

  async function loadOfficers() {
    var res = await api("GET", "/api/console/officers");
    if (!res.ok) return;
    var select = $("transfer-officer");
    select.textContent = "";
    res.data.forEach(function (o) {
      if (o.name === ME) return;
      var text = o.display_name + " · " + o.teams.map(function (t) { return label("teams", t); }).join(" / ") +
        (o.online ? " · " + L.ui.online : "");
      var opt = el("option", null, text);
      opt.value = o.name;
      select.appendChild(opt);
    });
  }

  document.addEventListener("visibilitychange", function () {
    if (!document.hidden) { pollList(); pollDetail(); }
  });

  loadCanned();
  loadOfficers();
  setInterval(loadOfficers, 60000);
  pollList();
})();
