// "Chi l'ha scritto?": fetches the provenance of the card's fields once, shows the one asked for.
let cache = null;

export function enhanceProvenance() {
  document.addEventListener('click', async (event) => {
    const link = event.target.closest('[data-provenance]');
    if (!link) return;
    event.preventDefault();
    const id = `prov-${link.dataset.provenance.replaceAll('_', '-')}`;
    let box = document.getElementById(id);
    if (box) { box.hidden = !box.hidden; if (!box.hidden) box.focus(); return; }
    if (!cache) {
      const url = new URL(location.href);
      url.searchParams.set('provenienza', '1');
      const response = await fetch(url, { credentials: 'same-origin' });
      cache = new DOMParser().parseFromString(await response.text(), 'text/html');
    }
    box = cache.getElementById(id)?.cloneNode(true);
    if (!box) return;
    box.tabIndex = -1;
    link.parentElement.after(box);
    box.focus();
  });
}
