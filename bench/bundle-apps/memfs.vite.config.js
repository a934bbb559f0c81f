// memfs imports Node's buffer, events, path, process, stream and url: in a Vite app they come from
// polyfills, here the usual plugin's (without it Vite leaves them out and the app fails in the page).
import { nodePolyfills } from 'vite-plugin-node-polyfills';
import base from './vite.config.js';

export default { ...base, plugins: [nodePolyfills()] };
