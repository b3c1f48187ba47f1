// The demo page: a chat client over the sandbox. Acting goes through the sandbox's control
// API (/_sandbox/...), what is shown is re-read whenever the server says something changed
// (server-sent events from /api/events).
"use strict";

const state = {
  demo: null, // {bot, office: {id, title}, personas: [...]}
  personaId: null, // the user the page acts as
  chatId: null, // the open chat: the office chat's id, or a persona's user id
  overview: {},
  messages: [],
  signature: "",
  clock: null, // {now, timezone, steps}
  clockOffset: 0, // demo time minus browser time, in ms
  replyTo: null, // {id, name, text}: the message the next text answers
  replyDismissed: new Set(),
  manualReply: null, // a message chosen (double-click) to reply to
};
let seen = {}; // chat id -> the newest message id read there, kept per demo instance
let seenKey = "lihui-demo-seen";
const $ = (id) => document.getElementById(id);

// -- talking to the server ------------------------------------------------------------------

async function api(method, path, body) {
  const response = await fetch(path, {
    method,
    headers: body ? { "Content-Type": "application/json" } : {},
    body: body ? JSON.stringify(body) : undefined,
  });
  const data = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(data.error || `HTTP ${response.status}`);
  return data;
}

function persona(id = state.personaId) {
  return state.demo.personas.find((p) => p.user_id === Number(id)) || null;
}

function isOffice(chatId = state.chatId) {
  return Number(chatId) === state.demo.office.id;
}

function nameOf(userId) {
  if (Number(userId) === state.demo.bot.id) return state.demo.bot.first_name;
  const p = persona(userId);
  return p ? p.first_name : String(userId);
}

// -- time -----------------------------------------------------------------------------------

const TZ = "Asia/Shanghai";

function formatTime(date, withDate = false) {
  const options = { timeZone: TZ, hour: "2-digit", minute: "2-digit", hourCycle: "h23" };
  if (withDate) Object.assign(options, { month: "short", day: "numeric", weekday: "short" });
  return new Intl.DateTimeFormat(currentLocale, options).format(date);
}

function formatDay(date) {
  return new Intl.DateTimeFormat(currentLocale, {
    timeZone: TZ, year: "numeric", month: "long", day: "numeric", weekday: "long",
  }).format(date);
}

function demoNow() {
  return new Date(Date.now() + state.clockOffset);
}

function renderClock() {
  if (!state.clock) return;
  const now = demoNow();
  const text = new Intl.DateTimeFormat(currentLocale, {
    timeZone: TZ, month: "short", day: "numeric", weekday: "short",
    hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23",
  }).format(now);
  $("clock-now").textContent = text;
}

async function refreshClock() {
  const clock = await api("GET", "/api/clock");
  state.clock = clock;
  state.clockOffset = Date.parse(clock.now) - Date.now();
  renderClock();
  renderSteps();
}

function renderSteps() {
  const box = $("step-buttons");
  box.replaceChildren();
  for (const stop of state.clock.steps) {
    const label = `» ${t(`step.${stop.step}`)} · ${formatTime(new Date(stop.at), true)}`;
    box.append(h("button", {
      type: "button",
      class: "step",
      dataset: { step: stop.step },
      onclick: () => moveClock({ step: stop.step }),
    }, label));
  }
  // Offer an hour from now, unless the person is choosing a later time already.
  const input = $("time-input");
  const inAnHour = localInputValue(new Date(demoNow().getTime() + 3600 * 1000));
  if (document.activeElement !== input && (!input.value || input.value < localInputValue(demoNow()))) {
    input.value = inAnHour;
  }
}

// "YYYY-MM-DDTHH:MM" in Beijing time, for <input type="datetime-local">.
function localInputValue(date) {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat("en-CA", {
      timeZone: TZ, year: "numeric", month: "2-digit", day: "2-digit",
      hour: "2-digit", minute: "2-digit", hourCycle: "h23",
    }).formatToParts(date).map((p) => [p.type, p.value]),
  );
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}`;
}

async function moveClock(body) {
  const panel = $("clock-panel");
  panel.classList.add("moving");
  $("clock-moving").hidden = false;
  try {
    await api("POST", "/api/clock", body);
    await refreshClock();
    toast(t("clock.moved", { time: formatTime(demoNow(), true) }));
  } catch (error) {
    const known = { past: "clock.past", busy: "clock.busy" };
    toast(t(known[error.message] || "clock.bad_time"));
  } finally {
    panel.classList.remove("moving");
    $("clock-moving").hidden = true;
  }
}

// -- the chat list --------------------------------------------------------------------------

const SECTIONS = [
  ["director", ["director", "staff", "member"]],
  ["contact", ["contact"]],
  ["deputy", ["deputy"]],
  ["stranger", ["stranger"]],
];

function previewText(last) {
  if (!last) return t("chat.not_started");
  const who = last.from_id === state.demo.bot.id ? "" : `${nameOf(last.from_id)}: `;
  if (last.kind === "service") return t("preview.service");
  const marker = last.kind === "photo" ? t("preview.photo") : last.kind === "document" ? t("preview.document") : "";
  return `${who}${marker}${marker && last.text ? " " : ""}${last.text.split("\n")[0]}`;
}

function chatItem(chatId, title, subtitle, avatarNode) {
  const info = state.overview[String(chatId)] || { count: 0, newest_id: 0, last: null };
  const unread = Math.max(0, info.newest_id - (seen[chatId] || 0));
  const active = Number(chatId) === Number(state.chatId);
  const time = info.last ? formatTime(new Date(info.last.date * 1000)) : "";
  return h("button", {
    type: "button",
    class: `chat-item${active ? " active" : ""}`,
    dataset: { chat: chatId },
    onclick: () => openChat(chatId),
  },
  avatarNode,
  h("span", { class: "chat-item-body" },
    h("span", { class: "chat-item-top" },
      h("span", { class: "chat-item-title" }, title),
      h("span", { class: "chat-item-time" }, time)),
    h("span", { class: "chat-item-sub" }, subtitle),
    h("span", { class: "chat-item-bottom" },
      h("span", { class: "chat-item-preview" }, previewText(info.last)),
      unread && !active ? h("span", { class: "badge" }, String(unread)) : null)));
}

function renderChatList() {
  const list = $("chat-list");
  const office = state.demo.office;
  const nodes = [
    h("div", { class: "section" }, t("section.office")),
    chatItem(office.id, office.title, t("chat.office_subtitle", {
      count: state.demo.personas.filter((p) => p.in_office).length + 1, bot: state.demo.bot.username,
    }), avatar(office.title, 3, "group")),
  ];
  for (const [section, roles] of SECTIONS) {
    const people = state.demo.personas.filter((p) => roles.includes(p.role));
    if (!people.length) continue;
    nodes.push(h("div", { class: "section" }, t(`section.${section}`)));
    for (const p of people) {
      const sub = [t(`role.${p.role}`), ...p.groups].join(" · ");
      nodes.push(chatItem(p.user_id, p.first_name, sub, avatar(p.first_name, p.user_id)));
    }
  }
  // Only the entries that changed are replaced. The list is drawn again on every change
  // anywhere in the demo, and an entry replaced under the pointer loses the tap: press and
  // release land on two different buttons, and no click fires.
  const old = [...list.children];
  if (old.length !== nodes.length) {
    const scroll = list.scrollTop;
    list.replaceChildren(...nodes);
    list.scrollTop = scroll;
    return;
  }
  nodes.forEach((node, i) => {
    if (old[i].outerHTML !== node.outerHTML) old[i].replaceWith(node);
  });
}

function renderPersonaSelect() {
  const select = $("persona-select");
  select.replaceChildren(
    ...state.demo.personas.map((p) => {
      const groups = p.groups.length ? ` · ${p.groups.join("、")}` : "";
      return h("option", { value: p.user_id }, `${p.first_name} — ${t(`role.${p.role}`)}${groups}`);
    }),
  );
  select.value = String(state.personaId);
}

// -- one chat -------------------------------------------------------------------------------

function openChat(chatId) {
  state.chatId = Number(chatId);
  if (!isOffice()) state.personaId = Number(chatId);
  else if (!persona().in_office) {
    state.personaId = state.demo.personas.find((p) => p.role === "director").user_id;
  }
  localStorage.setItem("lihui-demo-chat", String(state.chatId));
  localStorage.setItem("lihui-demo-persona", String(state.personaId));
  state.replyTo = null;
  state.manualReply = null;
  state.signature = "";
  $("app").classList.replace("show-list", "show-chat");
  renderPersonaSelect();
  renderHeader();
  refreshMessages(true);
  renderChatList();
  $("input").focus({ preventScroll: true });
}

function choosePersona(userId) {
  state.personaId = Number(userId);
  if (isOffice() && persona().in_office) {
    localStorage.setItem("lihui-demo-persona", String(state.personaId));
    state.signature = "";
    renderHeader();
    refreshMessages(true);
  } else {
    openChat(state.personaId);
  }
}

function renderHeader() {
  const office = isOffice();
  const p = persona();
  const title = office ? state.demo.office.title : p.first_name;
  $("chat-title").textContent = title;
  $("chat-subtitle").textContent = office
    ? t("chat.office_subtitle", {
      count: state.demo.personas.filter((x) => x.in_office).length + 1, bot: state.demo.bot.username,
    })
    : t("chat.private_subtitle", { bot: state.demo.bot.username });
  $("chat-avatar").replaceWith(
    Object.assign(avatar(title, office ? 3 : p.user_id, office ? "group" : ""), { id: "chat-avatar" }),
  );
  $("chat-as").textContent = t("persona.you", { name: p.first_name });
}

async function refreshMessages(scrollToEnd = false) {
  const chatId = state.chatId;
  let data;
  try {
    data = await api("GET", `/_sandbox/chats/${chatId}/messages`);
  } catch {
    data = { messages: [] }; // a private chat that has not started yet
  }
  if (chatId !== state.chatId) return;
  const box = $("messages");
  const stick = scrollToEnd || box.scrollHeight - box.scrollTop - box.clientHeight < 80;
  const signature = `${state.personaId}|${currentLocale}|` +
    data.messages.map((m) => `${m.message.message_id}.${m.version}`).join(",");
  state.messages = data.messages;
  if (signature !== state.signature) {
    state.signature = signature;
    renderMessages(scrollToEnd);
  }
  markSeen();
  updateReplyState();
  if (stick) box.scrollTop = box.scrollHeight; // the reply bar may have taken some height
}

function markSeen() {
  const newest = state.messages.length ? state.messages[state.messages.length - 1].message.message_id : 0;
  if (newest && (seen[state.chatId] || 0) < newest) {
    seen[state.chatId] = newest;
    localStorage.setItem(seenKey, JSON.stringify(seen));
    renderChatList();
  }
}

const hooks = {
  command: (text) => sendText(text),
  link: (event, href) => {
    if (openDeepLink(href)) event.preventDefault();
  },
};

function renderMessages(scrollToEnd) {
  const box = $("messages");
  const atEnd = box.scrollHeight - box.scrollTop - box.clientHeight < 80;
  const nodes = [];
  let lastDay = "";
  for (const view of state.messages) {
    const message = view.message;
    const day = formatDay(new Date(message.date * 1000));
    if (day !== lastDay) {
      nodes.push(h("div", { class: "day" }, h("span", {}, day)));
      lastDay = day;
    }
    nodes.push(renderMessage(view));
  }
  if (!nodes.length) nodes.push(h("div", { class: "empty" }, t("chat.empty")));
  box.replaceChildren(...nodes);
  if (scrollToEnd || atEnd) box.scrollTop = box.scrollHeight;
  for (const img of box.querySelectorAll("img")) {
    img.addEventListener("load", () => {
      if (scrollToEnd || atEnd) box.scrollTop = box.scrollHeight;
    }, { once: true });
  }
}

function serviceText(message) {
  const actor = nameOf(message.from.id);
  if (message.new_chat_members) {
    const names = message.new_chat_members.map((u) => u.first_name).join("、");
    const self = message.new_chat_members.some((u) => u.id === message.from.id);
    return self ? t("msg.joined_self", { names }) : t("msg.joined", { actor, names });
  }
  return t("msg.left", { name: message.left_chat_member.first_name });
}

function renderMessage(view) {
  const message = view.message;
  if (message.new_chat_members || message.left_chat_member) {
    return h("div", { class: "service", dataset: { id: message.message_id } }, h("span", {}, serviceText(message)));
  }
  const own = message.from.id === state.personaId;
  const fromBot = view.from_bot;
  const bubble = h("div", { class: "bubble" });
  if (isOffice() && !own) {
    bubble.append(h("div", { class: `sender${fromBot ? " bot" : ""}` }, message.from.first_name,
      fromBot ? h("span", { class: "bot-tag" }, t("msg.bot")) : null));
  }
  if (message.reply_to_message) {
    const quoted = message.reply_to_message;
    bubble.append(h("div", { class: "quote" },
      h("div", { class: "quote-name" }, quoted.from.first_name),
      h("div", { class: "quote-text" }, (quoted.text || quoted.caption || t("preview.photo")).split("\n")[0])));
  }
  if (message.photo) {
    const largest = message.photo[message.photo.length - 1];
    const src = `/api/files/${encodeURIComponent(largest.file_id)}`;
    bubble.classList.add("has-photo");
    // Width and height up front: the bubble has its size before the image arrives, so the
    // chat does not jump as pictures load.
    bubble.append(h("a", { href: src, target: "_blank", rel: "noopener", class: "photo-link" },
      h("img", {
        class: "photo", src, alt: message.caption || "photo",
        width: largest.width, height: largest.height,
      })));
  }
  if (message.document) {
    const doc = message.document;
    const name = doc.file_name || "document";
    const href = `/api/files/${encodeURIComponent(doc.file_id)}`;
    const ext = (name.split(".").pop() || "").slice(0, 4).toUpperCase();
    bubble.append(h("a", { class: "document", href, download: name },
      h("span", { class: "doc-icon" }, ext || "📄"),
      h("span", { class: "doc-body" },
        h("span", { class: "doc-name" }, name),
        h("span", { class: "doc-size" }, `${formatSize(doc.file_size)} · ${t("msg.download")}`))));
  }
  const text = message.text ?? message.caption;
  const entities = message.entities ?? message.caption_entities;
  if (text) bubble.append(h("div", { class: "text" }, renderText(text, entities, hooks)));
  bubble.append(h("div", { class: "meta" },
    message.edit_date ? h("span", { class: "edited" }, t("msg.edited")) : null,
    formatTime(new Date(message.date * 1000))));
  const row = h("div", {
    class: `msg ${own ? "out" : "in"}${fromBot ? " from-bot" : ""}`,
    dataset: { id: message.message_id, version: view.version },
  });
  // Double-click a message to reply to it, as a swipe or "Reply" does in Telegram.
  bubble.title = t("msg.reply_hint");
  bubble.addEventListener("dblclick", () => {
    state.manualReply = {
      id: message.message_id, name: message.from.first_name,
      text: message.text || message.caption || "",
    };
    updateReplyState();
    $("input").focus();
  });
  if (!own) row.append(avatar(message.from.first_name, message.from.id, "small"));
  const column = h("div", { class: "column" }, bubble);
  const keyboard = (message.reply_markup || {}).inline_keyboard;
  if (keyboard) column.append(renderKeyboard(message, keyboard));
  row.append(column);
  return row;
}

function renderKeyboard(message, rows) {
  return h("div", { class: "keyboard" }, rows.map((row) => h("div", { class: "kb-row" },
    row.map((button) => h("button", {
      type: "button",
      class: `kb-button${button.url ? " url" : ""}`,
      onclick: (event) => pressButton(event.currentTarget, message, button),
    }, button.text, button.url ? h("span", { class: "kb-arrow" }, "↗") : null)))));
}

async function pressButton(node, message, button) {
  if (button.url) {
    if (!openDeepLink(button.url)) {
      const href = safeUrl(button.url);
      if (href) window.open(href, "_blank", "noopener");
    }
    return;
  }
  if (button.callback_data === undefined) {
    toast(t("button.unsupported"));
    return;
  }
  node.classList.add("pending");
  try {
    const query = await api("POST", "/_sandbox/callbacks", {
      user_id: state.personaId,
      chat_id: state.chatId,
      button_text: button.text,
      message_id: message.message_id,
    });
    const answer = await waitForAnswer(query.callback_query_id);
    if (answer && answer.text) {
      if (answer.show_alert) showAlert(answer.text);
      else toast(answer.text);
    }
  } catch (error) {
    toast(t("error.send", { error: error.message }));
  } finally {
    node.classList.remove("pending");
  }
}

async function waitForAnswer(queryId) {
  for (let i = 0; i < 60; i += 1) {
    const result = await api("GET", `/_sandbox/callbacks/${queryId}`);
    if (result.answered) return result.answer;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  toast(t("button.waiting"));
  return null;
}

// A t.me link to this bot with ?start=PAYLOAD opens the private chat and sends /start PAYLOAD,
// as Telegram does. Returns whether the link was one.
function openDeepLink(url) {
  let parsed;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  const host = parsed.hostname.replace(/^www\./, "");
  const bot = parsed.pathname.replace(/^\//, "").split("/")[0].toLowerCase();
  if (!["t.me", "telegram.me"].includes(host) || bot !== state.demo.bot.username.toLowerCase()) {
    return false;
  }
  const payload = parsed.searchParams.get("start");
  openChat(state.personaId);
  sendText(payload ? `/start ${payload}` : "/start");
  return true;
}

// -- writing --------------------------------------------------------------------------------

// Telegram answers a ForceReply prompt by replying to it: the newest bot message asking for a
// reply, unless the person has written since or dismissed it.
function updateReplyState() {
  let target = null;
  for (const view of state.messages) {
    const message = view.message;
    if (message.from.id === state.personaId) target = null;
    const markup = view.reply_markup || {};
    if (view.from_bot && markup.force_reply && !state.replyDismissed.has(`${state.chatId}.${message.message_id}`)) {
      target = { id: message.message_id, name: message.from.first_name, text: message.text || "", placeholder: markup.input_field_placeholder };
    }
  }
  if (state.manualReply) target = state.manualReply;
  state.replyTo = target;
  $("reply-bar").hidden = !target;
  if (target) {
    $("reply-to-name").textContent = t("composer.reply_to", { name: target.name });
    $("reply-to-text").textContent = target.text.split("\n")[0];
  }
  $("input").placeholder = (target && target.placeholder) || t("composer.placeholder");
  renderReplyKeyboard();
}

function renderReplyKeyboard() {
  let keyboard = null;
  for (const view of state.messages) {
    const markup = view.reply_markup || {};
    if (!view.from_bot) continue;
    if (markup.keyboard) keyboard = markup.keyboard;
    if (markup.remove_keyboard) keyboard = null;
  }
  const box = $("reply-keyboard");
  box.hidden = !keyboard;
  box.replaceChildren(...(keyboard || []).map((row) => h("div", { class: "kb-row" },
    row.map((button) => {
      const label = typeof button === "string" ? button : button.text;
      return h("button", { type: "button", class: "kb-button", onclick: () => sendText(label) }, label);
    }))));
}

async function sendText(text) {
  const body = { user_id: state.personaId, chat_id: state.chatId, text };
  if (state.replyTo) body.reply_to_message_id = state.replyTo.id;
  try {
    await api("POST", "/_sandbox/messages", body);
    state.manualReply = null;
    await refreshMessages(true);
    return true;
  } catch (error) {
    toast(t("error.send", { error: error.message }));
    return false;
  }
}

async function sendPhoto(file) {
  const data = await new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result).split(",", 2)[1]);
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(file);
  });
  const caption = $("input").value.trim();
  const body = {
    user_id: state.personaId, chat_id: state.chatId, kind: "photo",
    data_base64: data, file_name: file.name, mime_type: file.type,
  };
  if (caption) body.caption = caption;
  if (state.replyTo) body.reply_to_message_id = state.replyTo.id;
  try {
    await api("POST", "/_sandbox/files", body);
    $("input").value = "";
    await refreshMessages(true);
  } catch (error) {
    toast(t("error.send", { error: error.message }));
  }
}

// -- small pieces ---------------------------------------------------------------------------

let toastTimer = null;
function toast(text) {
  const node = $("toast");
  node.textContent = text;
  node.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { node.hidden = true; }, 3500);
}

function showAlert(text) {
  $("alert-text").textContent = text;
  $("alert").showModal();
}

let refreshTimer = null;
function scheduleRefresh() {
  clearTimeout(refreshTimer);
  refreshTimer = setTimeout(refreshAll, 80);
}

async function refreshAll() {
  const overview = await api("GET", "/api/overview");
  state.overview = overview.chats;
  $("bot-banner").hidden = overview.bot === "running";
  renderChatList();
  await refreshMessages();
  await refreshClock();
}

function listen() {
  const events = new EventSource("/api/events");
  events.onmessage = scheduleRefresh;
  events.onerror = () => setTimeout(scheduleRefresh, 1000);
}

function wire() {
  $("composer").addEventListener("submit", async (event) => {
    event.preventDefault();
    const input = $("input");
    const text = input.value;
    if (!text.trim()) return;
    input.value = "";
    if (!(await sendText(text))) input.value = text;
    input.focus();
  });
  $("input").addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      $("composer").requestSubmit();
    }
  });
  $("attach").addEventListener("click", () => $("photo-input").click());
  $("photo-input").addEventListener("change", (event) => {
    const [file] = event.target.files;
    if (file) sendPhoto(file);
    event.target.value = "";
  });
  $("reply-cancel").addEventListener("click", () => {
    if (state.replyTo) state.replyDismissed.add(`${state.chatId}.${state.replyTo.id}`);
    state.manualReply = null;
    updateReplyState();
  });
  $("persona-select").addEventListener("change", (event) => choosePersona(event.target.value));
  $("back").addEventListener("click", () => $("app").classList.replace("show-chat", "show-list"));
  $("lang-toggle").addEventListener("click", () => {
    setLocale(currentLocale === "en" ? "zh-CN" : "en");
    renderAll();
  });
  $("clock-toggle").addEventListener("click", () => {
    showClockPanel($("clock-panel").hidden);
    localStorage.setItem("lihui-demo-clock-panel", $("clock-panel").hidden ? "closed" : "open");
  });
  // Open at first on a laptop, so a newcomer finds how to move the week along.
  const wide = window.matchMedia("(min-width: 760px)").matches;
  const remembered = localStorage.getItem("lihui-demo-clock-panel");
  showClockPanel(remembered ? remembered === "open" : wide);
  $("time-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const value = $("time-input").value;
    const offset = state.clock.now.slice(-6); // "+08:00"
    moveClock({ at: `${value}:00${offset}` });
  });
  setInterval(renderClock, 1000);
}

function showClockPanel(shown) {
  $("clock-panel").hidden = !shown;
  $("clock-toggle").setAttribute("aria-expanded", String(shown));
}

function renderAll() {
  renderPersonaSelect();
  renderChatList();
  renderHeader();
  state.signature = "";
  refreshMessages();
  if (state.clock) renderSteps();
}

async function start() {
  applyStaticText();
  state.demo = await api("GET", "/api/demo");
  seenKey = `lihui-demo-seen-${state.demo.instance}`;
  const saved = localStorage.getItem(seenKey);
  seen = saved ? JSON.parse(saved) : null;
  const ids = state.demo.personas.map((p) => p.user_id);
  const savedPersona = Number(localStorage.getItem("lihui-demo-persona"));
  const savedChat = Number(localStorage.getItem("lihui-demo-chat"));
  state.personaId = ids.includes(savedPersona) ? savedPersona : state.demo.personas[0].user_id;
  state.chatId = [state.demo.office.id, ...ids].includes(savedChat) ? savedChat : state.demo.office.id;
  if (!isOffice()) state.personaId = state.chatId;
  if (window.matchMedia("(min-width: 760px)").matches) $("app").classList.replace("show-list", "show-chat");
  wire();
  if (seen === null) {
    // A first visit: what was said before the demo began counts as read.
    seen = {};
    const overview = await api("GET", "/api/overview");
    for (const [chatId, info] of Object.entries(overview.chats)) seen[chatId] = info.newest_id;
    localStorage.setItem(seenKey, JSON.stringify(seen));
  }
  renderAll();
  await refreshAll();
  listen();
}

window.addEventListener("DOMContentLoaded", start);
