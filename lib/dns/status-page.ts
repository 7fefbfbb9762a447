/**
 * The status page a DNS node's admin API serves at `GET /`: what `/status` says, for a person.
 * One static HTML document; its script fetches `status` (relative, so it also works behind a
 * port-forward or a path prefix) every second and draws:
 * - the node (DNS and admin addresses, uptime, config, verdict settings);
 * - the answers: every failover group with each member's verdict and share of the answers, and for the
 *   top of a routing tree its final answers per client area;
 * - the health matrix: health checks × checkers, each cell the checker's latest report (healthy or
 *   not, its age, stale or fresh, the reason on hover), and the node's verdict with its reason;
 * - the recent verdict changes, newest first.
 * Every value is inserted as text (never as HTML), so names from a config cannot inject markup.
 */

const STYLE = `
:root { color-scheme: light dark; --ok: #1a7f37; --bad: #cf222e; --muted: #6e7781; --line: #d0d7de; --bg-ok: #dafbe1; --bg-bad: #ffebe9; --bg-stale: #eaeef2; }
@media (prefers-color-scheme: dark) { :root { --ok: #3fb950; --bad: #f85149; --muted: #8b949e; --line: #30363d; --bg-ok: #12261e; --bg-bad: #2d1214; --bg-stale: #21262d; } }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0 auto; padding: 16px 24px 40px; max-width: 1200px; }
h1 { font-size: 20px; margin: 0 0 4px; }
h2 { font-size: 16px; margin: 28px 0 8px; }
.muted { color: var(--muted); }
#node { margin: 0; }
#banner { display: none; margin: 12px 0; padding: 8px 12px; border-radius: 6px; background: var(--bg-bad); color: var(--bad); font-weight: 600; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 6px 10px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-weight: 600; white-space: nowrap; }
td.cell { white-space: nowrap; }
.badge { display: inline-block; padding: 1px 8px; border-radius: 10px; font-weight: 600; font-size: 12px; letter-spacing: .02em; }
.healthy { color: var(--ok); background: var(--bg-ok); }
.unhealthy { color: var(--bad); background: var(--bg-bad); }
.stale { color: var(--muted); background: var(--bg-stale); }
.share { display: inline-block; width: 120px; height: 10px; border-radius: 5px; background: var(--bg-stale); vertical-align: middle; overflow: hidden; margin-right: 8px; }
.share > span { display: block; height: 100%; background: var(--ok); }
.reason { color: var(--muted); font-size: 12px; }
code { font: 12px/1.4 ui-monospace, SFMono-Regular, Menlo, monospace; }
footer { margin-top: 32px; }
`;

const SCRIPT = `
'use strict';
const $ = (id) => document.getElementById(id);
function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null) continue;
    if (k === 'class') e.className = v; else if (k === 'title') e.title = v; else e.setAttribute(k, v);
  }
  for (const c of children) if (c !== undefined && c !== null) e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return e;
}
function age(ms) {
  if (ms === null || ms === undefined) return 'never';
  if (ms < 1000) return Math.max(0, Math.round(ms)) + ' ms ago';
  if (ms < 120000) return (ms / 1000).toFixed(ms < 10000 ? 1 : 0) + ' s ago';
  return Math.round(ms / 60000) + ' min ago';
}
function badge(healthy, text) { return el('span', { class: 'badge ' + (healthy ? 'healthy' : 'unhealthy') }, text || (healthy ? 'healthy' : 'unhealthy')); }
function percent(x) { return (Math.round(x * 1000) / 10) + ' %'; }
function time(iso) { const d = new Date(iso); return d.toLocaleTimeString([], { hour12: false }) + '.' + String(d.getMilliseconds()).padStart(3, '0'); }
function replace(id, ...rows) { const t = $(id); t.replaceChildren(...rows); }

function routingText(m, policy) {
  if (m.weight !== undefined) return 'weight ' + m.weight;
  if (m.failover !== undefined) return m.failover.toLowerCase();
  const g = m.geoLocation;
  if (g) return g.continentCode !== undefined ? 'continent ' + g.continentCode : g.countryCode === '*' ? 'default location' : g.subdivisionCode !== undefined ? g.countryCode + '-' + g.subdivisionCode : 'country ' + g.countryCode;
  if (m.region !== undefined) return 'region ' + m.region;
  if (m.cidrLocation !== undefined) return m.cidrLocation === '*' ? 'other networks' : 'CIDR ' + m.cidrLocation;
  return policy;
}

function render(s) {
  const n = s.node;
  $('node').replaceChildren(
    'DNS ', el('code', {}, n.dns), ' (UDP and TCP) · admin ', el('code', {}, n.admin || '-'), ' · up ', Math.round(n.uptimeSeconds) + ' s',
    ' · config ', el('code', {}, s.config.file || '(in memory)'),
    ' · healthy when more than ', percent(s.verdictSettings.healthyFraction), ' of the fresh reports say so (fresh: younger than ',
    (s.verdictSettings.freshnessMs / 1000) + ' s)');
  $('zones').textContent = s.zones.map((z) => z.name).join(', ');
  $('updated').textContent = 'updated ' + new Date().toLocaleTimeString([], { hour12: false });

  const groupRows = [el('tr', {}, el('th', {}, 'name'), el('th', {}, 'policy'), el('th', {}, 'member'), el('th', {}, 'value'), el('th', {}, 'routing'), el('th', {}, 'verdict'), el('th', {}, 'share of answers'))];
  for (const g of s.groups) {
    g.members.forEach((m, i) => {
      const routing = routingText(m, g.policy);
      const bar = el('span', { class: 'share' }, el('span', { style: 'width:' + Math.round(m.share * 100) + '%' }));
      groupRows.push(el('tr', { 'data-member': m.setIdentifier },
        el('td', {}, i === 0 ? el('strong', {}, g.name + ' ' + g.recordType) : ''),
        el('td', {}, i === 0 ? g.policy + ', TTL ' + g.ttl + ' s' : ''),
        el('td', {}, m.setIdentifier),
        el('td', {}, el('code', {}, m.aliasTarget !== undefined ? '→ ' + m.aliasTarget : m.values.join(', '))),
        el('td', {}, routing),
        el('td', {}, m.healthCheckId === undefined ? el('span', { class: 'badge stale' }, 'no check') : badge(m.healthy)),
        el('td', { class: 'cell' }, bar, el('span', { class: 'share-value' }, percent(m.share)))));
    });
    // The top of a routing tree: the final answers for one client per place the tree tells apart.
    for (const c of g.clients || []) {
      const answers = c.answers.length === 0 ? 'no answer (NODATA)' : c.answers.map((a) => a.setIdentifiers.join('+') + ' ' + percent(a.share)).join(', ');
      groupRows.push(el('tr', { 'data-client': c.client },
        el('td', {}, ''), el('td', { class: 'muted' }, 'clients'), el('td', { colspan: 5 }, el('strong', {}, c.client), ': ', answers)));
    }
  }
  if (s.groups.length === 0) groupRows.push(el('tr', {}, el('td', { colspan: 7, class: 'muted' }, 'no failover groups: the zones hold static records only')));
  replace('answers', ...groupRows);

  const checkers = s.checkers;
  const head = el('tr', {}, el('th', {}, 'health check'), el('th', {}, 'verdict'),
    ...checkers.map((c) => el('th', { 'data-checker': c.id }, c.id, el('div', { class: 'reason' }, c.region + ' · ' + age(c.ageMs)))));
  const rows = [head];
  for (const h of s.healthChecks) {
    const byChecker = new Map(h.reports.map((r) => [r.checkerId, r]));
    const cells = checkers.map((c) => {
      if (h.kind !== 'endpoint') return el('td', { class: 'cell muted' }, '-');
      const r = byChecker.get(c.id);
      if (!r) return el('td', { class: 'cell' }, el('span', { class: 'badge stale' }, 'no report'));
      const cls = r.fresh ? (r.healthy ? 'healthy' : 'unhealthy') : 'stale';
      const text = (r.healthy ? 'healthy' : 'unhealthy') + (r.fresh ? '' : ' (stale)');
      return el('td', { class: 'cell', title: r.reason || '' }, el('span', { class: 'badge ' + cls }, text),
        el('div', { class: 'reason' }, age(r.ageMs) + (r.latencyMs !== undefined ? ' · ' + Math.round(r.latencyMs) + ' ms' : '') + (r.reason ? ' · ' + r.reason : '')));
    });
    rows.push(el('tr', { 'data-check': h.healthCheckId },
      el('td', {}, el('strong', {}, h.name || h.healthCheckId), el('div', { class: 'reason' }, h.healthCheckId + ' · ' + h.type + (h.inverted ? ' · inverted' : '') + (h.disabled ? ' · disabled' : ''))),
      el('td', { class: 'verdict' }, badge(h.healthy), el('div', { class: 'reason' }, h.reason)),
      ...cells));
  }
  if (s.healthChecks.length === 0) rows.push(el('tr', {}, el('td', { colspan: 2 + checkers.length, class: 'muted' }, 'no health checks')));
  replace('matrix', ...rows);

  const changes = [...s.recentVerdictChanges].reverse();
  const changeRows = [el('tr', {}, el('th', {}, 'time'), el('th', {}, 'health check'), el('th', {}, 'verdict'), el('th', {}, 'why'))];
  const names = new Map(s.healthChecks.map((h) => [h.healthCheckId, h.name]));
  for (const c of changes) {
    const name = names.get(c.healthCheckId);
    changeRows.push(el('tr', {}, el('td', { class: 'cell' }, time(c.at)),
      el('td', {}, name ? el('strong', {}, name) : c.healthCheckId, name ? el('div', { class: 'reason' }, c.healthCheckId) : null),
      el('td', {}, badge(c.healthy)), el('td', { class: 'reason' }, c.reason)));
  }
  if (changes.length === 0) changeRows.push(el('tr', {}, el('td', { colspan: 4, class: 'muted' }, 'no verdict has changed since the node started')));
  replace('changes', ...changeRows);
}

async function refresh() {
  try {
    const res = await fetch('status', { cache: 'no-store' });
    if (!res.ok) throw new Error('HTTP ' + res.status);
    render(await res.json());
    $('banner').style.display = 'none';
    document.body.dataset.loaded = 'true';
  } catch (e) {
    $('banner').textContent = 'The node does not answer (' + e.message + '); showing the last status received.';
    $('banner').style.display = 'block';
  }
}
refresh();
setInterval(refresh, 1000);
`;

/** The status page (HTML, self-contained: no external scripts, styles or fonts). */
export function statusPage(): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>dns-failover · DNS node status</title>
<style>${STYLE}</style>
</head>
<body>
<h1>dns-failover DNS node <span class="muted" id="zones"></span></h1>
<p id="node" class="muted">loading /status ...</p>
<p id="updated" class="muted"></p>
<div id="banner" role="alert"></div>
<noscript><p>This page draws <a href="status">/status</a> with JavaScript; without it, read the JSON there.</p></noscript>
<h2>Answers</h2>
<table id="answers"></table>
<h2>Health checks and checkers</h2>
<table id="matrix"></table>
<h2>Recent verdict changes</h2>
<table id="changes"></table>
<footer class="muted">The same as JSON: <a href="status">/status</a> · Prometheus: <a href="metrics">/metrics</a> · refreshed every second</footer>
<script>${SCRIPT}</script>
</body>
</html>
`;
}
