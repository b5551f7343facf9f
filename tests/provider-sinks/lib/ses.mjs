// The SES v2 SendEmail stand-in: POST /v2/email/outbound-emails.
// Verifies the signature (ses-auth.mjs), validates the body the way SES
// would refuse it, and turns an accepted request into a readable message
// record. Replies and errors follow SES's REST-JSON shape: a JSON
// {"message"} body plus the x-amzn-ErrorType header that SDKs key on.
//
// Returns a result object instead of writing to the response so that the
// router does the responding, logging and storing in one place.

import { randomUUID } from 'node:crypto';
import { verifySesAuth } from './ses-auth.mjs';
import { parseMessage, splitAddressList } from './mime.mjs';
import { emailAddress } from './validate.mjs';

export const SEND_EMAIL_PATH = '/v2/email/outbound-emails';
const MAX_RECIPIENTS = 50; // SES's per-message limit

const ERROR_TYPES = {
  400: 'BadRequestException',
  403: 'AccessDeniedException',
  404: 'NotFoundException',
  429: 'TooManyRequestsException',
  500: 'InternalFailure',
  503: 'ServiceUnavailable',
};

function error(status, type, message) {
  return {
    status,
    outcome: 'rejected',
    error: type,
    headers: { 'x-amzn-ErrorType': type, 'x-amzn-RequestId': randomUUID() },
    body: { message },
  };
}

const badRequest = (message) => error(400, 'BadRequestException', message);

// Real ids look like 0100018f2c3d4e5f-<uuid>-000000; a look-alike helps
// spot the sink's ids in logs that also hold real ones.
function messageId() {
  const time = Date.now().toString(16).padStart(12, '0');
  return `0100${time}-${randomUUID()}-000000`;
}

function checkAddressList(list, field, { required }) {
  if (list === undefined || list === null) {
    return required ? `Destination.${field} is required and must be a non-empty array.` : null;
  }
  if (!Array.isArray(list)) return `Destination.${field} must be an array of strings.`;
  if (required && list.length === 0) return `Destination.${field} must not be empty.`;
  for (const address of list) {
    if (!emailAddress(address)) return `Destination.${field} contains an invalid address: ${JSON.stringify(address)}.`;
  }
  return null;
}

function textPart(part, where) {
  if (part === undefined) return { value: null };
  if (!part || typeof part.Data !== 'string') return { error: `${where}.Data must be a string.` };
  return { value: part.Data, charset: part.Charset ?? null };
}

function simpleContent(simple) {
  if (!simple || typeof simple !== 'object') return { error: 'Content.Simple must be an object.' };
  const subject = textPart(simple.Subject, 'Content.Simple.Subject');
  if (subject.error) return subject;
  if (subject.value === null) return { error: 'Content.Simple.Subject is required.' };
  if (!simple.Body || typeof simple.Body !== 'object') return { error: 'Content.Simple.Body is required.' };
  const text = textPart(simple.Body.Text, 'Content.Simple.Body.Text');
  if (text.error) return text;
  const html = textPart(simple.Body.Html, 'Content.Simple.Body.Html');
  if (html.error) return html;
  if (text.value === null && html.value === null) {
    return { error: 'Content.Simple.Body needs Text or Html (or both).' };
  }
  return {
    content: {
      kind: 'simple',
      subject: subject.value,
      text: text.value,
      html: html.value,
      charsets: { subject: subject.charset, text: text.charset, html: html.charset },
      headers: simple.Headers ?? [],
    },
  };
}

function rawContent(raw) {
  if (!raw || typeof raw.Data !== 'string' || raw.Data === '') {
    return { error: 'Content.Raw.Data must be a non-empty base64 string.' };
  }
  if (!/^[A-Za-z0-9+/\s]*={0,2}\s*$/.test(raw.Data)) return { error: 'Content.Raw.Data is not valid base64.' };
  const text = Buffer.from(raw.Data, 'base64').toString('utf8');
  const { headers, body } = parseMessage(text);
  const first = (name) => headers[name]?.[0] ?? null;
  return {
    content: {
      kind: 'raw',
      subject: first('subject'),
      from: first('from'),
      to: splitAddressList(first('to')),
      cc: splitAddressList(first('cc')),
      raw_headers: headers,
      raw_body: body,
      raw_message: text,
    },
  };
}

function templateContent(template) {
  if (!template || (typeof template.TemplateName !== 'string' && typeof template.TemplateArn !== 'string')) {
    return { error: 'Content.Template needs TemplateName or TemplateArn.' };
  }
  return {
    content: {
      kind: 'template',
      subject: null,
      template_name: template.TemplateName ?? null,
      template_arn: template.TemplateArn ?? null,
      template_data: template.TemplateData ?? null,
    },
  };
}

function parseContent(content) {
  if (!content || typeof content !== 'object') return { error: 'Content is required.' };
  const kinds = ['Simple', 'Raw', 'Template'].filter((k) => content[k] !== undefined);
  if (kinds.length !== 1) return { error: `Content must hold exactly one of Simple, Raw or Template (got ${kinds.join(', ') || 'none'}).` };
  if (kinds[0] === 'Simple') return simpleContent(content.Simple);
  if (kinds[0] === 'Raw') return rawContent(content.Raw);
  return templateContent(content.Template);
}

// Validates a parsed SendEmail body; returns {error} or {message}.
export function parseSendEmail(request) {
  if (!request || typeof request !== 'object' || Array.isArray(request)) {
    return { error: 'Request body must be a JSON object.' };
  }
  const parsed = parseContent(request.Content);
  if (parsed.error) return parsed;
  const content = parsed.content;
  const isRaw = content.kind === 'raw';

  // Raw messages may carry sender and recipients in their own headers;
  // everything else must say them in the request.
  const from = request.FromEmailAddress ?? (isRaw ? content.from : undefined);
  if (from === undefined || from === null || from === '') return { error: 'FromEmailAddress is required.' };
  if (!emailAddress(from)) return { error: `FromEmailAddress is not a valid address: ${JSON.stringify(from)}.` };

  const destination = request.Destination;
  if (destination !== undefined && (typeof destination !== 'object' || destination === null)) {
    return { error: 'Destination must be an object.' };
  }
  if (!isRaw && !destination) return { error: 'Destination is required.' };
  const dest = destination ?? {};
  const listError =
    checkAddressList(dest.ToAddresses, 'ToAddresses', { required: !isRaw }) ??
    checkAddressList(dest.CcAddresses, 'CcAddresses', { required: false }) ??
    checkAddressList(dest.BccAddresses, 'BccAddresses', { required: false });
  if (listError) return { error: listError };
  const to = dest.ToAddresses ?? (isRaw ? content.to : []);
  const cc = dest.CcAddresses ?? (isRaw ? content.cc : []);
  const bcc = dest.BccAddresses ?? [];
  if (to.length + cc.length + bcc.length === 0) return { error: 'The message has no recipients.' };
  if (to.length + cc.length + bcc.length > MAX_RECIPIENTS) {
    return { error: `Recipient count exceeds ${MAX_RECIPIENTS}.` };
  }
  for (const address of [...to, ...cc]) {
    if (!emailAddress(address)) return { error: `Recipient is not a valid address: ${JSON.stringify(address)}.` };
  }

  const replyTo = request.ReplyToAddresses ?? [];
  if (!Array.isArray(replyTo) || replyTo.some((a) => !emailAddress(a))) {
    return { error: 'ReplyToAddresses must be an array of valid addresses.' };
  }

  const { kind, ...rest } = content;
  return {
    message: {
      content_type: kind,
      from,
      to,
      cc,
      bcc,
      reply_to: replyTo,
      ...rest,
      configuration_set: request.ConfigurationSetName ?? null,
      tags: request.EmailTags ?? [],
    },
  };
}

function summarise(message) {
  const subject = message.subject ?? (message.template_name ? `template ${message.template_name}` : '(no subject)');
  return `E-mail from ${message.from} to ${[...message.to, ...message.cc, ...message.bcc].join(', ')}: ${JSON.stringify(subject)}`;
}

export const ses = {
  name: 'ses',

  owns(pathname) {
    return pathname.startsWith('/v2/');
  },

  handle({ method, rawUrl, pathname, pairs, body, config, now }) {
    if (pathname !== SEND_EMAIL_PATH || method !== 'POST') {
      return error(404, 'UnknownOperationException', `provider-sinks implements only POST ${SEND_EMAIL_PATH}, not ${method} ${pathname}.`);
    }
    const denied = verifySesAuth({ method, rawUrl, pairs, body, aws: config.aws, now });
    if (denied) return error(denied.status, denied.type, denied.message);

    const contentType = pairs.find(([n]) => n.toLowerCase() === 'content-type')?.[1] ?? '';
    if (!/^application\/json\s*(;|$)/i.test(contentType)) {
      return badRequest(`Content-Type must be application/json, got '${contentType}'.`);
    }
    let request;
    try {
      request = JSON.parse(body.toString('utf8'));
    } catch (err) {
      return badRequest(`Request body is not valid JSON: ${err.message}`);
    }
    const parsed = parseSendEmail(request);
    if (parsed.error) return badRequest(parsed.error);

    const id = messageId();
    return {
      status: 200,
      outcome: 'accepted',
      headers: { 'x-amzn-RequestId': randomUUID() },
      body: { MessageId: id },
      messageId: id,
      message: parsed.message,
      summary: summarise(parsed.message),
    };
  },

  injected(step) {
    const type = step.type ?? ERROR_TYPES[step.status] ?? (step.status >= 500 ? 'InternalFailure' : 'BadRequestException');
    const result = error(step.status, type, step.message ?? `provider-sinks injected ${step.status} (fail plan).`);
    return { ...result, outcome: 'injected' };
  },
};
