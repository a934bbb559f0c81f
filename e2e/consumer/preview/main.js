// A user's playground page: the overlay in @vellum/worker's worker, its files served to an iframe by
// @vellum/preview's Service Worker (sw.js, built by this app's own Vite config from the tarball).
import { registerPreview } from '@vellum/preview';
import { createOverlayWorker } from '@vellum/worker';

const fs = await createOverlayWorker({
  lowers: [
    {
      type: 'memory',
      tree: {
        'index.html': '<!doctype html><title>app</title><script type="module" src="./main.ts"></script>',
        'main.ts':
          "import { greet } from './greet';\nconst out: HTMLElement = document.createElement('p');\nout.id = 'out';\nout.textContent = greet('preview');\ndocument.body.append(out);\n",
        'greet.ts': "export const greet = (who: string): string => 'served to the ' + who;\n",
      },
    },
  ],
  upper: { type: 'memory' },
});
await registerPreview({ script: '/sw.js', scope: '/preview/', connect: () => fs.port() });
Object.assign(window, { vellum: { write: (path, text) => fs.writeFile(path, text) } });
const frame = document.getElementById('preview');
frame.addEventListener('load', () => {
  document.title = 'ready';
});
frame.src = '/preview/';
