// From `git push` to a running application in three languages, one scenario each: a static site
// (deliver-static.ts), a Node.js app (deliver-node.ts) and a Java servlet project on Tomcat
// (deliver-java.ts). They share one `wharf up --nodes 1` and its step images, as one cluster serves
// a company's teams: each scenario works in a namespace, a repository and an Ingress host of its
// own, and deletes its namespace when done. One cluster instead of three saves its start, the step
// image builds and the node's first pulls of them twice. `-t 'Node.js'` runs one scenario.
// Needs root, runc, the CNI plugins and iptables (the Java scenario also a JDK).
import { afterAll, beforeAll, describe } from 'vitest';
import { runcUnavailable } from '@wharf/testing';
import { DeliverCluster } from './deliver-harness.js';
import { describeJavaApp } from './deliver-java.js';
import { describeNodeApp } from './deliver-node.js';
import { describeStaticSite } from './deliver-static.js';

const skip = runcUnavailable();

describe.skipIf(skip !== '')(`git push to a running application ${skip}`, () => {
  let cluster: DeliverCluster | undefined;
  const started = (): DeliverCluster => {
    if (!cluster) throw new Error('the deliver cluster did not start');
    return cluster;
  };

  beforeAll(async () => {
    cluster = await DeliverCluster.start();
  }, 600_000);

  afterAll(async () => {
    await cluster?.stop();
  }, 120_000);

  describeStaticSite(started);
  describeNodeApp(started);
  describeJavaApp(started);
});
