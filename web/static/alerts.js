// The early-warning banner on the console and the desk: polls GET /api/console/alerts (my
// organisation's subtree) and lets an officer close an alert with a note. Text is set with
// textContent only (employer names come from what workers wrote).
(function () {
  "use strict";
  var KIND = { cluster: "同一单位多起欠薪/工伤反映", large_group: "一次反映涉及人数多", group_incident: "可能发生群体性事件" };
  var banner = document.getElementById("alerts-banner");
  var list = document.getElementById("alerts-list");
  if (!banner || !list) return;

  function csrf() { return document.querySelector('meta[name="csrf-token"]').getAttribute("content"); }

  function el(tag, text, cls) {
    var node = document.createElement(tag);
    if (text !== undefined) node.textContent = text;
    if (cls) node.className = cls;
    return node;
  }

  function row(a) {
    var li = el("li", undefined, "alert-item");
    li.setAttribute("data-alert-id", a.id);
    var what = KIND[a.kind] || a.kind;
    var who = a.employer ? "“" + a.employer + "”" : "";
    var text = what + "：" + who + " 共 " + a.count + " 起" + (a.workers ? "，约 " + a.workers + " 人" : "") +
      "（" + (a.org_name || a.org || "全市") + "）" + (a.numbers && a.numbers.length ? " 编号 " + a.numbers.join("、") : "");
    li.appendChild(el("span", text, "alert-text"));
    var form = el("form", undefined, "alert-close");
    var input = el("input");
    input.name = "note";
    input.placeholder = "处理说明";
    input.required = true;
    input.maxLength = 2000;
    var button = el("button", "关闭预警");
    button.type = "submit";
    form.appendChild(input);
    form.appendChild(button);
    form.addEventListener("submit", async function (e) {
      e.preventDefault();
      var resp = await fetch("/api/console/alerts/" + a.id + "/close", {
        method: "POST", credentials: "same-origin",
        headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": csrf() },
        body: JSON.stringify({ note: input.value })
      });
      if (resp.ok) refresh();
    });
    li.appendChild(form);
    return li;
  }

  async function refresh() {
    try {
      var resp = await fetch("/api/console/alerts?status=open", {
        credentials: "same-origin", headers: { "Accept": "application/json", "X-Console-Poll": "1" } });
      if (!resp.ok) return;
      var items = (await resp.json()).items || [];
      list.replaceChildren.apply(list, items.map(row));
      banner.hidden = items.length === 0;
    } catch (err) { /* the next poll tries again */ }
  }
  refresh();
  setInterval(refresh, 30000);
})();
