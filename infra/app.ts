#!/usr/bin/env node
/**
 * The CDK app, and the only place that reads CDK context:
 *
 * - `-c clusterArn=arn:aws:kafka:...`: consume from an existing MSK cluster (IAM auth), with
 *   `-c clusterSubnetIds=subnet-...,subnet-... -c clusterSecurityGroupIds=sg-...` its network (where the
 *   event source mappings' network interfaces may be created);
 * - `-c bootstrapServers=host1:9096,host2:9096`: consume from a self-managed cluster instead (with
 *   `-c kafkaAuth=SASL_SCRAM_256|SASL_SCRAM_512|MTLS -c kafkaSecretArn=<complete secret ARN>`, optionally
 *   `-c kafkaRootCaSecretArn=...` and the `clusterSubnetIds`/`clusterSecurityGroupIds` its brokers are reachable from);
 * - `-c kafkaAuth=SASL_SCRAM_512|MTLS -c kafkaSecretArn=...` on MSK (IAM when unset), `-c kafkaSecretKeyArn=...`
 *   for secrets under a customer-managed key;
 * - `-c onFailureTopic=<topic>`: exhausted batches to a Kafka topic of the same cluster instead of the queue;
 * - `-c demo=true`: create a demo VPC and MSK Serverless cluster, and consume from it;
 * - `-c target=localstack`: the LocalStack variant (same constructs, no Kafka trigger);
 * - `-c removalPolicy=destroy`: let `cdk destroy` delete tables, queue and logs (dev stacks).
 *
 * With none of them, `cdk synth` works on a placeholder cluster ARN and warns.
 * The cdk-nag AwsSolutions pack checks every synth; findings fail it unless acknowledged. The infra
 * tests also hold the app to the Serverless and NIST 800-53 rev 5 packs.
 */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { addAppStacks, parseAppConfig } from './app-stacks';

const app = new App();
const config = parseAppConfig({
  target: app.node.tryGetContext('target'),
  clusterArn: app.node.tryGetContext('clusterArn'),
  clusterSubnetIds: app.node.tryGetContext('clusterSubnetIds'),
  clusterSecurityGroupIds: app.node.tryGetContext('clusterSecurityGroupIds'),
  demo: app.node.tryGetContext('demo'),
  removalPolicy: app.node.tryGetContext('removalPolicy'),
  bootstrapServers: app.node.tryGetContext('bootstrapServers'),
  kafkaAuth: app.node.tryGetContext('kafkaAuth'),
  kafkaSecretArn: app.node.tryGetContext('kafkaSecretArn'),
  kafkaSecretKeyArn: app.node.tryGetContext('kafkaSecretKeyArn'),
  kafkaRootCaSecretArn: app.node.tryGetContext('kafkaRootCaSecretArn'),
  onFailureTopic: app.node.tryGetContext('onFailureTopic'),
});
addAppStacks(app, config);
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
app.synth();
