/**
 * The web inbox's script: plain browser JavaScript, no framework, no build.
 * It fetches a tenant's snapshot, re-fetches it when the event stream says
 * that tenant changed, and draws the current view with DOM nodes and
 * `textContent` only (everything shown came from API callers: never parsed
 * as HTML). Countdowns tick locally from the emulator clock of the snapshot.
 *
 * @since 0.3.0
 */

/**
 * The script, served as `/__inbox/app.js`.
 *
 * @since 0.3.0
 * @category assets
 */
export const script = String.raw`"use strict";
(function () {
  var views = ["inbox", "phones", "approvals", "deliveries", "settings"];
  var current = { tenant: null, snap: null, fetchedAt: 0, view: "inbox", dirty: false, loading: null, again: false };
  var $ = function (id) { return document.getElementById(id); };

  function h(tag, attrs) {
    var el = document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (k) {
        var v = attrs[k];
        if (v === undefined || v === null || v === false) return;
        if (k === "text") el.textContent = String(v);
        else if (k.slice(0, 2) === "on") el.addEventListener(k.slice(2), v);
        else el.setAttribute(k, v === true ? "" : String(v));
      });
    }
    for (var i = 2; i < arguments.length; i++) append(el, arguments[i]);
    return el;
  }
  function append(el, child) {
    if (child === undefined || child === null || child === false) return;
    if (Array.isArray(child)) { child.forEach(function (c) { append(el, c); }); return; }
    el.appendChild(typeof child === "string" || typeof child === "number" ? document.createTextNode(String(child)) : child);
  }

  // The emulator's clock for this tenant, ticking from the snapshot's.
  function now() { return current.snap ? current.snap.now + (Date.now() - current.fetchedAt) : Date.now(); }
  function time(ms) { return new Date(ms).toLocaleTimeString(); }
  function dateTime(ms) { return new Date(ms).toLocaleString(); }
  function left(ms) {
    var s = Math.max(0, Math.ceil((ms - now()) / 1000));
    if (s >= 86400) return Math.floor(s / 86400) + " d " + Math.floor((s % 86400) / 3600) + " h";
    if (s >= 3600) return Math.floor(s / 3600) + " h " + Math.floor((s % 3600) / 60) + " min";
    if (s >= 60) return Math.floor(s / 60) + " min " + (s % 60) + " s";
    return s + " s";
  }
  function countdown(until, prefix) {
    return h("span", { class: "countdown", "data-until": until, "data-prefix": prefix || "", text: (prefix || "") + left(until) });
  }
  function badge(text, cls) { return h("span", { class: "badge " + (cls || text), text: text }); }

  function notice(text, error) {
    var el = $("notice");
    el.textContent = text;
    el.className = "notice" + (error ? " error" : "");
  }

  function api(path) { return "/__inbox/api/" + current.tenant + (path ? "/" + path : ""); }

  function act(path, body, done) {
    return fetch(api(path), {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body || {})
    }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (json) {
        if (!r.ok) notice("Refused (" + r.status + "): " + (json.message || "error"), true);
        else notice(done || "Done.");
        refresh();
        return r.ok;
      });
    }).catch(function (e) { notice("Failed: " + e.message, true); return false; });
  }

  function copyButton(text, label) {
    return h("button", {
      type: "button", class: "copy", "aria-label": label,
      onclick: function () {
        (navigator.clipboard ? navigator.clipboard.writeText(text) : Promise.reject(new Error("no clipboard")))
          .then(function () { notice("Copied."); }, function () { notice("Copy failed: select the code instead.", true); });
      }
    }, "Copy");
  }

  function empty(text) { return h("p", { class: "empty", text: text }); }

  // ---- Views ----

  function inbox(s) {
    var items = s.messages.map(function (m) {
      return h("li", { class: "card message " + m.state, "data-to": m.to, "data-channel": m.channel, "data-state": m.state },
        h("div", { class: "meta" },
          badge(m.channel, "channel"), h("strong", { text: m.to }),
          h("time", { datetime: new Date(m.sentAt).toISOString(), text: time(m.sentAt) }),
          h("span", { text: m.about })),
        h("div", { class: "coderow" },
          h("output", { class: "code", "aria-label": "Code sent to " + m.to, text: m.code }),
          copyButton(m.code, "Copy code " + m.code),
          badge(m.state === "pending" ? "unused" : m.state, m.state),
          m.state === "pending" && m.expiresAt !== null ? countdown(m.expiresAt, "expires in ") : null),
        h("p", { class: "text", text: m.text }));
    });
    var more = s.totals.messages - s.messages.length;
    return [h("h2", { text: "Inbox" }),
      more > 0 ? h("p", { class: "meta", text: "The newest " + s.messages.length + " of " + s.totals.messages + " (GET /__emulator/messages lists them all)." }) : null,
      items.length === 0 ? empty("Nothing sent yet. Codes appear here the moment the API sends them.") : h("ol", { class: "list", reversed: true }, items)];
  }

  function qrDetails(ref, label) {
    var img = h("img", { alt: "QR code of the otpauth:// URI of " + label, width: 180, height: 180 });
    return h("details", {
      ontoggle: function (e) { if (e.target.open && !img.getAttribute("src")) img.setAttribute("src", api("qr/" + ref + ".svg")); }
    }, h("summary", { text: "QR code to scan" }), img);
  }

  function totpRow(code, validUntil, label) {
    return h("div", { class: "coderow" },
      h("output", { class: "code totp", "aria-label": "Current code of " + label, text: code }),
      copyButton(code, "Copy code " + code), countdown(validUntil, "next in "));
  }

  function phones(s) {
    if (s.kind === "authy") {
      var users = s.users.map(function (u) {
        return h("article", { class: "card user", "data-authy-id": u.id },
          h("h3", { text: "User " + u.id + " · " + u.phone }),
          h("div", { class: "meta" }, h("span", { text: u.email }), badge(u.confirmed ? "confirmed" : "unconfirmed", "plain"),
            h("span", { text: "created " + dateTime(u.createdAt) })),
          u.devices.length === 0 ? empty("No Authy app or authenticator: SMS and calls are sent.") :
            h("ul", { class: "devices" }, u.devices.map(function (d) {
              return h("li", {},
                h("div", { class: "meta" }, h("strong", { text: "Device " + d.id + " · " + d.osType }), h("span", { text: d.digits + " digits" })),
                totpRow(d.code, d.validUntil, "device " + d.id), qrDetails(d.ref, "device " + d.id));
            })));
      });
      return [h("h2", { text: "Phones" }), users.length === 0 ? empty("No users yet.") : h("div", { class: "phones" }, users)];
    }
    var entities = s.entities.map(function (e) {
      return h("article", { class: "card entity", "data-identity": e.identity },
        h("h3", { text: e.identity }),
        h("div", { class: "meta" }, h("span", { text: e.service + " · " + e.serviceSid })),
        e.factors.length === 0 ? empty("No factors.") :
          h("ul", { class: "devices" }, e.factors.map(function (f) {
            return h("li", {},
              h("div", { class: "meta" }, h("strong", { text: f.friendlyName }), badge(f.type, "plain"), badge(f.status, f.status === "verified" ? "approved" : "plain"),
                h("span", { text: f.sid })),
              f.type === "totp" ? [totpRow(f.code, f.validUntil, f.friendlyName), qrDetails(f.sid, f.friendlyName)] :
                h("p", { class: "text", text: "Push device (" + f.platform + "): its challenges are under Approvals." }));
          })));
    });
    return [h("h2", { text: "Phones" }), entities.length === 0 ? empty("No entities yet.") : h("div", { class: "phones" }, entities)];
  }

  function details(pairs) {
    if (pairs.length === 0) return null;
    var dl = h("dl");
    pairs.forEach(function (p) { append(dl, [h("dt", { text: p[0] }), h("dd", { text: p[1] })]); });
    return dl;
  }

  function phoneCard(o) {
    return h("article", { class: "phone", "data-id": o.id, "aria-label": "Push to " + o.to },
      h("p", { class: "app", text: o.app + " · to " + o.to }),
      h("p", { class: "message", text: o.message }),
      details(o.fields),
      o.logos && o.logos.length > 0 ? h("p", { class: "logos", text: "Logos: " + o.logos.map(function (l) { return l.res + " " + l.url; }).join(", ") }) : null,
      o.expiresAt !== null ? h("p", { class: "app" }, countdown(o.expiresAt, "Expires in ")) : h("p", { class: "app", text: "Never expires" }),
      h("div", { class: "buttons" },
        h("button", { type: "button", class: "deny", "data-key": o.path + "/deny", onclick: function (e) { e.target.disabled = true; act(o.path + "/deny", {}, "Denied."); } }, "Deny"),
        h("button", { type: "button", class: "approve", "data-key": o.path + "/approve", onclick: function (e) { e.target.disabled = true; act(o.path + "/approve", {}, "Approved."); } }, "Approve")));
  }

  function approvals(s) {
    var all = s.kind === "authy" ? s.approvals.map(function (a) {
      return {
        id: a.uuid, to: a.user_email || ("user " + a.authy_id), app: s.name, message: a.message, status: a.status,
        fields: Object.keys(a.details || {}).map(function (k) { return [k, a.details[k]]; }),
        logos: a.logos, expiresAt: a.expires_at_millis, path: "approvals/" + encodeURIComponent(a.uuid),
        kind: "OneTouch", createdAt: Date.parse(a.created_at), answered: a.processed_at
      };
    }) : s.challenges.filter(function (c) { return c.factorType === "push"; }).map(function (c) {
      return {
        id: c.sid, to: c.identity, app: c.service, message: c.message || "(no message)", status: c.status,
        fields: c.fields.map(function (f) { return [f.label, f.value]; }), logos: [], expiresAt: c.expiresAt,
        path: "challenges/" + encodeURIComponent(c.sid), kind: "Verify push", createdAt: c.createdAt,
        answered: c.answeredAt === null ? null : new Date(c.answeredAt).toISOString()
      };
    });
    var pending = all.filter(function (a) { return a.status === "pending"; });
    var done = all.filter(function (a) { return a.status !== "pending"; });
    return [h("h2", { text: "Approvals" }),
      pending.length === 0 ? empty("No pending " + (s.kind === "authy" ? "OneTouch approval requests." : "push challenges.")) :
        h("div", { class: "phones" }, pending.map(phoneCard)),
      h("h2", { text: "Answered and expired" }),
      done.length === 0 ? empty("None yet.") : h("ul", { class: "list" }, done.map(function (a) {
        return h("li", { class: "card answered", "data-id": a.id, "data-status": a.status },
          h("div", { class: "meta" }, badge(a.status), h("strong", { text: a.message }), h("span", { text: a.kind + " to " + a.to }),
            h("span", { text: "sent " + time(a.createdAt) }), a.answered ? h("span", { text: "answered " + time(Date.parse(a.answered)) }) : null));
      }))];
  }

  function deliveries(s) {
    var list = s.deliveries.map(function (d) {
      var ok = d.response_status !== undefined && d.response_status >= 200 && d.response_status < 300;
      var outcome = d.error !== undefined ? "failed: " + d.error : "HTTP " + d.response_status;
      var payload = d.payload !== undefined ? d.payload : d.params;
      return h("li", { class: "card delivery", "data-id": d.uuid, "data-outcome": ok ? "delivered" : "failed" },
        h("div", { class: "meta" }, badge(ok ? "delivered" : "failed"), h("strong", { text: d.kind + (d.status ? " · " + d.status : "") + (d.type ? " · " + d.type : "") }),
          h("span", { class: "status", text: outcome }), d.latencyMillis !== null ? h("span", { text: d.latencyMillis + " ms" }) : null,
          h("span", { text: time(Date.parse(d.sent_at)) })),
        h("p", { class: "text", text: (d.method || "POST") + " " + d.url }),
        h("details", {}, h("summary", { text: "Signed payload" }),
          h("table", {}, h("tbody", {},
            d.nonce !== undefined ? h("tr", {}, h("th", { text: "X-Authy-Signature-Nonce" }), h("td", { text: d.nonce })) : null,
            h("tr", {}, h("th", { text: d.nonce !== undefined ? "X-Authy-Signature" : "X-Twilio-Signature" }), h("td", { text: d.signature })))),
          h("pre", { text: JSON.stringify(payload, null, 2) })));
    });
    var target = s.kind === "authy"
      ? h("p", { class: "meta", text: s.callbackTarget ? "Callbacks go to " + s.callbackTarget.method + " " + s.callbackTarget.url : "No callback URL set (--callback-url, or POST /__emulator/callback)." })
      : h("p", { class: "meta", text: s.services.reduce(function (n, x) { return n + x.webhooks; }, 0) + " webhook(s) configured." });
    return [h("h2", { text: s.kind === "authy" ? "OneTouch callbacks" : "Verify webhooks" }), target,
      list.length === 0 ? empty("Nothing delivered yet.") : h("ol", { class: "list" }, list)];
  }

  function field(label, input) { return h("label", { class: "field" }, h("span", { text: label }), input); }

  function dirtyForm(form) {
    form.addEventListener("input", function () { current.dirty = true; });
    return form;
  }

  function settingsForm(s) {
    var st = s.settings;
    var flags = ["sms_enabled", "phone_calls_enabled", "onetouch_enabled", "white_label", "generic_tokens_enabled", "custom_codes_enabled", "strict_verify"];
    var form = dirtyForm(h("form", {
      "aria-label": "Application settings",
      onsubmit: function (e) {
        e.preventDefault();
        var body = { name: form.elements.name.value, plan: form.elements.plan.value };
        if (form.elements.profile.value !== st.profile) body = { profile: form.elements.profile.value };
        else flags.forEach(function (f) { body[f] = form.elements[f].checked; });
        current.dirty = false;
        act("settings", body, "Settings saved.");
      }
    },
      field("Name", h("input", { name: "name", value: st.name, maxlength: 100, required: true })),
      field("Plan", h("input", { name: "plan", value: st.plan, maxlength: 100, required: true })),
      field("Profile (a change resets the rest)", h("select", { name: "profile" },
        ["default", "sandbox"].map(function (p) { return h("option", { value: p, selected: p === st.profile, text: p }); }))),
      flags.map(function (f) { return h("label", { class: "check" }, h("input", { type: "checkbox", name: f, checked: st[f] }), h("span", { text: f.replace(/_/g, " ") })); }),
      h("div", {}, h("button", { type: "submit", class: "primary" }, "Save settings"))));
    return h("section", { class: "card" }, h("h3", { text: "Application " + st.app_id + " · " + st.name }), form);
  }

  function faultsCard(s) {
    var form = dirtyForm(h("form", {
      "aria-label": "Add a fault",
      onsubmit: function (e) {
        e.preventDefault();
        var el = form.elements;
        var body = { path: el.path.value, times: el.times.value, type: el.type.value };
        if (el.method.value) body.method = el.method.value;
        if (el.type.value === "status") body.status = el.status.value;
        if (el.type.value === "delay" || el.type.value === "hang") body.ms = el.ms.value;
        current.dirty = false;
        act("faults", body, "Fault added.");
      }
    },
      h("div", { class: "row" },
        field("Method", h("select", { name: "method" }, ["", "GET", "POST", "PUT", "DELETE"].map(function (m) { return h("option", { value: m, text: m || "any" }); }))),
        field("Path", h("input", { name: "path", value: s.kind === "authy" ? "/protected/json/*" : "/v2/*", required: true, size: 22 }))),
      h("div", { class: "row" },
        field("Type", h("select", { name: "type" }, ["status", "rate_limit", "delay", "hang", "reset", "truncate"].map(function (t) { return h("option", { value: t, text: t }); }))),
        field("Status", h("input", { name: "status", type: "number", value: 503, min: 100, max: 599, size: 5 })),
        field("ms", h("input", { name: "ms", type: "number", value: 1000, min: 0, size: 6 })),
        field("Times", h("input", { name: "times", type: "number", value: 1, min: 1, size: 4 }))),
      h("div", {}, h("button", { type: "submit", class: "primary" }, "Add fault"))));
    var rows = s.faults.map(function (f) {
      return h("tr", {}, h("td", { text: (f.method || "any") + " " + f.path }), h("td", { text: f.type + (f.status ? " " + f.status : "") + (f.ms ? " " + f.ms + " ms" : "") }),
        h("td", { text: f.remaining + " of " + f.times + " left" }), h("td", { text: f.injected + " injected" }),
        h("td", {}, h("button", {
          type: "button", "data-fault": f.id, "aria-label": "Remove fault " + f.id + " (" + (f.method || "any") + " " + f.path + ")",
          onclick: function (e) { e.target.disabled = true; act("faults/" + encodeURIComponent(f.id) + "/delete", {}, "Fault removed."); }
        }, "Remove")));
    });
    return h("section", { class: "card" }, h("h3", { text: "Faults" }),
      rows.length === 0 ? empty("No scripted faults.") : h("table", {}, h("tbody", {}, rows)),
      s.random && s.random.rate > 0 ? h("p", { class: "meta", text: "Random mode: " + s.random.rate + " of requests (" + s.random.kinds.join(", ") + ")" }) : null,
      h("p", {}, h("button", { type: "button", class: "danger", onclick: function () { act("faults/clear", {}, "Faults cleared."); } }, "Clear all faults")),
      form);
  }

  function clockCard(s) {
    var input = h("input", { name: "seconds", type: "number", min: 0, step: "any", value: 60, size: 8 });
    var form = dirtyForm(h("form", {
      "aria-label": "Advance the clock",
      onsubmit: function (e) { e.preventDefault(); current.dirty = false; act("clock/advance", { seconds: input.value }, "Clock advanced."); }
    }, h("div", { class: "row" }, field("Advance by (seconds)", input), h("button", { type: "submit", class: "primary" }, "Advance"))));
    var quick = [["+30 s", 30], ["+10 min", 600], ["+1 day", 86400]].map(function (q) {
      return h("button", { type: "button", onclick: function () { act("clock/advance", { seconds: q[1] }, "Clock advanced " + q[0] + "."); } }, q[0]);
    });
    return h("section", { class: "card" }, h("h3", { text: "Clock" }),
      h("p", {}, h("span", { class: "clock-now", text: dateTime(now()) }), " · ", h("span", { text: s.clockOffsetSeconds + " s ahead of real time" })),
      h("div", { class: "row" }, quick), form);
  }

  function resetCard(s) {
    var what = s.kind === "authy" ? "this application (its settings, key and clock stay)" : "this account (its credentials and clock stay)";
    return h("section", { class: "card" }, h("h3", { text: "Reset" }), h("p", { text: "Empties " + what + "." }),
      h("button", { type: "button", class: "danger", onclick: function () { if (window.confirm("Reset " + what + "?")) act("reset", {}, "Reset."); } }, "Reset"));
  }

  function settings(s) {
    return [h("h2", { text: "Settings" }), h("div", { class: "grid" },
      s.kind === "authy" ? settingsForm(s) : h("section", { class: "card" }, h("h3", { text: "Account " + s.accountSid }),
        s.services.length === 0 ? empty("No Verify services yet.") :
          h("ul", {}, s.services.map(function (x) { return h("li", { text: x.friendlyName + " · " + x.sid }); }))),
      clockCard(s), faultsCard(s), resetCard(s))];
  }

  var render = { inbox: inbox, phones: phones, approvals: approvals, deliveries: deliveries, settings: settings };

  function draw() {
    var s = current.snap;
    if (!s) return;
    document.querySelectorAll("nav a").forEach(function (a) {
      if (a.getAttribute("data-view") === current.view) a.setAttribute("aria-current", "page"); else a.removeAttribute("aria-current");
    });
    var pendingCount = s.kind === "authy" ? s.approvals.filter(function (a) { return a.status === "pending"; }).length
      : s.challenges.filter(function (c) { return c.factorType === "push" && c.status === "pending"; }).length;
    $("count-approvals").textContent = pendingCount > 0 ? String(pendingCount) : "";
    $("count-inbox").textContent = s.messages.length > 0 ? String(s.messages.length) : "";
    $("clock").textContent = "Emulator clock " + dateTime(now());
    // Editing a form: keep what the developer typed; the view catches up when it is sent.
    if (current.view === "settings" && current.dirty) return;
    var main = $("main");
    // Redrawing must not take the keyboard focus away: it goes back to the same control.
    var active = document.activeElement && main.contains(document.activeElement) ? document.activeElement : null;
    var key = active ? active.getAttribute("data-key") || active.getAttribute("aria-label") : null;
    main.replaceChildren.apply(main, render[current.view](s));
    main.setAttribute("data-view", current.view);
    if (key) {
      var again = Array.prototype.find.call(main.querySelectorAll("[data-key], [aria-label]"), function (e) {
        return (e.getAttribute("data-key") || e.getAttribute("aria-label")) === key;
      });
      if (again) again.focus();
    }
  }

  function refresh() {
    if (!current.tenant) return Promise.resolve();
    if (current.loading) { current.again = true; return current.loading; }
    var tenant = current.tenant;
    current.loading = fetch(api(""), { cache: "no-store" }).then(function (r) { return r.json(); }).then(function (s) {
      if (tenant !== current.tenant) return;
      current.snap = s; current.fetchedAt = Date.now();
      draw();
    }).catch(function (e) { notice("Could not read the emulator: " + e.message, true); }).then(function () {
      current.loading = null;
      if (current.again) { current.again = false; refresh(); }
    });
    return current.loading;
  }

  function tick() {
    var due = false;
    document.querySelectorAll(".countdown").forEach(function (el) {
      var until = Number(el.getAttribute("data-until"));
      el.textContent = el.getAttribute("data-prefix") + left(until);
      if (until <= now()) due = true;
    });
    var c = document.querySelector(".clock-now");
    if (c) c.textContent = dateTime(now());
    $("clock").textContent = current.snap ? "Emulator clock " + dateTime(now()) : "";
    // A code rolled over or something expired: read the new state once.
    if (due && !current.loading) refresh();
  }

  function route() {
    var v = location.hash.replace("#", "");
    current.view = views.indexOf(v) >= 0 ? v : "inbox";
    current.dirty = false;
    notice("");
    draw();
  }

  function choose(id) {
    current.tenant = id;
    current.snap = null;
    current.dirty = false;
    try { localStorage.setItem("effect-authy-inbox-tenant", id); } catch (e) { /* private mode */ }
    return refresh();
  }

  function start() {
    var select = $("tenant");
    select.addEventListener("change", function () { choose(select.value); });
    window.addEventListener("hashchange", route);
    fetch("/__inbox/api/tenants", { cache: "no-store" }).then(function (r) { return r.json(); }).then(function (t) {
      var wanted = new URLSearchParams(location.search).get("tenant");
      var saved = null;
      try { saved = localStorage.getItem("effect-authy-inbox-tenant"); } catch (e) { /* private mode */ }
      var ids = t.tenants.map(function (x) { return x.id; });
      var id = ids.indexOf(wanted) >= 0 ? wanted : ids.indexOf(saved) >= 0 ? saved : ids[0];
      t.tenants.forEach(function (x) { select.appendChild(h("option", { value: x.id, selected: x.id === id, text: x.label })); });
      route();
      return choose(id);
    });
    var events = new EventSource("/__inbox/events");
    events.addEventListener("ready", function () { $("live").textContent = "Live"; $("live").className = "live on"; refresh(); });
    events.addEventListener("change", function (e) {
      var changed = JSON.parse(e.data).tenants || [];
      if (changed.indexOf(current.tenant) >= 0) refresh();
    });
    events.onerror = function () { $("live").textContent = "Reconnecting…"; $("live").className = "live"; };
    setInterval(tick, 1000);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start); else start();
})();
`
