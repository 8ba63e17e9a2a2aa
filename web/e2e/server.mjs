// A real `scarscope serve` for the end-to-end test and the benchmark: a fresh SQLite record in a
// temporary folder, a user made with `scarscope users add`, the built web UI, a free loopback port.
// stop() always ends it (SIGTERM, then SIGKILL if it does not go) and removes the folder.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/**
 * Runs the CLI to completion; throws with its standard error when it fails.
 * @param {string} scarscope
 * @param {string[]} args
 * @param {string} [input]
 */
export function cli(scarscope, args, input) {
  const result = spawnSync(scarscope, args, { input: input ?? '', encoding: 'utf8', maxBuffer: 64 << 20 });
  if (result.status !== 0)
    throw new Error(`scarscope ${args.join(' ')} exited ${result.status}: ${result.stderr || result.stdout}`);
  return result.stdout;
}

/**
 * @typedef {{ origin: string, dataDir: string, stop: () => Promise<void>, log: () => string }} Server
 */

/**
 * @param {{ scarscope: string, web: string, users: { email: string, password: string, role: string }[],
 *           clinic?: string, workers?: number, dataDir?: string, keepData?: boolean }} options
 * @returns {Promise<Server>}
 */
export async function startServer(options) {
  const dataDir = options.dataDir ?? mkdtempSync(path.join(tmpdir(), 'scarscope-e2e-'));
  const owned = options.dataDir === undefined;
  cli(options.scarscope, ['init', '--data', dataDir]);
  for (const user of options.users) {
    cli(
      options.scarscope,
      ['users', 'add', '--data', dataDir, '--clinic', options.clinic ?? 'E2E Clinic', '--email', user.email, '--role', user.role],
      `${user.password}\n`,
    );
  }
  const child = spawn(
    options.scarscope,
    [
      'serve',
      '--data',
      dataDir,
      '--listen',
      '127.0.0.1:0',
      '--web',
      options.web,
      '--workers',
      String(options.workers ?? 1),
      '--log-level',
      'warn',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));

  /** @type {string} */
  const origin = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`scarscope serve did not say where it listens:\n${output}`)), 60000);
    const look = () => {
      const found = /(http:\/\/127\.0\.0\.1:\d+)\//.exec(output);
      if (found) {
        clearTimeout(timer);
        resolve(found[1] ?? '');
      }
    };
    child.stdout.on('data', look);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`scarscope serve exited (${code}) before listening:\n${output}`));
    });
  });

  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timeout = new Promise((resolve) => setTimeout(() => resolve('timeout'), 20000));
      if ((await Promise.race([exited, timeout])) === 'timeout') {
        child.kill('SIGKILL');
        await exited;
      }
    }
    if (owned && !options.keepData) rmSync(dataDir, { recursive: true, force: true });
  };
  return { origin, dataDir, stop, log: () => output };
}
