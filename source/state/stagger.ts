/** Minimum distance between two accounts' cooldown deadlines. */
export const staggerMs = 5000;

/**
 * Moves a cooldown deadline later until it is at least staggerMs away from every other
 * account's live deadline, so accounts that were limited together never wake together and
 * 429-storm again. Each collision pushes the deadline to 5 s past the deadline it hit; the loop
 * ends because the deadline only grows and there are finitely many others.
 */
export function staggerDeadline(targetMs: number, otherDeadlines: readonly number[], nowMs: number): number {
	const live = otherDeadlines.filter(deadline => deadline > nowMs).toSorted((a, b) => a - b);
	let candidate = targetMs;
	let moved = true;
	while (moved) {
		moved = false;
		for (const deadline of live) {
			if (Math.abs(deadline - candidate) < staggerMs) {
				candidate = deadline + staggerMs;
				moved = true;
			}
		}
	}

	return candidate;
}
