// Renders the monitor (source/app.tsx) against an animated fake store, to look at it as a user
// would, straight from source:
//   npm run preview [-- --no-demo --many]
//   node --import=tsx scripts/preview/preview.tsx [--no-demo] [--many]
// A developer tool: it lives outside source/ so it is neither built nor published.
import process from 'node:process';
import {PreviewStore} from './preview-store.js';

// React and Ink pick their development or production build at import time.
process.env['NODE_ENV'] = 'production';

const {render} = await import('ink');
const {createElement} = await import('react');
const {default: App} = await import('../../source/monitor/app.js');

const many = process.argv.includes('--many');
const store = new PreviewStore({
	demo: !process.argv.includes('--no-demo'),
	accountNames: many
		? ['home', 'work', 'side-project', 'console', 'a-really-long-account-name-for-testing', 'six', 'seven', 'eight', 'nine', 'ten']
		: undefined,
});
store.start();

const instance = render(createElement(App, {
	store,
	onQuit() {
		store.stop();
		instance.unmount();
	},
}), {exitOnCtrlC: false});

await instance.waitUntilExit();
