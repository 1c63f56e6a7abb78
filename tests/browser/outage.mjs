// A dead cell between the phone and the server: a TCP proxy that, while
// "down", accepts connections and swallows what is sent without ever
// answering (what a phone on a mast with no backhaul sees: the browser
// still says online, requests just hang), and forwards as usual when "up".
// `down({ refuse: true })` is the other outage: every connection is closed
// at once, so requests fail fast (a server that is down, a captive portal).
// Coming back, the connections the outage broke are closed, as a phone's
// would be when its cell hands over; new ones go through.
import net from 'node:net';

/** @returns {Promise<{ url: string, down: () => void, up: () => void, close: () => Promise<void> }>} */
export async function startOutageProxy(targetUrl) {
  const target = new URL(targetUrl);
  let isDown = false;
  let refusing = false;
  /** Connections open during an outage: closed when it ends. */
  const broken = new Set();
  const open = new Set();

  const server = net.createServer((client) => {
    if (isDown && refusing) {
      client.destroy();
      return;
    }
    const upstream = isDown ? null : net.connect(Number(target.port), target.hostname);
    const pair = { client, upstream };
    open.add(pair);
    if (isDown) broken.add(pair);
    const end = () => {
      open.delete(pair);
      broken.delete(pair);
      client.destroy();
      upstream?.destroy();
    };
    client.on('error', end);
    client.on('close', end);
    client.on('data', (chunk) => {
      if (!isDown && !broken.has(pair)) upstream?.write(chunk);
    });
    if (upstream) {
      upstream.on('error', end);
      upstream.on('close', end);
      upstream.on('data', (chunk) => {
        if (!isDown && !broken.has(pair)) client.write(chunk);
      });
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}`,
    down({ refuse = false } = {}) {
      isDown = true;
      refusing = refuse;
      for (const pair of open) broken.add(pair);
    },
    up() {
      isDown = false;
      for (const pair of [...broken]) {
        pair.client.destroy();
        pair.upstream?.destroy();
      }
      broken.clear();
    },
    async close() {
      for (const pair of [...open]) {
        pair.client.destroy();
        pair.upstream?.destroy();
      }
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
