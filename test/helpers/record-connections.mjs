// Preloaded into a child process (node --import) by the demo test: records every outgoing TCP
// connection's host, so the test can prove nothing but loopback was contacted.
import process from 'node:process';
import {appendFileSync} from 'node:fs';
import net from 'node:net';

const log = process.env.SHUNT_TEST_CONNECTION_LOG;
const {connect} = net.Socket.prototype;
net.Socket.prototype.connect = function (...args) {
	const first = args[0];
	const options = typeof first === 'object' && first !== null ? (Array.isArray(first) ? first[0] : first) : {port: first, host: args[1]};
	// TCP connections carry a port; Unix-socket ones only a path (http passes its URL path along too).
	if (log && options && options.port !== undefined) {
		appendFileSync(log, `${options.host ?? 'localhost'}\n`);
	}

	return connect.apply(this, args);
};
