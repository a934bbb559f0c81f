// Vite: the package starts its own worker (`new Worker(new URL('./entry-web.js', import.meta.url))`).
import { start } from './start.js';

start(undefined);
