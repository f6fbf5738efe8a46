// "Insert as a note": the article's citation goes at the end of the description, so the unit sees which known
// answer applies; when the case is registered, the knowledge base records the article on it (services.case_cited_articles).
document.addEventListener("click", function (event) {
  var button = event.target.closest("[data-kb-note]");
  if (!button) return;
  var content = document.getElementById("id_content");
  if (!content) return;
  var note = button.getAttribute("data-kb-note");
  if (content.value.indexOf(note) === -1) {
    content.value = (content.value ? content.value.replace(/\s+$/, "") + "\n" : "") + note;
  }
  button.setAttribute("aria-pressed", "true");
});
