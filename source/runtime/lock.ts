import {hostname} from 'node:os';
import {acquireInstanceLock, InstanceLockedError, type InstanceLock} from '../state/instance-lock.js';
import {UserError} from '../util/user-error.js';

/** The data directory's lock for a starting shunt; every way it can fail is one UserError line. */
export function takeLock(dataDir: string, host: string): InstanceLock {
	try {
		return acquireInstanceLock(dataDir, {host});
	} catch (error) {
		if (error instanceof InstanceLockedError) {
			throw new UserError(lockedMessage(error));
		}

		// The directory cannot be made or written (permissions, a file in the way, read-only disk).
		const {code} = error as NodeJS.ErrnoException;
		if (code && ['EACCES', 'EPERM', 'ENOTDIR', 'EEXIST', 'EROFS', 'ENOSPC', 'ELOOP'].includes(code)) {
			const reason = (error as Error).message.split(',')[0]!;
			throw new UserError(`cannot use the data directory ${printable(dataDir)} (${reason}); check it, or set SHUNT_HOME`);
		}

		throw error;
	}
}

/** The refusal, naming the running one's address so the user can find it. */
export function lockedMessage(error: InstanceLockedError): string {
	const {holder, file} = error;
	if (!holder) {
		return `another shunt is starting with this data directory (${printable(file)}); wait for it, or use another SHUNT_HOME`;
	}

	if (holder.hostname !== hostname()) {
		return `another shunt (pid ${holder.pid} on ${printable(holder.hostname)}) holds ${printable(file)}; if it is no longer running, delete that file`;
	}

	if (!holder.url || holder.port === null) {
		return `another shunt (pid ${holder.pid}) is starting with this data directory; stop it, or use another SHUNT_HOME`;
	}

	const hostFlag = holder.host === '127.0.0.1' ? '' : ` --host ${printable(holder.host)}`;
	return `another shunt (pid ${holder.pid}) is already running with this data directory on ${holder.url}; stop it (or \`shunt status${hostFlag} --port ${holder.port}\`), or use another SHUNT_HOME`;
}

// The lock file is input like any other: nothing from it reaches the terminal as a control character.
function printable(text: string): string {
	return text.replaceAll(/[^\u0020-\u007E]/g, '?').slice(0, 300);
}
