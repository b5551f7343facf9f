// Request dispatch: control endpoints, then provider by path prefix, with
// the fail plan applied in between. This is the one place that responds,
// appends to requests.log and stores accepted messages, so every request is
// accounted for exactly once however it ends.

import { ses } from './ses.mjs';
import { twilio } from './twilio.mjs';
import { webhook } from './webhook.mjs';
import { CONTROL_PREFIX, handleControl } from './control.mjs';
import { FailPlanError, takeStep } from './fail-plan.mjs';
import { BodyTooLargeError, headerPairs, readBody, redactedHeaders, sendJson, sleep } from './http.mjs';

const PROVIDERS = [ses, twilio, webhook];

function isSuccess(status) {
  return status >= 200 && status < 300;
}

export function createHandler({ config, outbox, log = (line) => process.stderr.write(`${line}\n`) }) {
  async function handle(req, res) {
    const receivedAt = new Date();
    const url = new URL(req.url, 'https://provider-sinks.invalid');

    if (url.pathname.startsWith(CONTROL_PREFIX)) {
      if (!config.control) return sendJson(res, 404, { message: 'control endpoints are off; start the sink with --control' });
      return handleControl({ req, res, url, outbox });
    }

    // A request whose client has gone is still processed (a real provider
    // that has the whole request sends the message anyway); this records
    // that nobody saw the answer, which is what a retry test needs to know.
    let clientClosed = false;
    res.on('close', () => {
      if (!res.writableFinished) clientClosed = true;
    });

    const provider = PROVIDERS.find((p) => p.owns(url.pathname)) ?? null;
    const entry = { at: receivedAt.toISOString(), provider: provider?.name ?? null, method: req.method, path: req.url };
    const finish = (result, extra = {}) => {
      Object.assign(entry, { status: result.status, outcome: result.outcome, error: result.error ?? null }, extra);
      if (clientClosed) entry.client_closed = true;
      entry.duration_ms = Date.now() - receivedAt.getTime();
      outbox.logRequest(entry);
      log(
        `${entry.at} ${entry.provider ?? '-'} ${req.method} ${req.url} -> ${result.status ?? (result.reset ? 'reset' : '-')} ${result.outcome}` +
          `${result.error ? ` ${result.error}` : ''}${entry.file ? ` ${entry.file}` : ''}${clientClosed ? ' (client gone)' : ''}`,
      );
      // Logged before the client can observe the outcome, so a test that
      // has its answer (or its reset) can count on the line being there.
      if (result.reset) req.socket.destroy();
      else if (result.status !== undefined && !clientClosed && !res.headersSent) {
        sendJson(res, result.status, result.body, result.headers);
      }
    };

    let body;
    try {
      body = await readBody(req);
    } catch (err) {
      if (err instanceof BodyTooLargeError) {
        return finish({ status: 413, outcome: 'rejected', error: 'PayloadTooLarge', body: { message: err.message }, headers: { connection: 'close' } });
      }
      return finish({ status: undefined, outcome: 'client-aborted', error: err.message });
    }
    entry.body_bytes = body.length;

    if (!provider) {
      return finish({
        status: 404,
        outcome: 'not-found',
        body: {
          message: `provider-sinks has nothing at ${url.pathname}: SES is POST /v2/email/outbound-emails, Twilio is POST /2010-04-01/Accounts/{AccountSid}/Messages.json, webhooks are POST /webhook/...`,
        },
      });
    }

    let step = null;
    try {
      step = takeStep(config.failPlan, provider.name);
    } catch (err) {
      if (!(err instanceof FailPlanError)) throw err;
      return finish({ status: 500, outcome: 'sink-error', error: 'FailPlanError', body: { message: `provider-sinks: ${err.message}` } });
    }
    if (step) entry.injected = step;
    if (step?.delay_ms) await sleep(step.delay_ms);
    if (step?.reset) return finish({ status: undefined, outcome: 'injected', error: 'connection-reset', reset: true });

    const result =
      step?.status !== undefined && !isSuccess(step.status)
        ? provider.injected(step)
        : provider.handle({
            method: req.method,
            rawUrl: req.url,
            pathname: url.pathname,
            pairs: headerPairs(req),
            body,
            config,
            now: Date.now(),
          });

    if (result.outcome !== 'accepted') return finish(result);

    const stored = await outbox.store(provider.name, result.messageId, {
      message_id: result.messageId,
      received_at: receivedAt.toISOString(),
      summary: result.summary,
      message: result.message,
      request: {
        method: req.method,
        path: req.url,
        headers: redactedHeaders(req),
        body: body.toString('utf8'),
      },
      response: { status: result.status, body: result.body },
    });
    return finish(result, { message_id: result.messageId, file: stored.file });
  }

  return (req, res) => {
    handle(req, res).catch((err) => {
      log(`provider-sinks internal error on ${req.method} ${req.url}: ${err.stack ?? err}`);
      if (!res.headersSent && !res.destroyed) {
        sendJson(res, 500, { message: `provider-sinks internal error: ${err.message}` });
      }
    });
  };
}
