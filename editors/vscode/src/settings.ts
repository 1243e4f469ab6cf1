// The extension's settings and what the server receives. Pure, unit-tested.
//
// The server gets the same object in `initializationOptions` and, on change, as
// `workspace/didChangeConfiguration` `{ settings: { koreo: <object> } }` (see editors/README.md).

export type Trace = 'off' | 'messages' | 'verbose';

export interface KoreoSettings {
  serverPath: string;
  clusterContext: string;
  offline: boolean;
  inlayHints: boolean;
  detectYamlByContent: boolean;
  trace: Trace;
}

/** What koreo-ls receives. `cluster.context` is null for "the kubeconfig's current context". */
export interface ServerSettings {
  cluster: { context: string | null };
  offline: boolean;
  inlayHints: { enabled: boolean };
}

/** Reads a setting under the `koreo.` section, e.g. `get('cluster.context', '')`. */
export type Getter = <T>(key: string, fallback: T) => T;

export function readSettings(get: Getter): KoreoSettings {
  const trace = get<string>('trace.server', 'off');
  return {
    serverPath: str(get<unknown>('server.path', '')),
    clusterContext: str(get<unknown>('cluster.context', '')),
    offline: get<unknown>('offline', false) === true,
    inlayHints: get<unknown>('inlayHints.enabled', true) !== false,
    detectYamlByContent: get<unknown>('detectYamlByContent', true) !== false,
    trace: trace === 'messages' || trace === 'verbose' ? trace : 'off',
  };
}

export function toServerSettings(s: KoreoSettings): ServerSettings {
  const context = s.clusterContext.trim();
  return {
    cluster: { context: context === '' ? null : context },
    offline: s.offline,
    inlayHints: { enabled: s.inlayHints },
  };
}

/** Settings that only the server process itself can apply: changing one restarts it. */
export const RESTART_SECTIONS = ['koreo.server.path'];
/** Settings sent to the running server with workspace/didChangeConfiguration. */
export const SERVER_SECTIONS = ['koreo.cluster', 'koreo.offline', 'koreo.inlayHints'];

export type ConfigChange = 'restart' | 'notify' | 'none';

/** What a configuration change means for the server; `affects` is ConfigurationChangeEvent.affectsConfiguration. */
export function classifyChange(affects: (section: string) => boolean): ConfigChange {
  if (RESTART_SECTIONS.some(affects)) return 'restart';
  if (SERVER_SECTIONS.some(affects)) return 'notify';
  return 'none';
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}
