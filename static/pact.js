import { initAll } from './govuk/govuk-frontend.min.js'

initAll()

// A page that shows work in progress (a pack being built, letters being issued) follows it
// by fetching itself again, rather than reloading: a reload every few seconds moves a screen
// reader back to the top and takes the page away from anyone reading it (WCAG 2.2.1).
// What changed is announced once, politely. Without JavaScript, the page's "Check now" link
// does the same.
const FOLLOW_EVERY_MS = 2000
const FOLLOW_FOR_MS = 12 * 60 * 1000 // longer than any job may run

function follow (region) {
  const announcer = document.querySelector('[data-pact-announcer]')
  const started = Date.now()
  const schedule = () => {
    if (Date.now() - started < FOLLOW_FOR_MS) window.setTimeout(check, FOLLOW_EVERY_MS)
  }
  const check = async () => {
    let fresh
    try {
      const response = await fetch(window.location.href, {
        cache: 'no-store', credentials: 'same-origin', headers: { Accept: 'text/html' }
      })
      if (!response.ok || response.redirected) return schedule()
      const page = new DOMParser().parseFromString(await response.text(), 'text/html')
      fresh = page.querySelector('[data-pact-follow]')
    } catch {
      return schedule()
    }
    if (!fresh) return
    region.replaceChildren(...Array.from(fresh.childNodes, (node) => document.importNode(node, true)))
    if (announcer && fresh.dataset.pactAnnounce !== region.dataset.pactAnnounce) {
      announcer.textContent = fresh.dataset.pactAnnounce
    }
    region.dataset.pactAnnounce = fresh.dataset.pactAnnounce
    region.dataset.pactFollow = fresh.dataset.pactFollow
    if (fresh.dataset.pactFollow === 'running') schedule()
  }
  schedule()
}

document.querySelectorAll('[data-pact-follow="running"]').forEach(follow)
