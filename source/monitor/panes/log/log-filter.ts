// `/` in the log: narrow it to what matters, as lazygit and k9s do. Space-separated terms must all
// match; `account:`, `model:` and `status:` look at one field (status by prefix: `status:4` is
// every 4xx, `status:held`, `status:shunt`), any other word at everything the row says.
import type {LogItem} from './log-items.js';
import {shuntName} from './log-rows.js';

type Fields = {account: string; model: string; status: string; text: string};

function fieldsOf(item: LogItem): Fields {
	switch (item.type) {
		case 'request': {
			const {request} = item;
			const account = request.account ?? shuntName;
			const status = `${request.status} ${request.outcome}${request.account === null ? ` ${shuntName}` : ''}`;
			const attempts = request.attempts.map(attempt => `${attempt.status} ${attempt.account} ${attempt.reason ?? ''}`).join(' ');
			return {
				account, model: request.model, status, text: [account, request.model, status, attempts, request.shuntReason ?? '', request.path].join(' '),
			};
		}

		case 'live': {
			const {live} = item;
			const status = `${live.state} live`;
			return {
				account: live.account ?? '', model: live.model, status, text: [live.account ?? '', live.model, status, live.heldReason ?? ''].join(' '),
			};
		}

		case 'event': {
			const {event} = item;
			return {
				account: event.account ?? '', model: '', status: event.kind, text: `${event.kind} ${event.account ?? ''} ${event.message}`,
			};
		}
	}
}

export type LogFilter = (item: LogItem) => boolean;

/** The filter a typed text means; an empty text keeps everything. */
export function parseFilter(text: string): LogFilter {
	const terms = text.toLowerCase().split(/\s+/).filter(Boolean).map(term => {
		const match = /^(account|model|status):(.*)$/.exec(term);
		return match ? {field: match[1] as keyof Fields, value: match[2]!} : {field: 'text' as const, value: term};
	});
	if (terms.length === 0) {
		return () => true;
	}

	return item => {
		const fields = fieldsOf(item);
		return terms.every(({field, value}) => {
			const haystack = fields[field].toLowerCase();
			return field === 'status' ? haystack.split(' ').some(word => word.startsWith(value)) : haystack.includes(value);
		});
	};
}
