// kpgrowth funnel page: add, remove and reorder steps. Without JS the form still works:
// choose a step in the spare select to add one, choose "(none)" to remove one.
(function () {
  "use strict";
  const list = document.getElementById("steps");
  const add = document.getElementById("add-step");
  if (!list || !add) { return; }

  function renumber() {
    const items = Array.from(list.children);
    items.forEach((li, i) => {
      li.querySelector(".up").disabled = i === 0;
      li.querySelector(".down").disabled = i === items.length - 1;
      li.querySelector(".remove").disabled = items.length <= 2;
    });
  }

  function enhance(li) {
    li.querySelector(".step-tools").hidden = false;
    li.querySelector(".up").addEventListener("click", () => {
      if (li.previousElementSibling) { list.insertBefore(li, li.previousElementSibling); }
      renumber();
    });
    li.querySelector(".down").addEventListener("click", () => {
      if (li.nextElementSibling) { list.insertBefore(li.nextElementSibling, li); }
      renumber();
    });
    li.querySelector(".remove").addEventListener("click", () => { li.remove(); renumber(); });
  }

  // the spare (empty) select is the template for new steps
  const spare = list.querySelector("li.spare");
  const template = spare.cloneNode(true);
  spare.remove();
  Array.from(list.children).forEach(enhance);
  add.hidden = false;
  add.addEventListener("click", () => {
    const li = template.cloneNode(true);
    li.classList.remove("spare");
    list.appendChild(li);
    enhance(li);
    renumber();
    li.querySelector("select").focus();
  });
  renumber();
})();
