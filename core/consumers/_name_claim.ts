// How a group member answers a lease store that refuses its name because
// another instance holds it. Before it ever joined, the holder may be this
// member's own crashed predecessor, whose membership expires within leaseTtl
// unless renewed: so it waits, owning nothing, and gives up only once a
// refusal proves the holder renewed (a heartbeat sent more than leaseTtl
// after the first refusal came back). After it joined, another instance took
// the name while this one's membership had lapsed (a pause): it stands down.
// docs/decisions/consumers.md, "One running instance per member name".

import { ValidationError } from "../errors.ts";
import type { LogFields, Logger } from "../logger.ts";

const WHAT_TO_DO = "give each member a unique name, or leave options.member unset for a random one";

/** One member's claim on its name, across its heartbeats. */
export class NameClaim {
  #joined = false;
  #refusedNow = false;
  /** performance.now() when the first refusal of this wait came back. */
  #refusedAt: number | undefined;

  constructor(
    private readonly settings: {
      readonly group: string;
      readonly member: string;
      readonly leaseTtl: number;
      readonly heartbeatInterval: number;
    },
    private readonly logger: Logger,
    private readonly site: LogFields,
  ) {}

  /** Whether the store's last answer was a refusal: this member is not (or no longer) in the group. */
  get refusedNow(): boolean {
    return this.#refusedNow;
  }

  /** Whether the store's last answer accepted this instance's name: it holds the membership now. */
  get holds(): boolean {
    return this.#joined && !this.#refusedNow;
  }

  /** The store accepted the name. */
  accepted(): void {
    this.#refusedNow = false;
    if (!this.#joined && this.#refusedAt !== undefined) {
      this.logger.info("Member name free again; joining the group", {
        ...this.site,
        waitedMs: Math.round(performance.now() - this.#refusedAt),
      });
    }
    this.#joined = true;
    this.#refusedAt = undefined;
  }

  /**
   * The store refused the heartbeat sent at `sentAt` (performance.now()):
   * returns to wait another heartbeat, or throws the error that ends the member.
   *
   * @throws {ValidationError} at `options.member` when the holder is live or took the name from this member
   */
  refused(sentAt: number, cause: unknown): void {
    const { group, member, leaseTtl, heartbeatInterval } = this.settings;
    this.#refusedNow = true;
    if (this.#joined) {
      throw new ValidationError(
        "options.member",
        member,
        `another running instance took this name in group ${
          JSON.stringify(group)
        } while this one's membership had expired (a pause longer than leaseTtl); this instance stands down so that no partition is handled twice: ${WHAT_TO_DO}`,
        { cause },
      );
    }
    const now = performance.now();
    if (this.#refusedAt === undefined) {
      this.#refusedAt = now;
      this.logger.warn(
        "Member name in use by another instance; waiting for its membership to expire",
        {
          ...this.site,
          leaseTtl,
        },
      );
      return;
    }
    // A crashed holder's membership expired within leaseTtl of the first refusal;
    // one heartbeat more of margin for the two clocks' rates.
    if (sentAt - this.#refusedAt <= leaseTtl + heartbeatInterval) return;
    throw new ValidationError(
      "options.member",
      member,
      `another running instance holds this name in group ${
        JSON.stringify(group)
      }: it kept renewing its membership for ${
        Math.round(now - this.#refusedAt)
      } ms (more than leaseTtl) while this one waited; ${WHAT_TO_DO}`,
      { cause },
    );
  }
}
