// Forms: remember which ones hold unsent typing, add rows, show the diff preview in place.

const dirty = new WeakSet();

export function isDirty(form) { return dirty.has(form); }

// A form shown again by the server with what the person typed (data-unsent: the submission was
// refused) counts as typed in, like one edited on this page.
function unsent(form) { return dirty.has(form) || form.hasAttribute('data-unsent'); }

export function anyDirtyIn(element) {
  return [...element.querySelectorAll('form')].some(unsent) ||
    (element.closest && element.closest('form') && unsent(element.closest('form')));
}

export function protectForms() {
  let submitting = false;
  document.addEventListener('input', (event) => {
    const form = event.target.form || event.target.closest?.('form');
    if (form && form.method.toLowerCase() === 'post') dirty.add(form);
  });
  document.addEventListener('submit', () => { submitting = true; });
  window.addEventListener('beforeunload', (event) => {
    if (submitting) return;
    const unsent = [...document.querySelectorAll('form')].some((f) => dirty.has(f));
    if (unsent) { event.preventDefault(); event.returnValue = ''; }
  });
}

// "Aggiungi una voce": clones the last (blank) row of a list, renumbering names and ids.
export function enhanceRows() {
  document.querySelectorAll('[data-add-row]').forEach((button) => {
    const list = document.querySelector(`[data-rows="${button.dataset.addRow}"]`);
    if (!list) return;
    button.hidden = false;
    button.addEventListener('click', () => {
      const rows = list.querySelectorAll(':scope > [data-row]');
      const last = rows[rows.length - 1];
      const index = rows.length;
      const prefix = button.dataset.addRow;
      const copy = last.cloneNode(true);
      const from = `${prefix}.${index - 1}.`;
      const to = `${prefix}.${index}.`;
      copy.querySelectorAll('[name], [id], [for], [aria-describedby]').forEach((el) => {
        for (const attr of ['name', 'id', 'for', 'aria-describedby']) {
          const value = el.getAttribute(attr);
          if (!value) continue;
          const dotted = from; const dashed = from.replaceAll('.', '-').replaceAll('_', '-');
          el.setAttribute(attr, value.replace(dotted, to).replace(dashed, to.replaceAll('.', '-').replaceAll('_', '-')));
        }
        if (el.matches('input')) el.value = '';
        if (el.matches('select')) el.selectedIndex = 0;
        el.removeAttribute('aria-invalid');
      });
      copy.querySelectorAll('.error').forEach((e) => e.remove());
      copy.querySelectorAll('label').forEach((label) => {
        label.textContent = label.textContent.replace(/\d+$/, String(index + 1));
      });
      list.appendChild(copy);
      copy.querySelector('input, select, textarea')?.focus();
    });
  });
}

// "Mostra l'anteprima": asks the server for the diff and shows it above the form, keeping every
// value typed; the "Invia la proposta" button appears when the preview has no problems.
export function enhancePreview() {
  const form = document.getElementById('modulo-proposta');
  const button = form?.querySelector('[data-preview]');
  const target = document.getElementById('anteprima');
  if (!form || !button || !target) return;
  button.addEventListener('click', async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    data.set('action', 'anteprima');
    button.disabled = true;
    try {
      const response = await fetch(form.getAttribute('action'), {
        method: 'POST', body: data, credentials: 'same-origin',
        headers: { 'X-Coprogramma-Fragment': '1', 'X-CSRFToken': csrfToken() },
      });
      target.innerHTML = await response.text();
      markErrors(form, target);
      let send = form.querySelector('[data-send]');
      if (response.ok && !send) {
        send = document.createElement('button');
        send.type = 'submit'; send.name = 'action'; send.value = 'invia';
        send.dataset.send = ''; send.textContent = 'Invia la proposta';
        button.after(send);
      } else if (!response.ok && send) {
        send.remove();
      }
      target.querySelector('h2')?.focus();
    } catch (error) {
      target.innerHTML = '<p class="error" role="alert">Anteprima non disponibile: controlli la connessione e riprovi.</p>';
    } finally {
      button.disabled = false;
    }
  });
}

function markErrors(form, preview) {
  form.querySelectorAll('[aria-invalid="true"]').forEach((el) => el.removeAttribute('aria-invalid'));
  preview.querySelectorAll('a[href^="#f-"]').forEach((link) => {
    const input = document.getElementById(link.getAttribute('href').slice(1));
    if (input) input.setAttribute('aria-invalid', 'true');
  });
}

export function csrfToken() {
  return document.querySelector('meta[name="csrf-token"]')?.content || '';
}
