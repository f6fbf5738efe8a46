// The unread count on the bell in the top bar, refreshed without reloading the page (issue 11).
// It asks /notifications/count/ every data-count-every seconds while the tab is visible, and once when the tab
// comes back. Without JavaScript the bell shows the count of the page's own load, as before. The poll is not
// activity: it does not keep an idle session alive; once the session has ended (401 or a redirect) it stops.
(() => {
  const bell = document.querySelector("a.bell[data-count-url]");
  if (!bell || !window.fetch) return;
  const every = Math.max(10, Number(bell.dataset.countEvery) || 60) * 1000;
  let timer = null;

  const show = (n) => {
    let badge = bell.querySelector(".count");
    if (n > 0) {
      if (!badge) {
        badge = document.createElement("span");
        badge.className = "count";
        bell.append(" ", badge);
      }
      badge.textContent = String(n);
      badge.setAttribute("aria-label", (bell.dataset.countLabel || "{n}").replace("{n}", String(n)));
    } else if (badge) {
      badge.remove();
    }
  };

  const stop = () => {
    if (timer !== null) window.clearInterval(timer);
    timer = null;
  };

  const refresh = async () => {
    if (document.hidden || timer === null) return;
    try {
      const response = await fetch(bell.dataset.countUrl, {
        credentials: "same-origin", cache: "no-store", redirect: "manual",
        headers: { Accept: "application/json" },
      });
      if (!response.ok) {
        stop(); // signed out or the session ended: the next page load shows the sign-in page
        return;
      }
      const data = await response.json();
      if (Number.isInteger(data.unread)) show(data.unread);
    } catch (error) {
      // Offline for a moment: the next tick tries again.
    }
  };

  timer = window.setInterval(refresh, every);
  document.addEventListener("visibilitychange", () => {
    if (!document.hidden) refresh();
  });
})();
