/**
 * Every consumer of this repository, by its manifest: the one list infra, the local scripts, the
 * chaos run and the benchmark read. `npm run new:consumer -- <name>` adds to it.
 */
import type { ConsumerManifest } from '../shared';
import essayFeedback from './essay-feedback/manifest';
import essayLifecycle from './essay-lifecycle/manifest';
import spellchecker from './spellchecker/manifest';

/**
 * The manifests, in deployment order.
 *
 * @example
 * ```ts
 * for (const manifest of MANIFESTS) console.log(manifest.service, manifest.topics);
 * ```
 */
export const MANIFESTS: readonly ConsumerManifest[] = [essayLifecycle, spellchecker, essayFeedback];
