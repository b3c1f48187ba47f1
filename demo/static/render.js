// Messages as Telegram shows them: text plus entities, turned into DOM nodes.
// Never innerHTML: every piece of text becomes a text node, so nothing a person or the bot
// writes can inject markup. Entity offsets count UTF-16 code units, as JavaScript strings do.
"use strict";

function h(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else if (key === "dataset") Object.assign(node.dataset, value);
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

const SAFE_SCHEMES = ["http:", "https:", "tg:", "mailto:"];

function safeUrl(url) {
  try {
    const parsed = new URL(url, window.location.href);
    return SAFE_SCHEMES.includes(parsed.protocol) ? parsed.href : null;
  } catch {
    return null;
  }
}

// One wrapper element per entity kind; `hooks` handles clicks that act in the chat.
function wrapEntity(entity, inner, text, hooks) {
  switch (entity.type) {
    case "bold":
      return h("strong", {}, inner);
    case "italic":
      return h("em", {}, inner);
    case "underline":
      return h("u", {}, inner);
    case "strikethrough":
      return h("s", {}, inner);
    case "spoiler":
      return h("span", { class: "spoiler", onclick: (e) => e.currentTarget.classList.add("shown") }, inner);
    case "code":
      return h("code", {}, inner);
    case "pre":
      return h("pre", { class: "pre" }, h("code", {}, inner));
    case "blockquote":
    case "expandable_blockquote":
      return h("blockquote", {}, inner);
    case "text_link":
    case "url": {
      const target = entity.type === "url" ? text : entity.url;
      const href = safeUrl(/^[a-z]+:/i.test(target) ? target : `https://${target}`);
      if (!href) return h("span", {}, inner);
      return h("a", {
        href,
        target: "_blank",
        rel: "noopener noreferrer",
        onclick: (event) => hooks.link(event, href),
      }, inner);
    }
    case "bot_command":
      return h("a", {
        class: "command",
        href: "#",
        onclick: (event) => {
          event.preventDefault();
          hooks.command(text);
        },
      }, inner);
    case "mention":
    case "text_mention":
    case "hashtag":
    case "cashtag":
    case "email":
    case "phone_number":
      return h("span", { class: "mention" }, inner);
    default:
      return h("span", {}, inner);
  }
}

// Telegram apps also mark commands and links the sender did not mark (a bot's HTML text
// carries only the tags it wrote); find those, where no entity already covers the text.
const AUTO_PATTERNS = [
  ["bot_command", /(^|[\s(（])(\/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?)(?![A-Za-z0-9_@])/g],
  ["url", /(^|[\s(（])(https?:\/\/[^\s<>()（）]+)/g],
];

function autoEntities(text, entities) {
  const taken = (start, end) => entities.some((e) => e.offset < end && start < e.offset + e.length);
  const found = [];
  for (const [type, pattern] of AUTO_PATTERNS) {
    for (const match of text.matchAll(pattern)) {
      const offset = match.index + match[1].length;
      const length = match[2].length;
      if (!taken(offset, offset + length)) found.push({ type, offset, length });
    }
  }
  return [...entities, ...found];
}

// Split the text at every entity boundary; each piece is wrapped, outermost entity first,
// in the entities covering it. Overlapping and nested entities both come out right.
function renderText(text, entities, hooks) {
  const fragment = document.createDocumentFragment();
  if (!text) return fragment;
  const list = autoEntities(text, entities || [])
    .filter((e) => e.length > 0)
    .sort((a, b) => a.offset - b.offset || b.length - a.length);
  const cuts = new Set([0, text.length]);
  for (const e of list) {
    cuts.add(Math.min(e.offset, text.length));
    cuts.add(Math.min(e.offset + e.length, text.length));
  }
  const points = [...cuts].sort((a, b) => a - b);
  for (let i = 0; i < points.length - 1; i += 1) {
    const start = points[i];
    const end = points[i + 1];
    let node = document.createTextNode(text.slice(start, end));
    const covering = list.filter((e) => e.offset <= start && e.offset + e.length >= end);
    for (const entity of covering.reverse()) {
      const whole = text.slice(entity.offset, entity.offset + entity.length);
      node = wrapEntity(entity, node, whole, hooks);
    }
    fragment.append(node);
  }
  return fragment;
}

function formatSize(bytes) {
  if (!bytes && bytes !== 0) return "";
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

const AVATAR_COLOURS = ["#e17076", "#7bc862", "#65aadd", "#a695e7", "#ee7aae", "#6ec9cb", "#faa774"];

function avatar(name, id, extraClass = "") {
  const first = Array.from(name || "?")[0];
  const colour = AVATAR_COLOURS[Math.abs(Number(id) || 0) % AVATAR_COLOURS.length];
  return h("span", { class: `avatar ${extraClass}`, style: `background:${colour}` }, first);
}
