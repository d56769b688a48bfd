// The sandbox console: plain JavaScript, same-origin calls only. The server tells us *that* something
// changed (server-sent events); we then reload what we show, so the page never drifts from the sandbox.

const $ = (id) => document.getElementById(id);
const state = { customers: [], selected: null, thread: null, faults: null };

// ---------- helpers ----------

function escapeHtml(s) {
  return String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
}

/** WhatsApp formatting on already-escaped text: ```mono```, *bold*, _italic_, ~strike~. */
export function formatWhatsApp(text) {
  let html = escapeHtml(text);
  html = html.replace(/```([\s\S]+?)```/g, '<code>$1</code>');
  html = html.replace(/(^|[\s(])\*(?!\s)([^*\n]+?)\*(?=$|[\s).,!?:;])/g, '$1<strong>$2</strong>');
  html = html.replace(/(^|[\s(])_(?!\s)([^_\n]+?)_(?=$|[\s).,!?:;])/g, '$1<em>$2</em>');
  html = html.replace(/(^|[\s(])~(?!\s)([^~\n]+?)~(?=$|[\s).,!?:;])/g, '$1<s>$2</s>');
  return html.replace(/\n/g, '<br>');
}

async function api(method, url, body) {
  const init = { method, headers: {} };
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const res = await fetch(url, init);
  const text = await res.text();
  const data = text ? JSON.parse(text) : null;
  if (!res.ok) {
    const detail = data && (data.errors || []).map((e) => `${e.field} ${e.message}`).join('; ');
    throw new Error(detail || (data && (data.detail || data.title)) || `HTTP ${res.status}`);
  }
  return data;
}

function time(iso) {
  return iso ? new Date(iso).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' }) : '';
}

function windowUntil(customer) {
  const until = Object.values(customer.windowOpenUntil || {}).sort().pop();
  if (!until) return 'window closed';
  return new Date(until) > new Date() ? `window open until ${new Date(until).toLocaleString()}` : 'window closed';
}

// ---------- customers ----------

async function loadCustomers() {
  state.customers = await api('GET', '/sandbox/customers');
  renderCustomers();
}

function renderCustomers() {
  const list = $('customer-list');
  list.innerHTML = '';
  const phones = state.customers.map((c) => c.phone);
  if (state.selected && !phones.includes(state.selected)) phones.push(state.selected);
  if (phones.length === 0) {
    list.innerHTML = '<li class="empty">No customers yet: add one below.</li>';
    return;
  }
  for (const c of state.customers) {
    const li = document.createElement('li');
    const b = document.createElement('button');
    b.type = 'button';
    b.className = 'customer';
    b.dataset.phone = c.phone;
    b.setAttribute('aria-pressed', String(c.phone === state.selected));
    const flags = [
      c.whatsappUser ? 'WhatsApp user' : 'not on WhatsApp',
      c.marketingOptedOut ? 'opted out of marketing' : null,
      c.readsMessages ? null : 'keeps chats unread',
    ].filter(Boolean).join(' · ');
    b.innerHTML = `<span class="avatar" aria-hidden="true">${escapeHtml((c.name || '?').charAt(0).toUpperCase())}</span>
      <span class="who"><strong>${escapeHtml(c.name)}</strong><span class="phone-no">${escapeHtml(c.username
        ? `${c.username} · phone hidden · ${c.userId}` : c.phone)}</span>
      <span class="flags">${escapeHtml(flags)}</span><span class="window">${escapeHtml(windowUntil(c))}</span></span>`;
    b.addEventListener('click', () => select(c.phone));
    li.appendChild(b);
    list.appendChild(li);
  }
}

async function saveCustomer(event) {
  event.preventDefault();
  $('customer-error').textContent = '';
  const phone = $('c-phone').value.trim();
  const body = {
    name: $('c-name').value.trim() || null,
    whatsappUser: $('c-whatsapp').checked,
    marketingOptedOut: $('c-optout').checked,
    readsMessages: $('c-reads').checked,
    answerDelay: $('c-delay').value.trim() || null,
    username: $('c-username').value.trim() || null,
  };
  try {
    await api('PUT', `/sandbox/customers/${encodeURIComponent(phone)}`, body);
    await loadCustomers();
    await select(phone);
  } catch (e) {
    $('customer-error').textContent = `Not saved: ${e.message}`;
  }
}

function fillForm(c) {
  $('c-phone').value = c.phone;
  $('c-name').value = c.name || '';
  $('c-whatsapp').checked = c.whatsappUser;
  $('c-optout').checked = c.marketingOptedOut;
  $('c-reads').checked = c.readsMessages;
  $('c-delay').value = c.answerDelay || '';
  $('c-username').value = c.username || '';
}

/** The selected customer moves to a new number: a new business-scoped user id and Meta's system notice. */
async function changeNumber(event) {
  event.preventDefault();
  $('number-error').textContent = '';
  const newPhone = $('c-new-phone').value.trim();
  if (!state.selected) return;
  try {
    await api('POST', `/sandbox/customers/${encodeURIComponent(state.selected)}/number`, { phone: newPhone });
    $('c-new-phone').value = '';
    await loadCustomers();
    await select(newPhone);
  } catch (e) {
    $('number-error').textContent = `Not changed: ${e.message}`;
  }
}

// ---------- thread ----------

async function select(phone) {
  state.selected = phone;
  history.replaceState(null, '', `#${encodeURIComponent(phone)}`);
  renderCustomers();
  const known = state.customers.find((c) => c.phone === phone);
  if (known) fillForm(known); // the form then configures the selected customer
  await loadThread();
  $('composer').hidden = false;
  $('reads-box').hidden = false;
}

async function loadThread() {
  if (!state.selected) return;
  const phone = state.selected;
  const thread = await api('GET', `/sandbox/console/thread?phone=${encodeURIComponent(phone)}`);
  if (phone !== state.selected) return;
  state.thread = thread;
  renderThread();
}

function renderThread() {
  const { customer, items } = state.thread;
  $('chat-title').textContent = customer.name;
  $('chat-sub').textContent = `${customer.username ? `${customer.username} (phone hidden, user id ${customer.userId})` : customer.phone} · ${windowUntil(customer)}`;
  $('reads-toggle').checked = customer.readsMessages;
  const byId = new Map(items.map((i) => [i.id, i]));
  const reactions = new Map();
  for (const i of items) {
    if (i.kind === 'business' && i.type === 'reaction') {
      const r = i.content.reaction || {};
      reactions.set(r.message_id, r.emoji);
    }
  }
  const thread = $('thread');
  thread.innerHTML = '';
  if (items.length === 0) {
    thread.innerHTML = '<li class="note">No messages yet. Write as the customer below to open their 24 h window.</li>';
  }
  for (const item of items) {
    if (item.kind === 'business' && item.type === 'reaction') continue;
    thread.appendChild(renderItem(item, byId, reactions));
  }
  thread.scrollTop = thread.scrollHeight;
}

function renderItem(item, byId, reactions) {
  const li = document.createElement('li');
  li.dataset.id = item.id;
  li.dataset.kind = item.kind;
  if (item.kind === 'note') {
    li.className = 'note';
    li.dataset.status = item.status;
    li.textContent = noteText(item);
    return li;
  }
  li.className = `bubble ${item.kind === 'business' ? 'in' : 'out'}`;
  li.dataset.type = item.type;
  li.dataset.status = item.status;
  let html = '';
  if (item.context) {
    const quoted = byId.get(item.context);
    html += `<blockquote class="quote">${escapeHtml(quoted ? summary(quoted) : 'a message')}</blockquote>`;
  }
  html += item.kind === 'business' ? renderBusiness(item) : renderCustomer(item);
  const reaction = reactions.get(item.id);
  html += `<footer class="meta"><time datetime="${escapeHtml(item.at)}">${time(item.at)}</time>${item.kind === 'business' ? ticks(item) : readByBusiness(item)}</footer>`;
  if (reaction) html += `<span class="reaction" aria-label="reaction ${escapeHtml(reaction)}">${escapeHtml(reaction)}</span>`;
  li.innerHTML = html;
  for (const b of li.querySelectorAll('button[data-reply]')) {
    b.addEventListener('click', () => reply(item, JSON.parse(b.dataset.reply)));
  }
  return li;
}

function noteText(item) {
  const what = item.type ? `${item.type} message` : 'message';
  if (item.status === 'rejected' || item.status === 'expired' || item.status === 'cancelled') {
    return `${what} not sent: ${item.reason || item.status}`;
  }
  if (item.status === 'failed') {
    return `${what} failed: ${item.errorCode ?? ''} ${item.errorTitle ?? ''}`.trim();
  }
  if (item.attempts > 0) {
    return `${what} retrying (attempt ${item.attempts}${item.errorCode ? `, last error ${item.errorCode} ${item.errorTitle || ''}` : ''})`.trim();
  }
  return `${what} ${item.status} at the gateway`;
}

function ticks(item) {
  const attempts = item.attempts > 1 ? `<span class="attempts">after ${item.attempts} attempts</span>` : '';
  switch (item.status) {
    case 'sent': return `${attempts}<span class="ticks" aria-label="sent" title="sent">✓</span>`;
    case 'delivered': return `${attempts}<span class="ticks" aria-label="delivered" title="delivered">✓✓</span>`;
    case 'read': return `${attempts}<span class="ticks read" aria-label="read" title="read">✓✓</span>`;
    case 'failed': return `${attempts}<span class="failed" role="status">⚠ failed ${escapeHtml(item.errorCode)} ${escapeHtml(item.errorTitle || '')}</span>`;
    default: return `${attempts}<span class="ticks pending" aria-label="accepted" title="accepted">🕓</span>`;
  }
}

// The customer's own message: blue ticks once the business sent its read receipt, and the business's
// typing indicator while it shows (WhatsApp keeps it up to 25 s).
function readByBusiness(item) {
  const typing = item.typing ? '<span class="typing" role="status" aria-label="business is typing">typing…</span>' : '';
  const read = item.status === 'read' ? '<span class="ticks read" aria-label="read by the business" title="read by the business">✓✓</span>' : '';
  return typing + read;
}

function summary(item) {
  const c = item.kind === 'business' ? (item.content[item.type] || {}) : item.content;
  if (item.type === 'text') return c.body || '';
  if (item.type === 'interactive') {
    if (c.button_reply) return c.button_reply.title;
    if (c.list_reply) return c.list_reply.title;
    return (c.body && c.body.text) || 'interactive message';
  }
  if (item.type === 'template') return `template ${c.name}`;
  return `${item.type}${c.caption ? ': ' + c.caption : ''}`;
}

function renderCustomer(item) {
  const c = item.content || {};
  if (item.type === 'text') return `<p class="text">${formatWhatsApp(c.body)}</p>`;
  if (c.type === 'button_reply') return `<p class="text reply-choice">↩ ${escapeHtml(c.button_reply.title)}</p>`;
  if (c.type === 'list_reply') {
    return `<p class="text reply-choice">☰ ${escapeHtml(c.list_reply.title)}</p>${c.list_reply.description ? `<p class="small">${escapeHtml(c.list_reply.description)}</p>` : ''}`;
  }
  return `<p class="text">${escapeHtml(item.type)}</p>`;
}

const MEDIA_ICONS = { image: '🖼️', video: '🎬', document: '📄', audio: '🎵', sticker: '🏷️' };

function media(type, m) {
  const source = m.link ? `<a href="${escapeHtml(m.link)}" rel="noreferrer noopener" target="_blank">${escapeHtml(m.link)}</a>` : `media id ${escapeHtml(m.id)}`;
  return `<div class="media" data-media="${type}"><span class="media-icon" aria-hidden="true">${MEDIA_ICONS[type] || '📎'}</span>
    <span><strong>${type.charAt(0).toUpperCase() + type.slice(1)}</strong>${m.filename ? ' · ' + escapeHtml(m.filename) : ''}<br><span class="small">${source}</span></span></div>
    ${m.caption ? `<p class="text">${formatWhatsApp(m.caption)}</p>` : ''}`;
}

function renderBusiness(item) {
  const body = item.content || {};
  const c = body[item.type] || {};
  switch (item.type) {
    case 'text': return `<p class="text">${formatWhatsApp(c.body)}</p>`;
    case 'image': case 'video': case 'document': case 'audio': case 'sticker': return media(item.type, c);
    case 'location':
      return `<div class="media"><span class="media-icon" aria-hidden="true">📍</span><span><strong>${escapeHtml(c.name || 'Location')}</strong>
        ${c.address ? `<br>${escapeHtml(c.address)}` : ''}<br><span class="small">${escapeHtml(c.latitude)}, ${escapeHtml(c.longitude)}</span></span></div>`;
    case 'contacts':
      return (body.contacts || []).map((k) => `<div class="media"><span class="media-icon" aria-hidden="true">👤</span><span><strong>${escapeHtml((k.name || {}).formatted_name)}</strong>
        ${(k.phones || []).map((p) => `<br><span class="small">${escapeHtml(p.phone)}</span>`).join('')}</span></div>`).join('');
    case 'interactive': return renderInteractive(c);
    case 'template': return renderTemplate(c);
    default: return `<p class="text">${escapeHtml(item.type)} message</p>`;
  }
}

function renderInteractive(c) {
  let html = '';
  const header = c.header || {};
  if (header.type === 'text') html += `<p class="header">${escapeHtml(header.text)}</p>`;
  else if (header.type && header[header.type]) html += media(header.type, header[header.type]);
  if (c.body) html += `<p class="text">${formatWhatsApp(c.body.text)}</p>`;
  if (c.footer) html += `<p class="footer">${escapeHtml(c.footer.text)}</p>`;
  const action = c.action || {};
  if (c.type === 'button') {
    html += '<div class="actions" role="group" aria-label="Reply buttons">' + (action.buttons || []).map((b) => {
      const r = b.reply || {};
      return `<button type="button" class="reply-button" data-reply='${escapeHtml(JSON.stringify({ buttonReply: { id: r.id, title: r.title } }))}'>${escapeHtml(r.title)}</button>`;
    }).join('') + '</div>';
  } else if (c.type === 'list') {
    html += `<details class="list"><summary>☰ ${escapeHtml(action.button)}</summary>`;
    for (const s of action.sections || []) {
      html += `<div role="group" aria-label="${escapeHtml(s.title || 'Options')}">${s.title ? `<p class="section">${escapeHtml(s.title)}</p>` : ''}`;
      for (const row of s.rows || []) {
        const value = { listReply: { id: row.id, title: row.title, description: row.description } };
        html += `<button type="button" class="list-row" data-reply='${escapeHtml(JSON.stringify(value))}'>${escapeHtml(row.title)}${row.description ? `<span class="small">${escapeHtml(row.description)}</span>` : ''}</button>`;
      }
      html += '</div>';
    }
    html += '</details>';
  } else if (c.type === 'cta_url') {
    const p = action.parameters || {};
    html += `<div class="actions"><a class="cta" href="${escapeHtml(p.url)}" rel="noreferrer noopener" target="_blank">↗ ${escapeHtml(p.display_text)}</a></div>`;
  }
  return html;
}

/** A parameter as WhatsApp shows it: currency from amount_1000 and code, date_time by its fallback value. */
export function parameterText(p) {
  switch (p.type) {
    case 'text': return p.text;
    case 'currency': {
      const cur = p.currency || {};
      try {
        return new Intl.NumberFormat('en-US', { style: 'currency', currency: cur.code }).format(cur.amount_1000 / 1000);
      } catch (e) {
        return cur.fallback_value;
      }
    }
    case 'date_time': return (p.date_time || {}).fallback_value;
    case 'image': case 'video': case 'document': return `[${p.type}]`;
    default: return p[p.type] && typeof p[p.type] === 'string' ? p[p.type] : p.type;
  }
}

function renderTemplate(t) {
  const components = t.components || [];
  let html = `<p class="template-name">📋 ${escapeHtml(t.name)} <span class="small">${escapeHtml((t.language || {}).code)}</span></p>`;
  for (const comp of components) {
    const params = comp.parameters || [];
    if (comp.type === 'header') {
      for (const p of params) {
        html += ['image', 'video', 'document'].includes(p.type) ? media(p.type, p[p.type] || {}) : `<p class="header">${escapeHtml(parameterText(p))}</p>`;
      }
    } else if (comp.type === 'body') {
      // The sandbox knows a template's parameter count, not its wording: show the slots filled in.
      const text = params.map((p, i) => `{{${i + 1}}} = ${escapeHtml(parameterText(p))}`).join('<br>');
      html += `<p class="text template-body">${text}</p>`;
    } else if (comp.type === 'button') {
      html += `<div class="actions"><span class="reply-button static">${escapeHtml(comp.sub_type)} button</span></div>`;
    }
  }
  return html;
}

// ---------- customer side ----------

async function write(body) {
  $('composer-error').textContent = '';
  try {
    await api('POST', `/sandbox/customers/${encodeURIComponent(state.selected)}/messages`, body);
  } catch (e) {
    $('composer-error').textContent = `Not sent: ${e.message}`;
  }
}

async function reply(item, value) {
  await write({ ...value, context: item.id });
}

async function sendText(event) {
  event.preventDefault();
  const text = $('composer-text').value;
  if (!text.trim()) return;
  await write({ text });
  $('composer-text').value = '';
  $('composer-text').focus();
}

async function toggleReads() {
  const c = state.thread.customer;
  await api('PUT', `/sandbox/customers/${encodeURIComponent(c.phone)}`, {
    name: c.name, whatsappUser: c.whatsappUser, marketingOptedOut: c.marketingOptedOut,
    readsMessages: $('reads-toggle').checked, answerDelay: c.answerDelay, username: c.username,
  });
}

// ---------- faults ----------

async function loadFaults() {
  state.faults = await api('GET', '/sandbox/faults');
  const f = state.faults;
  const storm = (f.errorRates || {})['503'] === 1;
  $('storm').setAttribute('aria-pressed', String(storm));
  $('storm').textContent = storm ? 'Storm on' : 'Storm off';
  $('latency').value = f.latencyMaxMs || 0;
  const other = Object.entries(f.errorRates || {}).filter(([code]) => code !== '503' || !storm);
  if (other.length > 0) {
    $('error-code').value = other[0][0];
    $('error-rate').value = other[0][1];
  }
  const rates = Object.entries(f.errorRates || {}).map(([k, v]) => `${k}: ${v}`).join(', ');
  $('faults-state').textContent = `latency ${f.latencyMinMs || 0}–${f.latencyMaxMs || 0} ms${rates ? ' · errors ' + rates : ''}`;
}

async function applyFaults(storm) {
  const latency = Number($('latency').value) || 0;
  const errorRates = {};
  const rate = Number($('error-rate').value) || 0;
  if (rate > 0) errorRates[$('error-code').value] = rate;
  if (storm) errorRates['503'] = 1;
  try {
    await api('PUT', '/sandbox/faults', { latencyMinMs: latency, latencyMaxMs: latency, errorRates });
  } catch (e) {
    $('faults-state').textContent = `Not applied: ${e.message}`;
  }
}

// ---------- templates ----------

async function loadTemplates() {
  const templates = await api('GET', '/sandbox/templates');
  $('template-list').innerHTML = templates.map((t) => `<li data-template="${escapeHtml(t.name)}">
      <strong>${escapeHtml(t.name)}</strong> ${escapeHtml(t.language)} · ${escapeHtml(t.status)} · ${escapeHtml(t.quality)}<br>
      <button type="button" data-status="PAUSED">Pause</button><button type="button" data-status="DISABLED">Disable</button>
      <button type="button" data-status="APPROVED">Approve</button>
      <select aria-label="Category of ${escapeHtml(t.name)}">${['utility', 'marketing', 'authentication']
        .map((c) => `<option${c === t.category ? ' selected' : ''}>${c}</option>`).join('')}</select></li>`).join('');
}

async function changeTemplate(name, what, body) {
  $('template-error').textContent = '';
  try {
    await api('POST', `/sandbox/templates/${encodeURIComponent(name)}/${what}`, body);
    await loadTemplates();
  } catch (e) {
    $('template-error').textContent = e.message;
  }
}

$('template-list').addEventListener('click', (e) => {
  const status = e.target.dataset && e.target.dataset.status;
  if (status) changeTemplate(e.target.closest('li').dataset.template, 'status', { status });
});
$('template-list').addEventListener('change', (e) => {
  if (e.target.tagName === 'SELECT') {
    changeTemplate(e.target.closest('li').dataset.template, 'category', { category: e.target.value });
  }
});

// ---------- live updates ----------

let refreshing = null;
function refreshSoon() {
  // Coalesce bursts of events (sent, delivered, read within milliseconds) into one reload.
  if (refreshing) return;
  refreshing = setTimeout(async () => {
    refreshing = null;
    await Promise.all([loadCustomers(), loadThread()]).catch(() => {});
  }, 60);
}

function listen() {
  const events = new EventSource('/sandbox/console/events');
  events.onopen = () => document.body.dataset.live = 'true';
  events.onerror = () => document.body.dataset.live = 'false';
  events.onmessage = (e) => {
    const change = JSON.parse(e.data);
    if (change.kind === 'faults' || change.kind === 'reset') loadFaults();
    if (change.kind === 'templates' || change.kind === 'reset') loadTemplates().catch(() => {});
    if (change.kind === 'hello') document.body.dataset.live = 'true';
    refreshSoon();
  };
}

// ---------- start ----------

$('customer-form').addEventListener('submit', saveCustomer);
$('number-form').addEventListener('submit', changeNumber);
$('composer').addEventListener('submit', sendText);
$('stop').addEventListener('click', () => write({ text: 'STOP' }));
$('reads-toggle').addEventListener('change', toggleReads);
$('faults').addEventListener('submit', (e) => { e.preventDefault(); applyFaults($('storm').getAttribute('aria-pressed') === 'true'); });
$('storm').addEventListener('click', () => applyFaults($('storm').getAttribute('aria-pressed') !== 'true'));

await Promise.all([loadCustomers(), loadFaults(), loadTemplates()]);
const fromHash = decodeURIComponent(location.hash.slice(1));
if (fromHash) await select(fromHash);
listen();
