// "Riproduci": the time slider reloads only the plan shown below it, and can play the history
// one event at a time. Without JavaScript the same controls work as links and a GET form.

export function enhanceReplay() {
  const root = document.getElementById('riproduzione');
  if (!root) return;
  const slider = root.querySelector('[data-slider]');
  const output = root.querySelector('[data-slider-output]');
  const play = root.querySelector('[data-play]');
  let timer = null;
  let playing = null;
  let loading = 0;

  const load = async (moment) => {
    const ticket = ++loading;
    const url = new URL(`/piani/${encodeURIComponent(document.body.dataset.plan)}/storia/riproduci`, location.origin);
    url.searchParams.set('momento', moment);
    url.searchParams.set('frammento', '1');
    const bodyEl = root.querySelector('[data-replay-body]');
    bodyEl.classList.add('loading');
    bodyEl.setAttribute('aria-busy', 'true');
    const response = await fetch(url, { credentials: 'same-origin' });
    if (!response.ok || ticket !== loading) return;
    const fresh = new DOMParser().parseFromString(await response.text(), 'text/html').getElementById('riproduzione');
    bodyEl.innerHTML = fresh.querySelector('[data-replay-body]').innerHTML;
    bodyEl.classList.remove('loading');
    bodyEl.removeAttribute('aria-busy');
    for (const key of ['at', 'prev', 'next']) root.dataset[key] = fresh.dataset[key];
    for (const step of ['prev', 'next']) {
      const link = root.querySelector(`[data-step="${step}"]`);
      if (link) {
        link.hidden = !fresh.dataset[step];
        link.href = fresh.querySelector(`[data-step="${step}"]`)?.href || link.href;
      }
    }
    slider.value = fresh.dataset.at;
    output.textContent = fresh.dataset.at;
    slider.setAttribute('aria-valuetext', fresh.querySelector('[data-slider]').getAttribute('aria-valuetext'));
    const url2 = new URL(location.href);
    url2.searchParams.set('momento', fresh.dataset.at);
    history.replaceState(null, '', url2);
  };

  slider.addEventListener('input', () => {
    output.textContent = slider.value;
    clearTimeout(timer);
    timer = setTimeout(() => load(slider.value), 200);
  });
  slider.addEventListener('change', () => { clearTimeout(timer); load(slider.value); });
  root.querySelectorAll('[data-step]').forEach((link) => link.addEventListener('click', (event) => {
    event.preventDefault();
    const target = root.dataset[link.dataset.step];
    if (target) load(target);
  }));
  root.querySelector('[data-replay-form]').addEventListener('submit', (event) => {
    event.preventDefault();
    load(slider.value);
  });
  if (play) {
    play.hidden = false;
    play.addEventListener('click', () => {
      if (playing) { stop(); return; }
      play.textContent = '❚❚ Pausa';
      playing = setInterval(async () => {
        if (!root.dataset.next) { stop(); return; }
        await load(root.dataset.next);
      }, 1200);
    });
  }
  function stop() {
    clearInterval(playing);
    playing = null;
    play.textContent = '▶ Riproduci passo passo';
  }
}
