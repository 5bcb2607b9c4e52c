import type { Command } from 'commander';
import { existsSync, readFileSync } from 'node:fs';
import { adminTargetFrom, callAdmin, expectOk, type AdminTarget } from './admin-client.js';

type TargetFlags = { url?: string; adminKey?: string };

/** Reads a JSON file, naming the file when it is not JSON. */
export function readJsonFile(path: string): Record<string, unknown> {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  } catch (error) {
    throw new Error(`${path}: ${(error as Error).message}`);
  }
}

/**
 * Publishes a journey file unless the latest published version is the same definition: applying a
 * file twice changes nothing.
 * @example await applyJourneyFile(target, 'journeys/abandoned-cart.json', { migrate: false })
 */
export async function applyJourneyFile(
  target: AdminTarget,
  path: string,
  options: { migrate: boolean },
): Promise<{ id: string; version: number; changed: boolean }> {
  const definition = readJsonFile(path);
  const id = typeof definition.id === 'string' ? definition.id : '';
  const body = { definition, migrate: options.migrate, onlyIfChanged: true };
  const answer = expectOk(
    await callAdmin(target, 'POST', `/api/journeys/${encodeURIComponent(id)}/publish`, body),
    path,
  );
  return { id, version: answer.version as number, changed: answer.changed as boolean };
}

/** The published definition of a journey (or its draft), as JSON to keep in a repository. */
export async function exportJourney(target: AdminTarget, id: string, draft: boolean): Promise<unknown> {
  const journey = expectOk(await callAdmin(target, 'GET', `/api/journeys/${encodeURIComponent(id)}`), id);
  const value = draft ? journey.draft : journey.published;
  if (value === undefined) throw new Error(`journey ${id} has no ${draft ? 'draft' : 'published version'}`);
  return value;
}

/** Simulates a stored journey, or a journey file, over a window of stored history. */
export async function simulateJourney(
  target: AdminTarget,
  idOrFile: string,
  window: { from: string; to: string; draft: boolean },
): Promise<Record<string, unknown>> {
  const file = idOrFile.endsWith('.json') && existsSync(idOrFile) ? readJsonFile(idOrFile) : undefined;
  const id = file ? (typeof file.id === 'string' ? file.id : '') : idOrFile;
  const body = {
    from: new Date(window.from).toISOString(),
    to: new Date(window.to).toISOString(),
    source: window.draft ? 'draft' : 'published',
    ...(file ? { definition: file } : {}),
  };
  return expectOk(
    await callAdmin(target, 'POST', `/api/journeys/${encodeURIComponent(id)}/simulate`, body),
    idOrFile,
  );
}

const withTarget = (c: Command): Command =>
  c
    .option('--url <url>', 'server URL (default http://localhost:$ORKESTRA_PORT or 3000)')
    .option('--admin-key <key>', 'admin key (env ORKESTRA_ADMIN_KEY)');

/** `orkestra journey apply|export|simulate`: journeys as code, against a running server. */
export function registerJourneyCommand(program: Command): void {
  const journey = program.command('journey').description('journeys as code: apply, export, simulate');
  withTarget(
    journey
      .command('apply <file>')
      .description('publish a journey file (nothing changes if it is already published)'),
  )
    .option('--migrate', 'move in-flight runs to the new version where their node still exists', false)
    .action(async (file: string, flags: TargetFlags & { migrate: boolean }) => {
      const r = await applyJourneyFile(adminTargetFrom(flags, process.env), file, { migrate: flags.migrate });
      console.log(
        r.changed ? `${r.id}: published version ${r.version}` : `${r.id}: unchanged (version ${r.version})`,
      );
    });
  withTarget(journey.command('export <id>').description('print a journey as JSON'))
    .option('--draft', 'the draft instead of the published version', false)
    .action(async (id: string, flags: TargetFlags & { draft: boolean }) => {
      console.log(
        JSON.stringify(await exportJourney(adminTargetFrom(flags, process.env), id, flags.draft), null, 2),
      );
    });
  withTarget(
    journey
      .command('simulate <idOrFile>')
      .description('replay stored history through a journey, sending nothing'),
  )
    .requiredOption('--from <date>', 'start of the window (ISO date or date-time)')
    .requiredOption('--to <date>', 'end of the window')
    .option('--draft', 'simulate the draft of a stored journey', false)
    .action(async (idOrFile: string, flags: TargetFlags & { from: string; to: string; draft: boolean }) => {
      const report = await simulateJourney(adminTargetFrom(flags, process.env), idOrFile, flags);
      console.log(JSON.stringify(report, null, 2));
    });
}

export { withTarget };
