// Live updates of Coprogramma (spec/api.md, "Live updates"), as DOM CustomEvents.
//
//   import { connectLive } from "/static/js/live.js";
//   const live = connectLive({ subscriptions: [{ plan: "cremona", tavolo: "inclusione" }],
//                              positions: { cremona: 1234 } });   // position the page was rendered at
//   document.addEventListener("coprogramma:event", (e) => console.log(e.detail.position, e.detail.type));
//
// Pages use the shortcuts `connect({plan, tavolo})` (session cookie, one connection per page),
// `editing(objectiveRef)` and `stoppedEditing(objectiveRef)`.
//
// Events dispatched on `target` (default: document):
//   coprogramma:event       detail = the `event` message, once per position, in position order per plan
//   coprogramma:presence    detail = {plan, tavolo, users: [{id, name, organisation}], editing: [...]}
//   coprogramma:status      detail = {state: "connected" | "disconnected" | "refused", reason}
//   coprogramma:refused     detail = {plan, tavolo, error}   a subscription the server refused
//   coprogramma:unsubscribed detail = {plan, tavolo, error}  permission withdrawn while connected
//
// After a reconnect (or when the server says permissions changed) it subscribes again and asks
// `catch_up` from the last position it has seen in each plan. Events that arrive while a catch-up
// is running are held and merged by position, so nothing is dispatched twice or out of order.
import { io } from "/vendor/socket.io-client/socket.io.esm.min.js";

export function connectLive({ url, token, target = document, subscriptions = [], positions = {} } = {}) {
  return new Live({ url, token, target, subscriptions, positions });
}

// For the pages: one connection, with the browser's session cookie, to the page's plan or tavolo.
// The page may give the position it was rendered at as <body data-position="...">.
let page = null;

export function connect({ plan = null, tavolo = null } = {}) {
  if (page) return page;
  const position = Number(document.body?.dataset.position);
  const subscriptions = plan ? [{ plan, tavolo }] : [];
  const positions = plan && Number.isFinite(position) && position > 0 ? { [plan]: position } : {};
  page = connectLive({ subscriptions, positions });
  page.where = { plan, tavolo };
  if (plan && tavolo) {  // not at this tavolo (e.g. an outsider reading it): the plan-wide events still
    document.addEventListener("coprogramma:refused", (e) => {
      if (e.detail.plan === plan && e.detail.tavolo === tavolo) page.subscribe(plan);
    });
  }
  return page;
}

// Soft lock on an objective of the page's tavolo (renewed while held); others see it in presence.
export function editing(objectiveRef) {
  const { plan, tavolo } = page?.where ?? {};
  if (!plan || !tavolo) return Promise.resolve({ ok: false, error: "Nessun tavolo su questa pagina" });
  return page.editing(plan, tavolo, objectiveRef);
}

export function stoppedEditing(objectiveRef) {
  const { plan, tavolo } = page?.where ?? {};
  if (!plan || !tavolo) return Promise.resolve({ ok: true });
  return page.stoppedEditing(plan, tavolo, objectiveRef);
}

export default connect;

const keyOf = (plan, tavolo) => JSON.stringify([plan, tavolo ?? null]);

export class Live {
  constructor({ url, token, target, subscriptions, positions }) {
    this.target = target;
    this.subscriptions = new Map();      // key -> {plan, tavolo?}
    this.last = new Map(Object.entries(positions));  // plan -> last position dispatched
    this.held = new Map();               // plan -> events received during its catch-up
    this.renewals = new Map();           // key of an objective being edited -> timer
    this.ready = new Promise((resolve) => { this.resolveReady = resolve; });  // subscribed once
    for (const { plan, tavolo } of subscriptions) this.subscriptions.set(keyOf(plan, tavolo), clean(plan, tavolo));
    const options = token ? { auth: { token } } : { withCredentials: true };
    this.socket = url ? io(url, options) : io(options);
    this.socket.on("connect", () => { this.#status("connected"); this.#resync(); });
    this.socket.on("disconnect", (reason) => this.#status("disconnected", reason));
    this.socket.on("connect_error", (error) => this.#status("refused", error.message));
    this.socket.on("event", (event) => this.#receive(event));
    this.socket.on("presence", (presence) => this.#dispatch("presence", presence));
    this.socket.on("access_changed", () => this.#resync());
    this.socket.on("unsubscribed", (notice) => {
      this.subscriptions.delete(keyOf(notice.plan, notice.tavolo));
      this.#dispatch("unsubscribed", notice);
    });
  }

  async subscribe(plan, tavolo) {
    this.subscriptions.set(keyOf(plan, tavolo), clean(plan, tavolo));
    if (!this.socket.connected) return { ok: false, error: "Non connesso: l'iscrizione sarà inviata alla connessione" };
    const ack = await this.#subscribeOne(plan, tavolo);
    if (ack.ok) await this.#catchUp(plan);
    return ack;
  }

  async unsubscribe(plan, tavolo) {
    this.subscriptions.delete(keyOf(plan, tavolo));
    return this.socket.emitWithAck("unsubscribe", clean(plan, tavolo));
  }

  // A soft lock on an objective, renewed while held (the server lets it expire otherwise).
  async editing(plan, tavolo, objectiveRef) {
    const key = keyOf(plan, tavolo) + objectiveRef;
    await this.ready;  // the lock needs the tavolo subscription
    const ack = await this.socket.emitWithAck("editing", { plan, tavolo, objective_ref: objectiveRef });
    clearTimeout(this.renewals.get(key));
    if (ack.ok) {
      this.renewals.set(key, setTimeout(() => this.editing(plan, tavolo, objectiveRef), ack.expires_in * 500));
    }
    return ack;
  }

  async stoppedEditing(plan, tavolo, objectiveRef) {
    const key = keyOf(plan, tavolo) + objectiveRef;
    clearTimeout(this.renewals.get(key));
    this.renewals.delete(key);
    return this.socket.emitWithAck("stopped_editing", { plan, tavolo, objective_ref: objectiveRef });
  }

  close() {
    for (const timer of this.renewals.values()) clearTimeout(timer);
    this.socket.close();
  }

  async #resync() {
    const plans = new Set();
    for (const { plan, tavolo } of [...this.subscriptions.values()]) {
      if (!this.held.has(plan)) this.held.set(plan, []);  // hold live events until caught up
      const ack = await this.#subscribeOne(plan, tavolo);
      if (ack.ok) plans.add(plan);
    }
    for (const plan of plans) await this.#catchUp(plan);
    for (const plan of this.held.keys()) if (!plans.has(plan)) this.#release(plan);
    this.resolveReady();
  }

  async #subscribeOne(plan, tavolo) {
    const ack = await this.socket.emitWithAck("subscribe", clean(plan, tavolo));
    if (!ack.ok) {
      this.subscriptions.delete(keyOf(plan, tavolo));
      this.#dispatch("refused", { plan, tavolo, error: ack.error });
    } else if (!this.last.has(plan)) {
      this.last.set(plan, ack.position);  // nothing seen yet: live from here
    }
    return ack;
  }

  async #catchUp(plan) {
    if (!this.held.has(plan)) this.held.set(plan, []);
    try {
      for (;;) {
        const ack = await this.socket.emitWithAck("catch_up", { plan, after: this.last.get(plan) ?? 0 });
        this.#flush(plan);
        if (!ack.ok || !ack.more) break;
      }
    } finally {
      this.#release(plan);
    }
  }

  #receive(event) {
    const held = this.held.get(event.plan);
    if (held) held.push(event);
    else this.#deliver(event);
  }

  #flush(plan) {
    const held = this.held.get(plan) ?? [];
    this.held.set(plan, []);
    held.sort((a, b) => a.position - b.position).forEach((event) => this.#deliver(event));
  }

  #release(plan) {
    this.#flush(plan);
    this.held.delete(plan);
  }

  #deliver(event) {
    const last = this.last.get(event.plan) ?? -1;
    if (event.position <= last) return;  // already seen (live and caught up, or twice subscribed)
    this.last.set(event.plan, event.position);
    this.#dispatch("event", event);
  }

  #status(state, reason) {
    this.#dispatch("status", { state, reason: reason ?? null });
  }

  #dispatch(name, detail) {
    this.target.dispatchEvent(new CustomEvent(`coprogramma:${name}`, { detail }));
  }
}

function clean(plan, tavolo) {
  return tavolo ? { plan, tavolo } : { plan };
}
