import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const ROUTE53_NS = 'https://route53.amazonaws.com/doc/2013-04-01/';

/**
 * Route 53 and SESv2 as far as provisioning one school needs them, on loopback, so that the real AWS SDK
 * (its signing, serialisation and HTTP stack, and what instruments them) runs against it. SCS reaches it
 * through `env` (the SDK's service-specific endpoint variables). Route 53's zone is empty to every listing
 * and each change is INSYNC at once; SendEmail is accepted. Every request is kept as `Service Operation`.
 */
export async function startFakeAws() {
  const calls: string[] = [];
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const path = (req.url ?? '').split('?')[0]!;
      const xml = (body: string) =>
        res.writeHead(200, { 'content-type': 'text/xml' }).end(`<?xml version="1.0" encoding="UTF-8"?>\n${body}`);
      if (req.method === 'GET' && /^\/2013-04-01\/hostedzone\/[^/]+\/rrset\/?$/.test(path)) {
        calls.push('Route 53 ListResourceRecordSets');
        return xml(
          `<ListResourceRecordSetsResponse xmlns="${ROUTE53_NS}"><ResourceRecordSets></ResourceRecordSets>` +
            '<IsTruncated>false</IsTruncated><MaxItems>300</MaxItems></ListResourceRecordSetsResponse>',
        );
      }
      if (req.method === 'POST' && /^\/2013-04-01\/hostedzone\/[^/]+\/rrset\/?$/.test(path)) {
        calls.push('Route 53 ChangeResourceRecordSets');
        const info = `<Id>/change/C${calls.length}</Id><Status>INSYNC</Status><SubmittedAt>${new Date().toISOString()}</SubmittedAt>`;
        return xml(
          `<ChangeResourceRecordSetsResponse xmlns="${ROUTE53_NS}"><ChangeInfo>${info}</ChangeInfo></ChangeResourceRecordSetsResponse>`,
        );
      }
      if (req.method === 'POST' && path === '/v2/email/outbound-emails') {
        calls.push('SESv2 SendEmail');
        return res
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify({ MessageId: `m-${calls.length}` }));
      }
      calls.push(`unknown ${req.method} ${path}`);
      res.writeHead(400, { 'content-type': 'application/json' }).end('{"message":"not faked"}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const env = {
    AWS_REGION: 'ap-south-1',
    AWS_ACCESS_KEY_ID: 'AKIAFAKE',
    AWS_SECRET_ACCESS_KEY: 'fake-secret',
    AWS_ENDPOINT_URL_ROUTE_53: url,
    AWS_ENDPOINT_URL_SESV2: url,
    DNS_PROVIDER: 'route53',
    ROUTE53_HOSTED_ZONE_ID: 'ZFAKE123',
    MAIL_PROVIDER: 'ses',
    SES_FROM_EMAIL: 'no-reply@syncad.in',
  };
  return { url, env, calls, stop: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
