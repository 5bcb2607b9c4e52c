// Bootstrap of the engine's worker thread: TypeScript sources run through tsx's loader, as in the main thread.
import { register } from 'tsx/esm/api';

register();
await import('./engine-worker.ts');
