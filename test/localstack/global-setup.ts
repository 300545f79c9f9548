/** jest `globalSetup` of the `localstack` project: one host-mode LocalStack for the run. */
export { setupLocalStack as default } from '../helpers/localstack';
