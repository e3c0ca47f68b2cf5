/**
 * The web inbox's page and style, shipped as strings in the package (no
 * build step, nothing fetched from elsewhere). The script is in script.ts.
 *
 * @since 0.3.0
 */
export {
  /**
   * The script (script.ts), served as `/__inbox/app.js`.
   *
   * @since 0.3.0
   */
  script
} from "./script.js"

/**
 * The page: a shell the script fills in. Semantic landmarks, a skip link,
 * one `<main>` per view, a polite live region for what the buttons did.
 *
 * @since 0.3.0
 * @category assets
 */
export const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<meta name="referrer" content="no-referrer">
<title>2FA inbox · effect-authy emulator</title>
<link rel="stylesheet" href="/__inbox/app.css">
<script src="/__inbox/app.js" defer></script>
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header class="top">
  <h1>2FA inbox <small>effect-authy emulator</small></h1>
  <label class="tenant">Application or account
    <select id="tenant" aria-describedby="live"></select>
  </label>
  <p id="live" class="live" role="status">Connecting…</p>
</header>
<nav aria-label="Views">
  <ul>
    <li><a href="#inbox" data-view="inbox">Inbox <span class="count" id="count-inbox"></span></a></li>
    <li><a href="#phones" data-view="phones">Phones</a></li>
    <li><a href="#approvals" data-view="approvals">Approvals <span class="count" id="count-approvals"></span></a></li>
    <li><a href="#deliveries" data-view="deliveries">Callbacks &amp; webhooks</a></li>
    <li><a href="#settings" data-view="settings">Settings</a></li>
  </ul>
</nav>
<p id="notice" class="notice" role="status" aria-live="polite"></p>
<main id="main" tabindex="-1"><p>Loading…</p></main>
<footer><span id="clock"></span> · Everything here is this emulator's, on this machine: numbers and codes are shown in full.</footer>
</body>
</html>
`

/**
 * The style: system fonts, light and dark from the system setting, one
 * column on a narrow window, visible keyboard focus.
 *
 * @since 0.3.0
 * @category assets
 */
export const style = `:root {
  color-scheme: light dark;
  --bg: #f6f7f9; --fg: #1b1f24; --muted: #5b6470; --card: #ffffff; --line: #d5dae1;
  --accent: #0b62d6; --accent-fg: #ffffff; --ok: #137333; --bad: #b3261e; --warn: #8a5a00;
  --code-bg: #eef2f7; --phone: #111418; --phone-fg: #f4f6f8;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
  font-size: 16px; line-height: 1.45;
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #121417; --fg: #e7eaee; --muted: #a0a8b3; --card: #1b1f24; --line: #323842;
    --accent: #6ea8ff; --accent-fg: #0b1020; --ok: #7bd88f; --bad: #ff8a80; --warn: #f2c45a;
    --code-bg: #232830; --phone: #000000; --phone-fg: #f4f6f8;
  }
}
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--fg); }
.skip { position: absolute; left: -999px; }
.skip:focus { left: 1rem; top: 1rem; background: var(--card); padding: .5rem; z-index: 2; }
:focus-visible { outline: 3px solid var(--accent); outline-offset: 2px; }
.top { display: flex; flex-wrap: wrap; gap: .5rem 1.5rem; align-items: center; padding: .75rem 1rem; border-bottom: 1px solid var(--line); background: var(--card); }
.top h1 { font-size: 1.25rem; margin: 0; }
.top h1 small { font-weight: normal; color: var(--muted); font-size: .85rem; }
.tenant { display: flex; flex-wrap: wrap; gap: .5rem; align-items: center; color: var(--muted); flex: 1 1 20rem; max-width: 40rem; min-width: 0; }
.tenant select { flex: 1 1 12rem; min-width: 0; }
select, input, button { font: inherit; color: inherit; }
select, input { background: var(--bg); border: 1px solid var(--line); border-radius: 6px; padding: .3rem .5rem; max-width: 100%; }
.live { margin: 0; color: var(--muted); }
.live.on::before { content: "● "; color: var(--ok); }
nav ul { list-style: none; display: flex; flex-wrap: wrap; gap: .25rem; margin: 0; padding: .5rem 1rem; border-bottom: 1px solid var(--line); }
nav a { display: inline-block; padding: .4rem .75rem; border-radius: 999px; color: var(--fg); text-decoration: none; }
nav a[aria-current="page"] { background: var(--accent); color: var(--accent-fg); }
.count:not(:empty) { font-size: .8rem; background: var(--code-bg); color: var(--fg); border-radius: 999px; padding: 0 .45rem; margin-left: .2rem; }
main { padding: 1rem; max-width: 72rem; margin: 0 auto; }
main:focus { outline: none; }
h2 { font-size: 1.2rem; margin: .5rem 0 1rem; }
.phones + h2, .list + h2, .empty + h2 { margin-top: 1.5rem; }
h3 { font-size: 1.05rem; margin: 0 0 .5rem; }
.list { list-style: none; margin: 0; padding: 0; display: grid; gap: .75rem; grid-template-columns: minmax(0, 1fr); }
.list > li, .grid > *, .phones > * { min-width: 0; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 10px; padding: .75rem 1rem; overflow-wrap: anywhere; }
.meta { display: flex; flex-wrap: wrap; gap: .25rem .75rem; color: var(--muted); font-size: .9rem; align-items: baseline; }
.badge { display: inline-block; border-radius: 999px; padding: 0 .55rem; font-size: .8rem; border: 1px solid var(--line); color: var(--fg); }
.badge.pending, .badge.approved.ok, .badge.delivered { border-color: var(--ok); color: var(--ok); }
.badge.used, .badge.closed, .badge.expired { color: var(--muted); }
.badge.denied, .badge.failed { border-color: var(--bad); color: var(--bad); }
.badge.approved { border-color: var(--ok); color: var(--ok); }
.coderow { display: flex; flex-wrap: wrap; gap: .75rem; align-items: center; margin: .4rem 0; }
.code { font-family: ui-monospace, "SF Mono", Menlo, Consolas, monospace; font-size: 2rem; letter-spacing: .12em; background: var(--code-bg); border-radius: 8px; padding: .1rem .6rem; }
.used .code, .expired .code, .closed .code { text-decoration: line-through; opacity: .6; }
.text { margin: .25rem 0; }
button { cursor: pointer; border: 1px solid var(--line); background: var(--card); border-radius: 8px; padding: .35rem .8rem; }
button.primary { background: var(--accent); color: var(--accent-fg); border-color: var(--accent); }
button.danger { color: var(--bad); border-color: var(--bad); }
button:disabled { opacity: .5; cursor: default; }
.phones { display: grid; gap: 1rem; grid-template-columns: repeat(auto-fill, minmax(min(100%, 20rem), 1fr)); }
.phone { background: var(--phone); color: var(--phone-fg); border-radius: 28px; padding: 1.2rem 1rem 1rem; border: 6px solid #3a3f47; max-width: 22rem; }
.phone .app { font-size: .85rem; opacity: .75; margin: 0 0 .5rem; }
.phone .message { font-size: 1.1rem; font-weight: 600; margin: 0 0 .5rem; }
.phone dl { margin: 0 0 .75rem; display: grid; grid-template-columns: auto 1fr; gap: .15rem .75rem; font-size: .9rem; }
.phone dt { opacity: .7; }
.phone dd { margin: 0; }
.phone .buttons { display: flex; gap: .5rem; }
.phone .buttons button { flex: 1; padding: .6rem; font-weight: 600; }
.phone .approve { background: #1e8e3e; color: #fff; border-color: #1e8e3e; }
.phone .deny { background: #3a3f47; color: #fff; border-color: #5a606a; }
.phone .logos { font-size: .75rem; opacity: .7; }
.devices { list-style: none; padding: 0; margin: .5rem 0 0; display: grid; gap: .5rem; }
.devices li { border-top: 1px solid var(--line); padding-top: .5rem; }
details summary { cursor: pointer; color: var(--accent); }
details img { display: block; margin-top: .5rem; background: #fff; border-radius: 6px; width: 180px; height: 180px; }
pre { background: var(--code-bg); border-radius: 6px; padding: .5rem; overflow: auto; font-size: .8rem; max-height: 20rem; }
form { display: grid; gap: .5rem; }
.grid { display: grid; gap: 1rem; grid-template-columns: repeat(auto-fill, minmax(min(100%, 22rem), 1fr)); align-items: start; }
.field { display: grid; gap: .2rem; }
.check { display: flex; gap: .5rem; align-items: center; }
.row { display: flex; flex-wrap: wrap; gap: .5rem; align-items: end; }
table { border-collapse: collapse; width: 100%; font-size: .9rem; }
th, td { text-align: left; padding: .25rem .5rem; border-bottom: 1px solid var(--line); vertical-align: top; overflow-wrap: anywhere; }
.empty { color: var(--muted); }
.notice { max-width: 72rem; margin: .5rem auto 0; padding: 0 1rem; min-height: 1.5rem; color: var(--muted); }
.notice:empty { min-height: 0; margin: 0; }
.notice.error { color: var(--bad); }
footer { padding: 1rem; color: var(--muted); font-size: .85rem; text-align: center; }
@media (max-width: 36rem) {
  .code { font-size: 1.6rem; }
  main { padding: .75rem; }
}
`
