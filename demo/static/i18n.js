// The page's own words, Chinese first. (What the bot says comes from the bot's catalog.)
"use strict";

const MESSAGES = {
  "zh-CN": {
    "brand.title": "例会助手",
    "brand.subtitle": "演示 · 本地沙盒，无需令牌和网络",
    "clock.label": "演示时钟",
    "clock.toggle": "拨动时钟",
    "clock.next_steps": "跳到下一个定时环节：",
    "clock.chosen_time": "跳到指定时间：",
    "clock.jump": "跳转",
    "clock.forward_only": "（时钟只能向前拨，北京时间）",
    "clock.moved": "时钟已拨到 {time}",
    "clock.past": "时钟只能向前拨。",
    "clock.busy": "时钟正在拨动，请稍候。",
    "clock.moving": "正在拨动时钟，途经的每个环节都会依次发生……",
    "clock.bad_time": "请填写一个有效的时间。",
    "step.open": "开放填报",
    "step.remind": "催报提醒",
    "step.monthly": "月度总结",
    "step.deadline": "填报截止",
    "step.summary": "周一通报",
    "step.agenda": "例会议程",
    "persona.label": "当前身份",
    "persona.you": "你正以 {name} 的身份发言",
    "role.director": "办公室主任",
    "role.staff": "办公室工作人员",
    "role.member": "办公室成员",
    "role.contact": "联络员",
    "role.deputy": "备用联络员",
    "role.stranger": "访客（未登记）",
    "section.office": "工作群",
    "section.director": "办公室",
    "section.contact": "联络员",
    "section.deputy": "备用联络员",
    "section.stranger": "其他",
    "chat.office_subtitle": "{count} 位成员 · 含机器人 @{bot}",
    "chat.private_subtitle": "与机器人 @{bot} 的私聊",
    "chat.not_started": "尚未开始对话",
    "chat.empty": "还没有消息。发送 /start 开始与机器人对话。",
    "chat.not_member": "{name} 不在工作群中",
    "preview.photo": "[图片]",
    "preview.document": "[文件]",
    "preview.service": "[群组通知]",
    "msg.edited": "已编辑",
    "msg.reply_hint": "双击回复这条消息",
    "msg.joined": "{actor} 邀请 {names} 加入了群组",
    "msg.joined_self": "{names} 加入了群组",
    "msg.left": "{name} 离开了群组",
    "msg.download": "下载",
    "msg.bot": "机器人",
    "composer.placeholder": "输入消息…",
    "composer.send": "发送",
    "composer.attach": "发送图片",
    "composer.reply_to": "回复 {name}",
    "button.waiting": "机器人尚未响应按钮。",
    "button.unsupported": "演示中不支持这种按钮。",
    "bot.restarting": "机器人正在重新启动……",
    "error.send": "发送失败：{error}",
    "alert.ok": "确定",
    "lang.switch": "English",
    "date.today": "今天",
  },
  en: {
    "brand.title": "lihui",
    "brand.subtitle": "Demo · local sandbox, no token, no network",
    "clock.label": "Demo clock",
    "clock.toggle": "Move the clock",
    "clock.next_steps": "Jump to the next scheduled step:",
    "clock.chosen_time": "Jump to a chosen time:",
    "clock.jump": "Jump",
    "clock.forward_only": "(forward only, Beijing time)",
    "clock.moved": "Clock moved to {time}",
    "clock.past": "The clock only moves forward.",
    "clock.busy": "The clock is moving; please wait.",
    "clock.moving": "Moving the clock; every step on the way happens in turn…",
    "clock.bad_time": "Please enter a valid time.",
    "step.open": "Reports open",
    "step.remind": "Reminder",
    "step.monthly": "Monthly summary",
    "step.deadline": "Deadline",
    "step.summary": "Monday summary",
    "step.agenda": "Agenda",
    "persona.label": "Acting as",
    "persona.you": "You are writing as {name}",
    "role.director": "Office director",
    "role.staff": "Office staff",
    "role.member": "Office member",
    "role.contact": "Contact",
    "role.deputy": "Deputy contact",
    "role.stranger": "Visitor (not on the roster)",
    "section.office": "Office chat",
    "section.director": "Office",
    "section.contact": "Contacts",
    "section.deputy": "Deputy contacts",
    "section.stranger": "Others",
    "chat.office_subtitle": "{count} members · with the bot @{bot}",
    "chat.private_subtitle": "Private chat with the bot @{bot}",
    "chat.not_started": "No messages yet",
    "chat.empty": "No messages yet. Send /start to talk to the bot.",
    "chat.not_member": "{name} is not in the office chat",
    "preview.photo": "[Photo]",
    "preview.document": "[File]",
    "preview.service": "[Group notice]",
    "msg.edited": "edited",
    "msg.reply_hint": "Double-click to reply",
    "msg.joined": "{actor} added {names}",
    "msg.joined_self": "{names} joined the group",
    "msg.left": "{name} left the group",
    "msg.download": "Download",
    "msg.bot": "bot",
    "composer.placeholder": "Write a message…",
    "composer.send": "Send",
    "composer.attach": "Send a photo",
    "composer.reply_to": "Reply to {name}",
    "button.waiting": "The bot has not answered the button yet.",
    "button.unsupported": "This kind of button is not supported in the demo.",
    "bot.restarting": "The bot is restarting…",
    "error.send": "Could not send: {error}",
    "alert.ok": "OK",
    "lang.switch": "中文",
    "date.today": "Today",
  },
};

let currentLocale = localStorage.getItem("lihui-demo-locale") === "en" ? "en" : "zh-CN";

function t(key, params = {}) {
  const text = MESSAGES[currentLocale][key] ?? MESSAGES["zh-CN"][key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => String(params[name] ?? ""));
}

function setLocale(locale) {
  currentLocale = locale;
  localStorage.setItem("lihui-demo-locale", locale);
  applyStaticText();
}

function applyStaticText() {
  document.documentElement.lang = currentLocale;
  document.title = currentLocale === "en" ? "lihui · demo" : "例会助手 · 演示";
  for (const node of document.querySelectorAll("[data-i18n]")) {
    node.textContent = t(node.dataset.i18n);
  }
  for (const node of document.querySelectorAll("[data-i18n-placeholder]")) {
    node.placeholder = t(node.dataset.i18nPlaceholder);
  }
  for (const node of document.querySelectorAll("[data-i18n-title]")) {
    node.title = t(node.dataset.i18nTitle);
  }
  document.getElementById("lang-toggle").textContent = t("lang.switch");
}
