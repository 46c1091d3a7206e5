// Live updates on the pages: what others do appears without reloading, and a form being edited
// is never touched — the person is told what changed underneath and can look at the new version.
// The connection itself (Socket.IO, subscribe, catch-up by position) is web/static/js/live.js.
// What this module expects of live.js (adjust here if its contract differs):
//  - an exported connect({plan, tavolo}) (or startLive / default export) that subscribes;
//  - DOM CustomEvents on `document`: 'coprogramma:event' (detail = the `event` message of
//    spec/api.md) and 'coprogramma:presence' (detail = the `presence` message);
//  - optionally editing(ref) / stoppedEditing(ref) for the soft locks shown to others.
import { anyDirtyIn } from './forms.js';

const body = document.body;
const page = body.dataset.page;
let refreshTimer = null;

export async function startLive() {
  let live;
  try {
    live = await import('../live.js');
  } catch (error) {
    return; // live updates not installed on this server: the pages still work on reload
  }
  document.addEventListener(EVENT, (e) => onEvent(e.detail));
  document.addEventListener(PRESENCE, (e) => onPresence(e.detail));
  connect(live);
  if (page === 'propose' && body.dataset.objective && typeof live.editing === 'function') {
    const form = document.getElementById('modulo-proposta');
    form?.addEventListener('input', () => live.editing(body.dataset.objective), { once: true });
    window.addEventListener('pagehide', () => live.stoppedEditing?.(body.dataset.objective));
  }
}

// Names of the DOM events dispatched by live.js, and how to start it (see integrate below).
const EVENT = 'coprogramma:event';
const PRESENCE = 'coprogramma:presence';

function connect(live) {
  if (body.dataset.subscriptions && typeof live.connectLive === 'function') {
    live.connectLive({ subscriptions: JSON.parse(body.dataset.subscriptions) });
    return;
  }
  const subscription = { plan: body.dataset.plan || null, tavolo: body.dataset.tavolo || null };
  const start = live.connect || live.startLive || live.default;
  if (typeof start === 'function' && (subscription.plan || body.dataset.queue)) start(subscription);
}

function onEvent(event) {
  if (!event || (body.dataset.plan && event.plan && event.plan !== body.dataset.plan)) return;
  if (event.actor && event.actor.id === body.dataset.user && page !== 'propose') {
    scheduleRefresh();
    return; // one's own actions are already on screen after the redirect
  }
  const concernsObjective = body.dataset.objective && (event.objective_ref === body.dataset.objective ||
    (event.objective_id && event.objective_id === body.dataset.objectiveId));
  if (page === 'propose' && concernsObjective) changedUnderneath(event);
  if (interesting(event)) notice(event);
  scheduleRefresh();
}

function interesting(event) {
  if (page === 'proposal') return event.proposal_id === body.dataset.proposal || event.objective_ref === body.dataset.objective;
  if (page === 'objective' || page === 'propose') return event.objective_ref === body.dataset.objective;
  if (page === 'tavolo') return !event.tavolo || event.tavolo === body.dataset.tavolo;
  return page === 'plan' || page === 'queue';
}

function describe(event) {
  const who = event.actor && event.actor.name ? `${event.actor.name}: ` : '';
  const where = event.objective_ref ? ` (obiettivo ${event.objective_ref})` : '';
  return `${who}${event.summary || event.type}${where}`;
}

function notice(event) {
  const box = document.getElementById('avvisi-live');
  if (!box) return;
  const p = document.createElement('p');
  p.className = 'live-notice';
  p.dataset.position = event.position;
  p.textContent = `Novità: ${describe(event)}.`;
  box.prepend(p);
  while (box.children.length > 5) box.lastElementChild.remove();
}

// Re-reads the page and swaps the regions marked data-live-region, except those holding a form
// with unsent typing or the element that has the keyboard focus. Disclosures (<details id>) stay
// as the person left them: a session or a form opened to read stays open.
function scheduleRefresh() {
  clearTimeout(refreshTimer);
  refreshTimer = setTimeout(refresh, 250);
}

async function refresh() {
  const regions = [...document.querySelectorAll('[data-live-region][id]')];
  if (!regions.length) return;
  let html;
  try {
    const response = await fetch(location.href, { credentials: 'same-origin', headers: { Accept: 'text/html' } });
    if (!response.ok) return;
    html = await response.text();
  } catch (error) { return; }
  const fresh = new DOMParser().parseFromString(html, 'text/html');
  for (const region of regions) {
    if (anyDirtyIn(region) || region.contains(document.activeElement)) continue;
    const replacement = fresh.getElementById(region.id);
    if (!replacement || replacement.innerHTML === region.innerHTML) continue;
    const opened = new Map([...region.querySelectorAll('details[id]')].map((d) => [d.id, d.open]));
    region.innerHTML = replacement.innerHTML;
    for (const details of region.querySelectorAll('details[id]')) {
      if (opened.has(details.id)) details.open = opened.get(details.id);
    }
  }
}

// On the "Proponi modifica" form: the card changed while the person was typing.
function changedUnderneath(event) {
  const box = document.getElementById('cambiato-sotto');
  if (!box || !/^(Objective\.|Proposal\.Decided)/.test(event.type)) return;
  if (event.type === 'Proposal.Decided' && event.data && event.data.decision !== 'approve') return;
  const fields = Object.keys((event.data && event.data.changes) || {});
  box.hidden = false;
  box.innerHTML = '';
  const p = document.createElement('p');
  p.setAttribute('role', 'alert');
  p.innerHTML = '<strong>Mentre scriveva, l\'obiettivo è cambiato.</strong> ';
  p.append(`${describe(event)}. Quello che ha scritto nel modulo non è stato toccato.`);
  box.append(p);
  const link = document.createElement('a');
  link.href = `/piani/${encodeURIComponent(body.dataset.plan)}/obiettivi/${encodeURIComponent(body.dataset.objective)}`;
  link.target = '_blank';
  link.rel = 'noopener';
  link.textContent = 'Vedi la nuova versione (si apre in una nuova scheda)';
  box.append(link);
  for (const name of fields) {
    const note = document.querySelector(`[data-field="${name}"] [data-changed-note]`);
    if (note) {
      note.hidden = false;
      note.textContent = 'Questo campo è appena stato modificato da altri: controlli la nuova versione prima di inviare.';
    }
  }
}

function onPresence(presence) {
  const list = document.querySelector('[data-presence-list]');
  if (!list || !presence || (presence.tavolo && presence.tavolo !== body.dataset.tavolo)) return;
  list.innerHTML = '';
  const users = presence.users || [];
  if (!users.length) { list.textContent = 'Nessun altro è collegato in questo momento.'; return; }
  for (const user of users) {
    const span = document.createElement('span');
    span.className = 'person';
    span.textContent = user.name + (user.organisation ? ` (${user.organisation})` : '') +
      (user.editing ? ` — sta modificando ${user.editing}` : '');
    list.append(span, ' ');
  }
}
