// Debian's Chromium under playwright-core, headless, without the background traffic that would
// reach the network (the machine has none): every browser test launches it this way.
// playwright-core is loaded on the first launch, not on import: `@tokensmith/issuer/testing`
// exports this, and the bench, which imports that entry too, should not pay ~0.6 s for a browser
// driver it never uses.
import type { Browser } from 'playwright-core'

export async function launchChromium(): Promise<Browser> {
  const { chromium } = await import('playwright-core')
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  })
}
