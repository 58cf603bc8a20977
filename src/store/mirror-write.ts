import type { AgentRecord } from './agent-record.js';
import type { ChangeKind } from './change-log.js';

/** An agent as a mirror writes it: the source's record, with the index terms and hosts read from its card. */
export interface MirroredRecord extends Omit<AgentRecord, 'owner'> {
  terms: string[];
  hosts: string[];
}

/** What one mirror step writes besides its position (`lua/mirror-agent.lua`). */
export type MirrorChange =
  | {
      kind: 'put';
      record: MirroredRecord;
      /** How the mirror's own change log tells it; absent: `registered` or `updated`, as the mirror held it or not. */
      changeKind?: ChangeKind;
      /** Apply only over an older stored revision (a followed event); false: over any other revision (a snapshot, the source's current word). */
      newerOnly: boolean;
      /** Marks the record as seen by this snapshot, applied or not. */
      snapshotMark?: string;
    }
  | {
      kind: 'remove';
      id: string;
      /** The source's revision of the removal; absent: the mirror numbers it. Removes only an older stored revision. */
      revision?: number;
      changeKind: ChangeKind;
    };

/** One atomic step of a mirror. */
export interface MirrorStep {
  /** The token of the mirror's lock: a step of a process that lost the lock writes nothing. */
  lockToken: string;
  change?: MirrorChange;
  /** The source's cursor to store with the change, and the source it belongs to; absent: the position stays. */
  position?: { cursor: string; source: string };
  /** When the change happened, for the mirror's change log. */
  at: Date;
}

/** `applied`; `skipped` when the stored record was as new; `fenced` when the caller no longer holds the lock. */
export type MirrorOutcome = 'applied' | 'skipped' | 'fenced';
