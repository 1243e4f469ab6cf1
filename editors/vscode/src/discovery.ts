// Finding the koreo-ls executable: the `koreo.server.path` setting first, then PATH.
// Pure (no `vscode` import) so it is unit-tested without an editor.
import * as path from 'path';

export const INSTALL_URL = 'https://github.com/koreo-dev/koreo-ls/blob/main/editors/README.md#installing-koreo-ls';

export interface DiscoveryEnv {
  /** `koreo.server.path` as configured ('' or undefined when unset). */
  configured?: string;
  /** The PATH environment variable. */
  pathEnv?: string;
  /** `process.platform`. */
  platform: NodeJS.Platform;
  /** Home directory, for `~` expansion. */
  home?: string;
  /** First workspace folder (file system path), for `${workspaceFolder}` and relative paths. */
  workspaceFolder?: string;
  /** True if `p` is an existing regular file that we may execute. */
  isExecutable(p: string): boolean;
}

export type Discovery =
  | { ok: true; command: string; source: 'setting' | 'PATH' }
  | { ok: false; message: string };

export const SERVER_NAME = 'koreo-ls';

/** Expands `~`, `${workspaceFolder}`, `${userHome}`; resolves a relative path against the workspace folder. */
export function expandConfiguredPath(raw: string, env: Pick<DiscoveryEnv, 'home' | 'workspaceFolder'>): string {
  let p = raw.trim();
  if (env.workspaceFolder) p = p.split('${workspaceFolder}').join(env.workspaceFolder);
  if (env.home) {
    p = p.split('${userHome}').join(env.home);
    if (p === '~' || p.startsWith('~/') || p.startsWith('~\\')) p = env.home + p.slice(1);
  }
  if (!path.isAbsolute(p) && env.workspaceFolder && /[\\/]/.test(p)) p = path.resolve(env.workspaceFolder, p);
  return p;
}

export function findServer(env: DiscoveryEnv): Discovery {
  const configured = env.configured?.trim();
  if (configured) {
    const p = expandConfiguredPath(configured, env);
    // A bare name such as "koreo-ls-nightly" is looked up on PATH, like a shell would.
    if (!/[\\/]/.test(p)) {
      const found = searchPath(p, env);
      if (found) return { ok: true, command: found, source: 'setting' };
      return { ok: false, message: `koreo.server.path is "${configured}", but no executable of that name is on PATH.` };
    }
    if (env.isExecutable(p)) return { ok: true, command: p, source: 'setting' };
    return { ok: false, message: `koreo.server.path is "${configured}", but ${p} does not exist or is not executable.` };
  }
  const found = searchPath(SERVER_NAME, env);
  if (found) return { ok: true, command: found, source: 'PATH' };
  return {
    ok: false,
    message: `${SERVER_NAME} was not found on PATH. Install it, or set koreo.server.path to the executable.`,
  };
}

function searchPath(name: string, env: DiscoveryEnv): string | undefined {
  const win = env.platform === 'win32';
  const dirs = (env.pathEnv ?? '').split(win ? ';' : ':').filter((d) => d.length > 0);
  const names = win && !/\.(exe|cmd|bat)$/i.test(name) ? [name + '.exe', name + '.cmd', name] : [name];
  for (const dir of dirs) {
    for (const n of names) {
      const candidate = (win ? path.win32 : path.posix).join(dir, n);
      if (env.isExecutable(candidate)) return candidate;
    }
  }
  return undefined;
}
