// adminui's small client side: toasts, dialogs, menus and keyboard shortcuts. Every page works
// without it; htmx and this file only make it smoother. No inline script anywhere (CSP).
"use strict";

(function () {
  // Menus that are <details> (they open without JavaScript); with it, Esc or a click elsewhere
  // closes them.
  const OPEN_MENUS = "details.row-menu[open], details.env-switcher[open]";

  // Messages from the server arrive rendered (out of band for htmx, see adminui/web/toasts.py).
  // Only what the server cannot say (it was not reached, or the clipboard) is shown from here,
  // in a copy of the server's toast markup (base.html's #toast-template).
  function showToast(text, level = "error") {
    const template = document.getElementById("toast-template");
    const toast = template.content.firstElementChild.cloneNode(true);
    toast.classList.replace("toast-info", "toast-" + level);
    toast.setAttribute("role", level === "error" ? "alert" : "status");
    toast.querySelector("span").textContent = text;
    document.getElementById("toasts").append(toast);
    enhance(toast);
  }

  function autohide(toast) {
    if (toast.classList.contains("toast-error")) return; // errors stay until dismissed
    setTimeout(() => toast.remove(), 6000);
  }

  document.addEventListener("change", (event) => {
    if (event.target.matches(".toast-dismiss")) event.target.closest(".toast").remove();
  });
  document.addEventListener("click", (event) => {
    // Only inside a dialog: on the full page (no JavaScript needed) Cancel is a plain link.
    const closer = event.target.closest("dialog [data-close-dialog]");
    if (closer) {
      event.preventDefault();
      closer.closest("dialog").close(); // a fetched dialog then removes itself (enhance)
    }
    if (event.target.closest('a[href="#shortcuts"]')) {
      event.preventDefault();
      openShortcuts();
    }
    // A click anywhere else closes an open row menu or the environment menu, as menus do.
    document.querySelectorAll(OPEN_MENUS).forEach((menu) => {
      if (!menu.contains(event.target)) menu.open = false;
    });
  });

  // The shortcut sheet is server-rendered in base.html; "?" or its link opens it as a modal.
  function openShortcuts() {
    const sheet = document.getElementById("shortcuts");
    if (sheet && !sheet.open) sheet.showModal();
  }

  // Elements matching `selector` in root, root itself included (htmx:load hands us the new node).
  function within(root, selector) {
    const found = [...root.querySelectorAll(selector)];
    return root.matches?.(selector) ? [root, ...found] : found;
  }

  function enhance(root) {
    within(root, "[data-autohide]").forEach((toast) => {
      toast.removeAttribute("data-autohide");
      autohide(toast);
    });
    // Dialogs fetched by htmx open as modals (spookylukey's data-onload-showmodal pattern).
    within(root, "dialog[data-onload-showmodal]").forEach((dialog) => {
      dialog.removeAttribute("data-onload-showmodal");
      dialog.addEventListener("close", () => dialog.remove());
      dialog.showModal();
    });
  }

  document.addEventListener("DOMContentLoaded", () => enhance(document));
  document.addEventListener("htmx:load", (event) => enhance(event.detail.elt));

  // A result that arrives elsewhere on the page (the branches of a repository, an account's
  // conversion actions) is brought into view and focused: its heading says data-focus-on-swap.
  document.addEventListener("htmx:load", (event) => {
    if (event.detail.elt === document.body) return; // the page itself: nothing was swapped
    const heading = within(event.detail.elt, "[data-focus-on-swap]")[0];
    if (heading) heading.focus();
  });

  // A row's link that opens the next panel (cells/_open.html) swaps only that panel: mark its
  // row as the chosen one here, as the server does when it renders the whole page.
  document.addEventListener("htmx:afterRequest", (event) => {
    const link = event.detail.elt;
    if (!event.detail.successful || !link.matches?.("[data-opens-row]")) return;
    const row = link.closest("tr");
    row.parentElement.querySelectorAll("tr[aria-current]").forEach((other) => {
      other.removeAttribute("aria-current");
    });
    row.setAttribute("aria-current", "true");
  });

  // The server swaps its error panels in place; these cover what it cannot answer.
  document.addEventListener("htmx:sendError", () =>
    showToast("The portal could not be reached. Check your connection and try again."));
  document.addEventListener("htmx:timeout", () =>
    showToast("The portal took too long to answer. Try again."));
  document.addEventListener("htmx:responseError", (event) => {
    const xhr = event.detail.xhr;
    if (!xhr.responseText) showToast("The request failed (HTTP " + xhr.status + "). Try again.");
  });

  // The API key's placeholder follows the chosen provider (sk-..., sk-ant-..., ...).
  document.addEventListener("change", (event) => {
    const select = event.target.closest("select[data-placeholder-for]");
    if (!select) return;
    const input = document.getElementById(select.dataset.placeholderFor);
    const option = select.selectedOptions[0];
    if (input && option) input.placeholder = option.dataset.placeholder || "";
  });

  // Keyboard: "/" focuses the page's search box; "g" then a letter follows data-shortcut links.
  let pendingG = false;
  document.addEventListener("keydown", (event) => {
    const typing = event.target.closest("input, textarea, select, [contenteditable]");
    if (event.key === "Escape") {
      document.querySelectorAll(OPEN_MENUS).forEach((menu) => (menu.open = false));
    }
    if (typing || event.metaKey || event.ctrlKey || event.altKey) return;
    if (event.key === "?") {
      event.preventDefault();
      openShortcuts();
      return;
    }
    if (event.key === "/") {
      const search = document.querySelector("[data-search]");
      if (search) {
        event.preventDefault();
        search.focus();
      }
      return;
    }
    if (pendingG) {
      pendingG = false;
      const link = document.querySelector('[data-shortcut="g ' + event.key + '"]');
      if (link) link.click();
      return;
    }
    pendingG = event.key === "g";
    if (pendingG) setTimeout(() => (pendingG = false), 1500); // "g" alone does nothing
  });

  // --- Integrations: "Copy ids" puts the data-id values of a list on the clipboard. -----------
  // The buttons stay hidden without JavaScript, and where the browser offers no Clipboard API
  // (it does only on https and localhost): the CSV/JSON exports work everywhere.
  function revealCopyButtons(root) {
    if (!navigator.clipboard) return;
    within(root, "[data-copy-ids][hidden]").forEach((button) => { button.hidden = false; });
  }
  document.addEventListener("DOMContentLoaded", () => revealCopyButtons(document));
  document.addEventListener("htmx:load", (event) => revealCopyButtons(event.detail.elt));

  document.addEventListener("click", (event) => {
    const button = event.target.closest("[data-copy-ids]");
    if (!button) return;
    const list = document.querySelector(button.dataset.copyIds);
    const ids = [...new Set([...(list ? list.querySelectorAll("[data-id]") : [])]
      .map((element) => element.dataset.id))];
    if (!ids.length) return showToast("There are no ids to copy here.", "info");
    navigator.clipboard.writeText(ids.join("\n")).then(
      () => showToast("Copied " + ids.length + " id" + (ids.length === 1 ? "" : "s") + ".", "success"),
      () => showToast("The browser did not allow copying. Use the CSV or JSON export instead."));
  });
  // --- End of integrations. --------------------------------------------------------------------
})();
