// The "Look closer" tabs: one panel open at a time; arrow keys, Home and End move between tabs.

import { $ } from "./format.js";

const tabs = [...document.querySelectorAll('[role="tab"]')];
const openers = {};   // tab id → what to do when its panel opens

export const onOpen = (tabId, open) => { openers[tabId] = open; };
export const panelOpen = (panelId) => !$(panelId).hidden;

export function selectTab(tab) {
  if (typeof tab === "string") tab = $(tab);
  for (const other of tabs) {
    const chosen = other === tab;
    other.setAttribute("aria-selected", String(chosen));
    other.tabIndex = chosen ? 0 : -1;
    $(other.getAttribute("aria-controls")).hidden = !chosen;
  }
  openers[tab.id]?.();
}

tabs.forEach((tab, i) => {
  tab.addEventListener("click", () => selectTab(tab));
  tab.addEventListener("keydown", (event) => {
    const next = { ArrowRight: i + 1, ArrowLeft: i - 1, Home: 0, End: tabs.length - 1 }[event.key];
    if (next === undefined) return;
    event.preventDefault();
    const target = tabs[(next + tabs.length) % tabs.length];
    target.focus();
    selectTab(target);
  });
});
