/** Local wall-clock time as HH:MM:SS (24-hour), for log lines and event messages. */
export function clockTime(epochMs: number): string {
	return new Date(epochMs).toTimeString().slice(0, 8);
}
