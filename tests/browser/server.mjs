// Starts the real Sijil binary for a test: a fresh SQLite database in a
// temporary folder, a random port, the first admin's password read from
// its output. `createUser` adds accounts through the binary's own CLI.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const BINARY = process.env.SIJIL_BINARY ?? join(REPO_ROOT, 'target', 'debug', 'sijil');
/** The built app the server serves: pwa/dist, or SIJIL_PWA_DIR (a build of one's own, so two people can work side by side). */
export const APP_DIR = process.env.SIJIL_PWA_DIR ? resolve(process.env.SIJIL_PWA_DIR) : join(REPO_ROOT, 'pwa', 'dist');
const APP_INDEX = join(APP_DIR, 'index.html');
const START_TIMEOUT_MS = 30_000;

function checkBuilt() {
  if (!existsSync(BINARY)) {
    throw new Error(
      `The server binary is missing at ${BINARY}. Build it first: cargo build -p sijil (or set SIJIL_BINARY).`,
    );
  }
  if (!existsSync(APP_INDEX)) {
    throw new Error(
      `The app is not built (${APP_INDEX} is missing). Build it first: cd pwa && npm ci && npm run build.`,
    );
  }
}

/**
 * @returns {Promise<{ url: string, adminPassword: string, runDemo: () => Record<string, string>, createUser: (u: { login: string, name: string, role: string, password: string, sites?: string[], language?: string }) => void, stop: () => Promise<void> }>}
 */
export async function startServer() {
  checkBuilt();
  const dataDir = mkdtempSync(join(tmpdir(), 'sijil-browser-'));
  const env = {
    ...process.env,
    DATABASE_URL: `sqlite://${join(dataDir, 'sijil.db')}?mode=rwc`,
    SIJIL_ADDR: '127.0.0.1:0',
    SIJIL_LOG: 'warn',
  };
  const child = spawn(BINARY, ['serve'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stderr.on('data', (chunk) => (output += chunk));

  const { url, adminPassword } = await new Promise((resolvePromise, reject) => {
    let adminPassword = null;
    let buffered = '';
    const timer = setTimeout(
      () => reject(new Error(`the server did not start within ${START_TIMEOUT_MS} ms:\n${output}${buffered}`)),
      START_TIMEOUT_MS,
    );
    child.stdout.on('data', (chunk) => {
      buffered += chunk;
      const password = buffered.match(/created account `admin` with password (\S+)/);
      if (password) adminPassword = password[1];
      const listening = buffered.match(/listening on (http:\/\/\S+)/);
      if (listening && adminPassword) {
        clearTimeout(timer);
        resolvePromise({ url: listening[1], adminPassword });
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the server exited with ${code} before listening:\n${output}${buffered}`));
    });
  });

  return {
    url,
    adminPassword,
    createUser({ login, name, role, password, sites = [], language }) {
      const args = [
        'user',
        'create',
        '--login',
        login,
        '--name',
        name,
        '--role',
        role,
        ...sites.flatMap((code) => ['--site', code]),
      ];
      if (language) args.push('--language', language);
      const result = spawnSync(BINARY, args, { env, input: password, encoding: 'utf8' });
      if (result.status !== 0)
        throw new Error(`sijil user create failed (${result.status}): ${result.stderr}${result.stdout}`);
    },
    /** Fills the database with `sijil demo`; returns each printed account's password by login. */
    runDemo() {
      const result = spawnSync(BINARY, ['demo'], { env, encoding: 'utf8' });
      if (result.status !== 0)
        throw new Error(`sijil demo failed (${result.status}): ${result.stderr}${result.stdout}`);
      const passwords = {};
      for (const line of result.stdout.split('\n')) {
        const account = line.match(/^(\S+)\s+(?:admin|coordinator|trainer|mobiliser)\s+password (\S+)/);
        if (account) passwords[account[1]] = account[2];
      }
      return passwords;
    },
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
        await exited;
        clearTimeout(timer);
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
