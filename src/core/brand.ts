/** A nominal type: `Brand<string, 'ProfileId'>` is a string that cannot be mixed up with another string id. */
export type Brand<T, B extends string> = T & { readonly __brand: B };

/** Milliseconds since the Unix epoch, UTC. */
export type EpochMs = Brand<number, 'EpochMs'>;
/** Internal profile id (`prf_…`). */
export type ProfileId = Brand<string, 'ProfileId'>;
/** A Segment `messageId`, unique per message within the dedupe window. */
export type MessageId = Brand<string, 'MessageId'>;

export const asEpochMs = (n: number): EpochMs => n as EpochMs;
export const asProfileId = (s: string): ProfileId => s as ProfileId;
export const asMessageId = (s: string): MessageId => s as MessageId;

export const MS_PER_SECOND = 1000;
export const MS_PER_MINUTE = 60 * MS_PER_SECOND;
export const MS_PER_HOUR = 60 * MS_PER_MINUTE;
export const MS_PER_DAY = 24 * MS_PER_HOUR;
