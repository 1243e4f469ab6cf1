// The koreo-ls protocol extensions the extension relies on (documented in editors/README.md),
// and tolerant parsing of their results. Pure, unit-tested.

export const Commands = {
  runTests: 'koreo.runTests',
  preview: 'koreo.preview',
  workflowGraph: 'koreo.workflowGraph',
} as const;

export const STATUS_NOTIFICATION = 'koreo/status';

export type ClusterState = 'connected' | 'offline' | 'error';

export interface KoreoStatus {
  indexing: boolean;
  cluster: ClusterState;
  message?: string;
}

export interface PreviewResult {
  title: string;
  language: string;
  content: string;
}

export type GraphResult = { title?: string; mermaid: string } | { title?: string; dot: string };

export interface TestSummary {
  passed: number;
  failed: number;
  skipped: number;
}

/** Which of our server commands the server advertises in `executeCommandProvider.commands`. */
export function advertisedCommands(capabilities: unknown): { runTests: boolean; preview: boolean; workflowGraph: boolean } {
  const cmds = (capabilities as { executeCommandProvider?: { commands?: unknown } } | undefined)?.executeCommandProvider?.commands;
  const list = Array.isArray(cmds) ? cmds.filter((c): c is string => typeof c === 'string') : [];
  return {
    runTests: list.includes(Commands.runTests),
    preview: list.includes(Commands.preview),
    workflowGraph: list.includes(Commands.workflowGraph),
  };
}

export function parseStatus(params: unknown): KoreoStatus | undefined {
  if (!isObject(params)) return undefined;
  const cluster = params.cluster;
  if (cluster !== 'connected' && cluster !== 'offline' && cluster !== 'error') return undefined;
  return {
    indexing: params.indexing === true,
    cluster,
    message: typeof params.message === 'string' && params.message !== '' ? params.message : undefined,
  };
}

export function parsePreview(result: unknown): PreviewResult | string {
  if (!isObject(result) || typeof result.content !== 'string') return 'koreo-ls returned no preview for this position.';
  return {
    title: typeof result.title === 'string' && result.title !== '' ? result.title : 'Preview',
    language: typeof result.language === 'string' && result.language !== '' ? result.language : 'yaml',
    content: result.content,
  };
}

export function parseGraph(result: unknown): GraphResult | string {
  if (!isObject(result)) return 'koreo-ls returned no workflow graph here: put the cursor in a Workflow.';
  const title = typeof result.title === 'string' ? result.title : undefined;
  if (typeof result.mermaid === 'string') return { title, mermaid: result.mermaid };
  if (typeof result.dot === 'string') return { title, dot: result.dot };
  return 'koreo-ls returned a workflow graph in a format this extension does not know (expected "mermaid" or "dot").';
}

/** `koreo.runTests` returns `{ passed, failed, skipped? }`; failures themselves arrive as diagnostics. */
export function parseTestSummary(result: unknown): TestSummary | undefined {
  if (!isObject(result)) return undefined;
  const n = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? Math.floor(v) : 0);
  if (typeof result.passed !== 'number' && typeof result.failed !== 'number') return undefined;
  return { passed: n(result.passed), failed: n(result.failed), skipped: n(result.skipped) };
}

export function describeTestSummary(s: TestSummary | undefined): string {
  if (!s) return 'FunctionTests finished.';
  const parts = [`${s.passed} passed`, `${s.failed} failed`];
  if (s.skipped) parts.push(`${s.skipped} skipped`);
  if (s.passed + s.failed + s.skipped === 0) return 'No FunctionTests in this file.';
  return `FunctionTests: ${parts.join(', ')}.`;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
