import type { ConsumerManifest } from '../../shared';

/** The spellchecker consumer: each request's text checked, the result stored and cached. */
export default {
  service: 'spellchecker',
  id: 'Spellchecker',
  topics: ['huleedu.essay.spellcheck.requested.v1'],
  mode: 'two-phase',
  tables: {
    // One plain PutItem of the result (two-phase mode: a rerun stores the same item).
    SPELLCHECK_TABLE_NAME: { actions: ['dynamodb:PutItem'] },
  },
  // One hour, as in the seeds; any other type would get the default 24 hours.
  ttlSeconds: { 'huleedu.essay.spellcheck.requested.v1': 3600 },
} as const satisfies ConsumerManifest;
