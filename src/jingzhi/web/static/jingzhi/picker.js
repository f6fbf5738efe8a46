// Searchable pickers (issue 11): a <select data-picker="placeholder"> and a list of tick boxes
// (inputs of class "pick-list") each get a search box above them that hides what does not match.
// Progressive enhancement: without this script the select and the tick boxes work as they are.
(function () {
  function searchBox(placeholder, onInput) {
    const input = document.createElement("input");
    input.type = "search";
    input.className = "picker-search";
    input.placeholder = placeholder;
    input.setAttribute("aria-label", placeholder);
    input.autocomplete = "off";
    input.addEventListener("input", () => onInput(input.value.trim().toLowerCase()));
    // Enter in the search box must not submit the action's form.
    input.addEventListener("keydown", (event) => { if (event.key === "Enter") event.preventDefault(); });
    return input;
  }

  function enhanceSelect(select) {
    const box = searchBox(select.dataset.picker, (query) => {
      let visible = [];
      for (const option of select.options) {
        if (!option.value) continue; // the "choose …" line stays
        const match = !query || option.text.toLowerCase().includes(query);
        option.hidden = !match;
        if (match) visible.push(option);
      }
      // While searching the select opens as a short list of the matches; one match is chosen outright.
      select.size = query ? Math.max(2, Math.min(8, visible.length + 1)) : 1;
      if (query && visible.length === 1) visible[0].selected = true;
    });
    select.parentNode.insertBefore(box, select);
  }

  function enhanceTicks(container, placeholder) {
    const box = searchBox(placeholder, (query) => {
      for (const label of container.querySelectorAll("label")) {
        const row = label.parentElement === container ? label : label.parentElement;
        row.hidden = Boolean(query) && !label.textContent.toLowerCase().includes(query);
      }
    });
    container.classList.add("pick-box");
    container.parentNode.insertBefore(box, container);
  }

  function enhance(root) {
    for (const select of root.querySelectorAll("select[data-picker]:not([data-picker-done])")) {
      select.dataset.pickerDone = "1";
      enhanceSelect(select);
    }
    for (const input of root.querySelectorAll("input.pick-list")) {
      const container = input.closest("div[id]");
      if (!container || container.dataset.pickerDone) continue;
      container.dataset.pickerDone = "1";
      enhanceTicks(container, input.dataset.picker || "");
    }
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", () => enhance(document));
  else enhance(document);
})();
