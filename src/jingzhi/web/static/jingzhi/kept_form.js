// A form sent after its session had ended comes back filled in on the page it was on (web/signin.py keeps its
// fields across the sign-in; never passwords, files or the CSRF token). The user checks it and sends it again:
// nothing is sent on their behalf. Hidden fields keep the page's fresh values (a case's version, a new token).
const holder = document.getElementById("kept-form");
if (holder) {
  const kept = JSON.parse(holder.textContent);
  const form = [...document.forms].find((f) => new URL(f.getAttribute("action") || "", window.location.href).pathname === kept.action);
  if (form) {
    for (const [name, values] of Object.entries(kept.fields)) {
      const controls = [...form.elements].filter((el) => el.name === name && el.type !== "hidden" && el.type !== "file");
      controls.forEach((el, i) => {
        if (el.type === "checkbox" || el.type === "radio") {
          el.checked = values.includes(el.value);
        } else if (el.tagName === "SELECT" && el.multiple) {
          [...el.options].forEach((o) => { o.selected = values.includes(o.value); });
        } else {
          el.value = values[Math.min(i, values.length - 1)] ?? "";
        }
        el.dispatchEvent(new Event("change", { bubbles: true }));
      });
    }
    const folded = form.closest("details");
    if (folded) folded.open = true;
    form.scrollIntoView({ block: "center" });
    form.dataset.kept = "1";
  }
}
