import type { Command } from 'commander';
import { segmentDefinitionSchema } from '../core/segments/definition.js';
import { adminTargetFrom, callAdmin, canonicalJson, expectOk, type AdminTarget } from './admin-client.js';
import { readJsonFile, withTarget } from './journey-command.js';

type TargetFlags = { url?: string; adminKey?: string };

/**
 * Saves a segment file unless the stored definition is the same (a save is a new version and a
 * backfill): applying a file twice changes nothing.
 * @example await applySegmentFile(target, 'segments/vip.json')
 */
export async function applySegmentFile(
  target: AdminTarget,
  path: string,
): Promise<{ id: string; version: number; changed: boolean }> {
  const parsed = segmentDefinitionSchema.safeParse(readJsonFile(path));
  if (!parsed.success) throw new Error(`${path}: ${parsed.error.message}`);
  const id = parsed.data.id;
  const current = await callAdmin(target, 'GET', `/api/segments/${encodeURIComponent(id)}`);
  if (current.status === 200) {
    const stored = current.body as { definition: unknown; version: number };
    if (canonicalJson(stored.definition) === canonicalJson(parsed.data))
      return { id, version: stored.version, changed: false };
  }
  const saved = expectOk(await callAdmin(target, 'POST', '/api/segments', parsed.data), path);
  return { id, version: saved.version as number, changed: true };
}

/** `orkestra segment apply|export`: segments as code, against a running server. */
export function registerSegmentCommand(program: Command): void {
  const segment = program.command('segment').description('segments as code: apply, export');
  withTarget(
    segment.command('apply <file>').description('save a segment file (nothing changes if it is the same)'),
  ).action(async (file: string, flags: TargetFlags) => {
    const r = await applySegmentFile(adminTargetFrom(flags, process.env), file);
    console.log(
      r.changed ? `${r.id}: saved version ${r.version}` : `${r.id}: unchanged (version ${r.version})`,
    );
  });
  withTarget(segment.command('export <id>').description('print a segment definition as JSON')).action(
    async (id: string, flags: TargetFlags) => {
      const answer = expectOk(
        await callAdmin(
          adminTargetFrom(flags, process.env),
          'GET',
          `/api/segments/${encodeURIComponent(id)}`,
        ),
        id,
      );
      console.log(JSON.stringify(answer.definition, null, 2));
    },
  );
}
