/** jest `globalTeardown` of the `localstack` project: stops the LocalStack the setup started. */
export { teardownLocalStack as default } from '../helpers/localstack';
