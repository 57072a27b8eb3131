// Debian's Chromium for the browser tests, started the way this machine needs: as root it must
// run without the sandbox, and the background-networking flags keep it off the closed network.

import { chromium } from "playwright-core";

/** Launches headless Chromium (`$CHROMIUM` or /usr/bin/chromium). */
export function launchChromium() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
      "--disable-component-update", "--disable-sync"],
  });
}
