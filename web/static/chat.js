/*
 * 工会小助手 web chat (plain JS, no build step).
 *
 * Contract: DESIGN.md, "HTTP contract" -> Web chat.
 * All user-facing text comes from the JSON block #chat-config in chat.html.
 *
 * How messages are de-duplicated
 *   The transcript (GET /api/chat/messages?after=<id>) is the source of truth: every message it
 *   returns carries an id, and an id is rendered at most once (state.shown).
 *   The worker's own bubble is drawn as soon as it is sent; the POST answer names its transcript id
 *   (user_message_id) and each reply's id, so the bubbles are bound to their ids when it arrives.
 *   While a message is being sent the transcript is not read (a poll answered meanwhile is thrown
 *   away and repeated afterwards), so a poll never draws a line whose bubble is still waiting for
 *   its id. Everything else (officer, system, replies seen from another tab) is drawn from the
 *   transcript by id.
 */
(function () {
  "use strict";

  var CFG = readConfig();
  var S = CFG.strings || {};
  var API = (CFG.apiBase || "").replace(/\/+$/, "");
  var POLL_MS = CFG.pollIntervalMs || 1500;
  var MAX_LEN = CFG.maxLength || 500;
  var POLL_PAGE = 200; // the server returns at most this many per request
  var ROLES = { user: 1, bot: 1, officer: 1, system: 1 };

  var $ = function (id) { return document.getElementById(id); };
  var logEl = $("log");
  var messagesEl = $("messages");
  var typingEl = $("typing");
  var inputEl = $("input");
  var sendEl = $("send");
  var formEl = $("composer");
  var counterEl = $("counter");
  var noticeEl = $("notice");
  var noticeTextEl = $("notice-text");
  var retryEl = $("retry");
  var newMsgEl = $("new-messages");
  var menuBtn = $("menu");
  var menuPanel = $("menu-panel");
  var menuChips = $("menu-chips");

  var state = {
    sessionId: null,
    token: null,
    lastId: 0,
    shown: new Set(),   // transcript ids already on screen
    sends: 0,           // messages sent so far: a poll that overlapped one is not used
    loaded: false,      // first transcript fetch done
    sending: false,
    polling: false,
    pollAgain: false,
    pollTimer: null,
    pollFailures: 0,
    generation: 0,      // bumped when the session is replaced; late answers of the old one are dropped
    resetting: null,
    noticeKind: null,
    noticeTimer: null,
    retry: null
  };

  /* ---------- configuration and storage ---------- */

  function readConfig() {
    try {
      return JSON.parse(document.getElementById("chat-config").textContent) || {};
    } catch (e) {
      return {};
    }
  }

  var store = (function () {
    var mem = {};
    return {
      get: function (k) {
        try {
          var v = window.localStorage.getItem(k);
          if (v !== null) return v;
        } catch (e) { /* storage blocked: fall back to memory */ }
        return Object.prototype.hasOwnProperty.call(mem, k) ? mem[k] : null;
      },
      set: function (k, v) {
        mem[k] = v;
        try { window.localStorage.setItem(k, v); } catch (e) { /* ignore */ }
      },
      del: function (k) {
        delete mem[k];
        try { window.localStorage.removeItem(k); } catch (e) { /* ignore */ }
      }
    };
  })();

  /* ---------- HTTP ---------- */

  function ApiError(status, data) {
    this.status = status;
    this.data = data;
  }

  function isAuthError(e) {
    return !!e && (e.status === 401 || e.status === 403 || e.status === 404);
  }

  function api(method, path, body, timeoutMs) {
    var ctrl = typeof AbortController === "function" ? new AbortController() : null;
    var timer = ctrl ? setTimeout(function () { ctrl.abort(); }, timeoutMs || 15000) : null;
    var headers = { "Accept": "application/json" };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (state.token && path.indexOf("/api/chat/sessions") !== 0) {
      headers["Authorization"] = "Bearer " + state.token;
    }
    return fetch(API + path, {
      method: method,
      headers: headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: "no-store",
      credentials: "same-origin",
      signal: ctrl ? ctrl.signal : undefined
    }).then(function (res) {
      return res.json().catch(function () { return null; }).then(function (data) {
        if (timer) clearTimeout(timer);
        if (!res.ok) throw new ApiError(res.status, data);
        return data || {};
      });
    }, function () {
      if (timer) clearTimeout(timer);
      throw new ApiError(0, null); // network error or timeout
    });
  }

  function sleep(ms) {
    return new Promise(function (resolve) { setTimeout(resolve, ms); });
  }

  // A message's own name: sent again with it, the server answers the same message once.
  function newRetryKey() {
    if (window.crypto && typeof window.crypto.randomUUID === "function") return window.crypto.randomUUID();
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  // The answer was lost on the way (no connection, a gateway host gone): worth sending again.
  function isLostAnswer(e) {
    return !!e && (e.status === 0 || e.status === 502 || e.status === 503 || e.status === 504);
  }

  // POST a message, sending it again with the same retry key while its answer is lost (1 s, 2 s, 4 s).
  async function postMessage(body) {
    for (var attempt = 0; ; attempt++) {
      try {
        return await api("POST", "/api/chat/messages", body, 60000);
      } catch (e) {
        if (!isLostAnswer(e) || attempt >= 3) throw e;
        await sleep(1000 * Math.pow(2, attempt));
      }
    }
  }

  /* ---------- session ---------- */

  async function createSession() {
    var wait = 1000;
    for (;;) {
      try {
        var data = await api("POST", "/api/chat/sessions", {}, 15000);
        if (data && data.session_id != null && typeof data.token === "string" && data.token) {
          state.sessionId = String(data.session_id);
          state.token = data.token;
          store.set("session_id", state.sessionId);
          store.set("token", state.token);
          hideNotice("session");
          updateSendButton();
          return;
        }
      } catch (e) { /* retried below */ }
      showNotice(S.sessionFailed, "session");
      await sleep(wait);
      wait = Math.min(wait * 2, 15000);
    }
  }

  function resetSession(notify) {
    if (state.resetting) return state.resetting;
    state.generation += 1;
    clearTimeout(state.pollTimer);
    state.polling = false;
    state.pollAgain = false;
    state.sending = false;
    showTyping(false);
    store.del("session_id");
    store.del("token");
    state.sessionId = null;
    state.token = null;
    state.lastId = 0;
    state.shown.clear();
    state.loaded = false;
    messagesEl.textContent = "";
    updateSendButton();
    state.resetting = createSession().then(function () {
      state.resetting = null;
      if (notify) showNotice(S.sessionExpired, "info", null, 6000);
      poll();
    });
    return state.resetting;
  }

  /* ---------- polling the transcript ---------- */

  function schedulePoll(delay) {
    clearTimeout(state.pollTimer);
    state.pollTimer = setTimeout(poll, Math.max(0, delay));
  }

  async function poll() {
    if (!state.sessionId || state.resetting) return;
    if (state.sending) return; // sendMessage polls when the answer is in
    if (state.polling) { state.pollAgain = true; return; }
    clearTimeout(state.pollTimer);
    state.polling = true;
    var gen = state.generation;
    var sends = state.sends;
    var started = Date.now();
    var path = "/api/chat/messages?session_id=" + encodeURIComponent(state.sessionId) +
      "&after=" + encodeURIComponent(String(state.lastId));
    try {
      var data = await api("GET", path, undefined, 10000);
      if (gen !== state.generation) return;
      if (state.sending || sends !== state.sends) {
        // A message was sent meanwhile: this answer may hold its lines before the POST names them.
        state.pollAgain = true;
        return;
      }
      var list = Array.isArray(data.messages) ? data.messages : [];
      ingest(list);
      if (list.length >= POLL_PAGE) state.pollAgain = true;
      if (!state.loaded) {
        state.loaded = true;
        if (!hasConversation()) showWelcome();
        scrollToBottom();
      }
      state.pollFailures = 0;
      hideNotice("offline");
    } catch (e) {
      if (gen !== state.generation) return;
      if (isAuthError(e)) {
        resetSession(true);
        return;
      }
      state.pollFailures += 1;
      if (state.pollFailures >= 2) showNotice(S.offline, "offline");
    } finally {
      if (gen === state.generation) {
        state.polling = false;
        if (state.pollAgain) {
          state.pollAgain = false;
          schedulePoll(0);
        } else {
          var period = POLL_MS * Math.min(1 + state.pollFailures, 4);
          schedulePoll(period - (Date.now() - started));
        }
      }
    }
  }

  function idGreater(a, b) {
    var na = Number(a), nb = Number(b);
    if (isFinite(na) && isFinite(nb)) return na > nb;
    return true; // opaque ids: the server returns them in order
  }

  function normRole(role) {
    return Object.prototype.hasOwnProperty.call(ROLES, role) ? role : "bot";
  }

  function norm(s) {
    return String(s == null ? "" : s).replace(/\r\n?/g, "\n").trim();
  }

  function cleanButtons(buttons) {
    if (!Array.isArray(buttons)) return [];
    return buttons.filter(function (b) {
      return b && typeof b.title === "string" && b.title.trim();
    });
  }

  function ingest(list) {
    for (var i = 0; i < list.length; i++) {
      var m = list[i];
      if (!m || m.id == null) continue;
      var key = String(m.id);
      if (idGreater(m.id, state.lastId)) state.lastId = m.id;
      if (state.shown.has(key)) continue;
      state.shown.add(key);

      var role = normRole(m.role);
      var text = typeof m.text === "string" ? m.text : "";
      var buttons = cleanButtons(m.buttons);
      if (!norm(text) && !buttons.length) continue;
      var el = renderMessage(role, text, buttons);
      el.setAttribute("data-id", key);
      setTime(el, m.ts);
      if (role === "bot") addFeedback(el, m.id);
      appendMessage(el, false);
      if (role === "user") retireButtons(el);
    }
  }

  // Gives a bubble drawn before the transcript had it its transcript id.
  function bind(el, id) {
    if (id == null) return;
    var key = String(id);
    state.shown.add(key);
    el.setAttribute("data-id", key);
    setTime(el, new Date().toISOString());
  }

  /* ---------- rendering ---------- */

  function node(tag, cls, text) {
    var el = document.createElement(tag);
    if (cls) el.className = cls;
    if (text != null) el.textContent = text;
    return el;
  }

  function renderMessage(role, text, buttons) {
    var el = node("div", "msg " + role);
    el.setAttribute("data-role", role);
    if (role === "officer") el.appendChild(node("div", "sender", S.officerLabel || ""));
    var bubble = node("div", "bubble");
    var body = node("div", "text");
    appendLinkified(body, text);
    bubble.appendChild(body);
    if (norm(text)) el.appendChild(bubble);
    if (buttons && buttons.length) addButtons(el, buttons);
    return el;
  }

  // http(s) URLs become <a> elements; everything else stays a text node. Never innerHTML.
  var URL_RE = /https?:\/\/[^\s<>"'`\u201c\u201d\u2018\u2019\u3000-\u303f\uff01-\uff0f\uff1a-\uff20]+/gi;

  function appendLinkified(parent, text) {
    var s = String(text == null ? "" : text);
    var last = 0;
    var m;
    URL_RE.lastIndex = 0;
    while ((m = URL_RE.exec(s)) !== null) {
      var raw = trimUrl(m[0]);
      var start = m.index;
      var href = safeHref(raw);
      if (!href) continue;
      if (start > last) parent.appendChild(document.createTextNode(s.slice(last, start)));
      var a = document.createElement("a");
      a.href = href;
      a.textContent = raw;
      a.target = "_blank";
      a.rel = "noopener noreferrer nofollow";
      if (S.linkTitle) a.title = S.linkTitle;
      parent.appendChild(a);
      last = start + raw.length;
      URL_RE.lastIndex = last;
    }
    if (last < s.length) parent.appendChild(document.createTextNode(s.slice(last)));
  }

  function trimUrl(u) {
    for (;;) {
      var c = u.charAt(u.length - 1);
      if (".,;:!?'\"".indexOf(c) !== -1) { u = u.slice(0, -1); continue; }
      if (c === ")" && count(u, "(") < count(u, ")")) { u = u.slice(0, -1); continue; }
      if (c === "]" && count(u, "[") < count(u, "]")) { u = u.slice(0, -1); continue; }
      return u;
    }
  }

  function count(s, ch) { return s.split(ch).length - 1; }

  function safeHref(raw) {
    try {
      var u = new URL(raw);
      if ((u.protocol === "http:" || u.protocol === "https:") && u.hostname) return u.href;
    } catch (e) { /* not a URL */ }
    return null;
  }

  function setTime(el, ts) {
    if (ts == null) return;
    var d;
    if (typeof ts === "number") d = new Date(ts < 1e12 ? ts * 1000 : ts);
    else d = new Date(String(ts));
    if (isNaN(d.getTime())) return;
    var pad = function (n) { return (n < 10 ? "0" : "") + n; };
    var label = d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate()) + " " +
      pad(d.getHours()) + ":" + pad(d.getMinutes());
    var bubble = el.querySelector(".bubble") || el;
    bubble.title = label;
  }

  function addButtons(msgEl, buttons) {
    var wrap = node("div", "buttons");
    wrap.setAttribute("role", "group");
    buttons.forEach(function (b) {
      var btn = node("button", "chip", b.title);
      btn.type = "button";
      var payload = typeof b.payload === "string" && b.payload ? b.payload : null;
      btn.addEventListener("click", function () {
        if (state.sending || btn.disabled || wrap.classList.contains("used")) return;
        useButtons(wrap, btn);
        var item = payload ? { payload: payload, title: b.title } : { text: b.title };
        item.group = wrap;
        sendMessage(item);
      });
      wrap.appendChild(btn);
    });
    msgEl.appendChild(wrap);
  }

  // A small thumbs-down under a bot reply: the question it answered goes to the staff's list of
  // questions the bot did not answer well (POST /api/chat/feedback).
  function addFeedback(msgEl, id) {
    if (typeof id !== "number" || msgEl.querySelector(".feedback") || !msgEl.querySelector(".bubble")) return;
    var btn = node("button", "feedback"); // the glyph comes from CSS, so the reply's text stays the reply
    btn.type = "button";
    btn.title = S.thumbsDown || "";
    btn.setAttribute("aria-label", S.thumbsDown || "");
    btn.addEventListener("click", function () {
      if (btn.disabled) return;
      btn.disabled = true;
      api("POST", "/api/chat/feedback", { session_id: state.sessionId, message_id: id }, 10000).then(function () {
        btn.classList.add("done");
        btn.title = S.thumbsDownDone || "";
        btn.setAttribute("aria-label", S.thumbsDownDone || "");
        showNotice(S.thumbsDownDone, "info", null, 4000);
      }, function () {
        btn.disabled = false;
      });
    });
    msgEl.appendChild(btn);
  }

  function useButtons(wrap, chosen) {
    wrap.classList.add("used");
    Array.prototype.forEach.call(wrap.querySelectorAll("button"), function (b) {
      b.disabled = true;
      if (b === chosen) b.classList.add("chosen");
    });
  }

  function reopenButtons(wrap) {
    wrap.classList.remove("used");
    Array.prototype.forEach.call(wrap.querySelectorAll("button"), function (b) {
      b.disabled = false;
      b.classList.remove("chosen");
    });
  }

  // Once the worker has moved on, bot buttons shown before `userEl` no longer apply.
  function retireButtons(userEl) {
    Array.prototype.forEach.call(messagesEl.querySelectorAll(".buttons:not(.used)"), function (w) {
      if (!(w.compareDocumentPosition(userEl) & Node.DOCUMENT_POSITION_FOLLOWING)) return;
      w.classList.add("used", "stale");
      Array.prototype.forEach.call(w.querySelectorAll("button"), function (b) { b.disabled = true; });
    });
  }

  function hasConversation() {
    return !!messagesEl.querySelector(".msg:not(.welcome)");
  }

  function isNearBottom() {
    return logEl.scrollHeight - logEl.scrollTop - logEl.clientHeight < 80;
  }

  function scrollToBottom() {
    logEl.scrollTop = logEl.scrollHeight;
    newMsgEl.hidden = true;
  }

  function appendMessage(el, own) {
    var follow = own || isNearBottom() || !state.loaded;
    messagesEl.appendChild(el);
    dropQuickReplies();
    if (follow) scrollToBottom();
    else newMsgEl.hidden = false;
  }

  function showTyping(on) {
    var follow = isNearBottom();
    typingEl.hidden = !on;
    if (on && follow) scrollToBottom();
  }

  /* ---------- welcome and quick replies ---------- */

  function chip(text, onPick) {
    var b = node("button", "chip", text);
    b.type = "button";
    b.addEventListener("click", function () {
      if (state.sending) return;
      onPick(text);
    });
    return b;
  }

  function quickReplies() {
    return Array.isArray(CFG.quickReplies) ? CFG.quickReplies : [];
  }

  function showWelcome() {
    var old = $("welcome");
    if (old) old.parentNode.removeChild(old);
    var tpl = $("welcome-template");
    if (!tpl || !tpl.content) return;
    var frag = tpl.content.cloneNode(true);
    messagesEl.insertBefore(frag, messagesEl.firstChild);
    var box = $("quick-replies");
    if (box) {
      quickReplies().forEach(function (t) {
        box.appendChild(chip(t, function (text) { sendMessage({ text: text }); }));
      });
    }
  }

  function dropQuickReplies() {
    if (!hasConversation()) return;
    var box = $("quick-replies");
    if (box) box.parentNode.removeChild(box);
  }

  function buildMenu() {
    quickReplies().forEach(function (t) {
      menuChips.appendChild(chip(t, function (text) {
        closeMenu();
        sendMessage({ text: text });
      }));
    });
  }

  function closeMenu() {
    menuPanel.hidden = true;
    menuBtn.setAttribute("aria-expanded", "false");
  }

  /* ---------- notices ---------- */

  function showNotice(text, kind, retry, autoHideMs) {
    if (!text) return;
    clearTimeout(state.noticeTimer);
    state.noticeKind = kind;
    state.retry = retry || null;
    noticeTextEl.textContent = text;
    noticeEl.className = "notice notice-" + kind;
    retryEl.hidden = !retry;
    noticeEl.hidden = false;
    if (autoHideMs) {
      state.noticeTimer = setTimeout(function () { hideNotice(kind); }, autoHideMs);
    }
  }

  function hideNotice(kind) {
    if (kind && state.noticeKind !== kind) return;
    clearTimeout(state.noticeTimer);
    noticeEl.hidden = true;
    state.noticeKind = null;
    state.retry = null;
  }

  /* ---------- sending ---------- */

  function updateSendButton() {
    sendEl.disabled = state.sending || !inputEl.value.trim();
    formEl.classList.toggle("busy", state.sending);
  }

  function updateCounter() {
    var n = inputEl.value.length;
    counterEl.textContent = n + "/" + MAX_LEN;
    counterEl.classList.toggle("near", n >= MAX_LEN * 0.9 && n < MAX_LEN);
    counterEl.classList.toggle("full", n >= MAX_LEN);
  }

  function autosize() {
    inputEl.style.height = "auto";
    var extra = inputEl.offsetHeight - inputEl.clientHeight;
    inputEl.style.height = (inputEl.scrollHeight + extra) + "px";
  }

  function inputChanged() {
    if (inputEl.value.length > MAX_LEN) inputEl.value = inputEl.value.slice(0, MAX_LEN);
    updateCounter();
    updateSendButton();
    autosize();
  }

  function setInput(value) {
    inputEl.value = value;
    inputChanged();
  }

  function sendFromInput() {
    if (state.sending) return;
    var text = norm(inputEl.value);
    if (!text) return;
    if (text.length > MAX_LEN) {
      showNotice(S.tooLong, "info", null, 4000);
      return;
    }
    setInput("");
    sendMessage({ text: text, fromInput: true });
  }

  function restoreInput(text) {
    var current = inputEl.value;
    setInput((current.trim() ? text + "\n" + current : text).slice(0, MAX_LEN));
  }

  // Resolves once there is a session (the first one may still be being created).
  async function sessionReady() {
    while (!state.sessionId || state.resetting) await sleep(100);
  }

  // item: {text} or {payload, title}; optional fromInput, group (the button row tapped)
  async function sendMessage(item) {
    if (state.sending) return;
    var shownText = item.payload ? item.title : item.text;
    state.sending = true;
    updateSendButton();
    hideNotice();
    closeMenu();

    state.sends += 1;
    var userEl = renderMessage("user", shownText, []);
    userEl.classList.add("sending");
    appendMessage(userEl, true);
    showTyping(true);

    var gen = state.generation;
    if (!state.sessionId || state.resetting) {
      await sessionReady();
      if (gen !== state.generation) { // the conversation was replaced meanwhile
        if (item.fromInput) restoreInput(item.text);
        return;
      }
    }
    // A tapped button sent again by the retry link keeps its key; a retyped text is a new message.
    if (!item.retryKey) item.retryKey = newRetryKey();
    var body = { session_id: state.sessionId, retry_key: item.retryKey };
    if (item.payload) body.payload = item.payload;
    else body.text = item.text;

    var failure = null;
    try {
      var data = await postMessage(body);
      if (gen !== state.generation) return;
      bind(userEl, data.user_message_id);
      showReplies(Array.isArray(data.messages) ? data.messages : []);
    } catch (e) {
      failure = e;
    }
    if (gen !== state.generation) {
      if (failure && item.fromInput) restoreInput(item.text);
      return;
    }

    state.sending = false;
    showTyping(false);
    userEl.classList.remove("sending");
    if (!failure || userEl.hasAttribute("data-id")) retireButtons(userEl);

    if (failure && isAuthError(failure)) {
      // The stored session is gone: start a new one and keep what the worker typed.
      if (item.fromInput) restoreInput(item.text);
      resetSession(true);
      return;
    }
    if (failure && !userEl.hasAttribute("data-id")) {
      // Not delivered (no transcript id came back): take the bubble back, keep the text.
      if (userEl.parentNode) userEl.parentNode.removeChild(userEl);
      if (item.group && !item.group.classList.contains("stale")) reopenButtons(item.group);
      var retry;
      if (item.fromInput) {
        restoreInput(item.text);
        retry = sendFromInput;
      } else {
        retry = function () {
          if (state.sending) return;
          if (item.group) useButtons(item.group, null);
          sendMessage(item);
        };
      }
      if (!hasConversation()) showWelcome();
      showNotice(S.sendFailed, "send", retry);
    }
    updateSendButton();
    poll();
  }

  // Bot replies from the POST answer, drawn at once with their transcript ids (a later poll skips them).
  function showReplies(replies) {
    replies.forEach(function (r) {
      if (!r || (r.id != null && state.shown.has(String(r.id)))) return;
      var role = normRole(r.role || "bot");
      var text = typeof r.text === "string" ? r.text : "";
      var buttons = cleanButtons(r.buttons);
      if (!norm(text) && !buttons.length) return;
      var el = renderMessage(role, text, buttons);
      bind(el, r.id);
      if (role === "bot") addFeedback(el, r.id);
      appendMessage(el, false);
    });
  }

  /* ---------- events ---------- */

  formEl.addEventListener("submit", function (e) {
    e.preventDefault();
    sendFromInput();
  });

  inputEl.addEventListener("input", inputChanged);

  inputEl.addEventListener("keydown", function (e) {
    if (e.key !== "Enter" || e.shiftKey || e.altKey) return;
    if (e.isComposing || e.keyCode === 229) return; // Chinese IME is choosing characters
    e.preventDefault();
    sendFromInput();
  });

  retryEl.addEventListener("click", function () {
    var fn = state.retry;
    hideNotice();
    if (fn) fn();
  });

  newMsgEl.addEventListener("click", scrollToBottom);
  logEl.addEventListener("scroll", function () {
    if (isNearBottom()) newMsgEl.hidden = true;
  });

  menuBtn.addEventListener("click", function () {
    var open = menuPanel.hidden;
    menuPanel.hidden = !open;
    menuBtn.setAttribute("aria-expanded", open ? "true" : "false");
  });

  document.addEventListener("visibilitychange", function () {
    if (!document.hidden) poll();
  });
  window.addEventListener("online", function () { poll(); });

  /* ---------- start ---------- */

  async function start() {
    inputEl.setAttribute("maxlength", String(MAX_LEN));
    buildMenu();
    updateCounter();
    updateSendButton();
    var sid = store.get("session_id");
    var tok = store.get("token");
    if (sid && tok) {
      state.sessionId = sid;
      state.token = tok;
      updateSendButton();
    } else {
      showWelcome(); // a new session starts empty
      await createSession();
    }
    poll(); // first fetch is after=0: the whole transcript
  }

  start();
})();
