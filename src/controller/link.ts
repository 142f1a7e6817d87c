import type { Observable } from 'rxjs';
import type {
  SelfView,
  StageBulkResult,
  StageCommand,
  StageEvent,
  StageParticipant,
  StageRequest,
} from '../model/index.js';

export type ConnectionState = 'connecting' | 'connected' | 'reconnecting' | 'disconnected';

/**
 * How a controller reaches its authority (the local room, a WebSocket server). The
 * controller never knows which one it has, and reads each observable once, on first use.
 *
 * Ordering: a reason event for this user (approved, rejected, removed, expired) is emitted on
 * `events$` before the `self$` value it explains.
 */
export interface StageLink {
  readonly userId: string;
  /** This user's own view; replays the current one to a new subscriber. */
  readonly self$: Observable<SelfView>;
  /** Own 1-based place in the queue while REQUESTED, else null. Replays. */
  readonly position$: Observable<number | null>;
  /** The queue for privileged users, [] for the others. Replays. */
  readonly requests$: Observable<readonly StageRequest[]>;
  readonly onStage$: Observable<readonly StageParticipant[]>;
  /** As contract 9.7 limits it for this user. Replays. */
  readonly participants$: Observable<readonly StageParticipant[]>;
  readonly connection$: Observable<ConnectionState>;
  /**
   * Every event but `stageStatusUpdate` (the controller derives that one from `self$`).
   * A `stageAccessRequestUpdate` may carry its list as a getter: read it at once or never.
   */
  readonly events$: Observable<StageEvent>;
  /** The queue right now (privileged users), else []. */
  currentRequests(): readonly StageRequest[];
  /** Sends a command; rejects with a StageError when the authority refuses it. */
  send(command: StageCommand): Promise<StageBulkResult | undefined>;
  /** The controller is done with this link: counts as a dropped connection. */
  close(): void;
}
