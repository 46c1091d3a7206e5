// Entry point of the pages' JavaScript. Every page works without it; this only enhances:
// live updates, dirty-form protection, inline previews, the time slider, provenance on demand.
import { protectForms, enhanceRows, enhancePreview } from './forms.js';
import { startLive } from './live-ui.js';
import { enhanceReplay } from './replay.js';
import { enhanceProvenance } from './provenance.js';

function init() {
  const page = document.body.dataset.page;
  protectForms();
  if (page === 'propose') {
    enhanceRows();
    enhancePreview();
  }
  if (page === 'history') enhanceReplay();
  if (page === 'objective') enhanceProvenance();
  if (document.body.dataset.live === '1') startLive();
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
else init();
