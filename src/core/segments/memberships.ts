import type { ProfileId } from '../brand.js';

/** A person entering or leaving a segment at a moment. */
export interface MembershipChange {
  readonly segmentId: string;
  readonly profileId: ProfileId;
  readonly entered: boolean;
  readonly at: number;
}
