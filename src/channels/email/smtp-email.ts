import nodemailer from 'nodemailer';
import type SMTPPool from 'nodemailer/lib/smtp-pool/index.js';
import { accepted, permanent, retryable, type ChannelProvider, type SendOutcome } from '../channel.js';
import { isBeforeConnection } from '../http/send-http.js';
import { domainOf, listUnsubscribeHeaders, messageIdFor } from './email-headers.js';

/** Headers the DKIM signature covers: nodemailer's defaults plus RFC 8058's List-Unsubscribe-Post. */
const DKIM_HEADERS =
  'From:Sender:Reply-To:Subject:Date:Message-ID:To:Cc:MIME-Version:Content-Type:Content-Transfer-Encoding:' +
  'List-Unsubscribe:List-Unsubscribe-Post';

export interface SmtpEmailOptions {
  readonly host: string;
  readonly port: number;
  /** Implicit TLS (port 465). Otherwise STARTTLS is used when the server offers it. */
  readonly secure?: boolean;
  readonly auth?: { readonly user: string; readonly pass: string };
  /** DKIM signing (RFC 6376, relaxed/relaxed, rsa-sha256). */
  readonly dkim?: { readonly domainName: string; readonly keySelector: string; readonly privateKey: string };
  readonly maxConnections?: number;
  readonly maxMessages?: number;
  /** For local relays without TLS. */
  readonly ignoreTLS?: boolean;
  readonly timeoutMs?: number;
}

interface SmtpError {
  readonly code?: string;
  /** The failed system call (`connect`, `getaddrinfo`) and its own code, for socket errors. */
  readonly syscall?: string;
  readonly originalCode?: string;
  readonly responseCode?: number;
  readonly response?: string;
  readonly message: string;
}

/**
 * SMTP reply codes (RFC 5321 §4.2.1): 4yz transient, 5yz permanent; connection errors are transient,
 * and in doubt unless the connection was never made: the server may have queued the message and the
 * connection dropped before its `250`. (nodemailer reports every lost connection alike, whatever the
 * command, so a connection lost before `DATA` is in doubt too: a replay for an operator, never a
 * duplicate.)
 */
export function smtpFailure(e: SmtpError): SendOutcome {
  const reason = `smtp ${e.responseCode ?? e.code ?? 'error'}: ${e.response ?? e.message}`;
  if (e.responseCode !== undefined) return e.responseCode >= 500 ? permanent(reason) : retryable(reason);
  if (e.code === 'EAUTH' || e.code === 'EENVELOPE' || e.code === 'EMESSAGE') return permanent(reason);
  const neverConnected =
    e.syscall === 'connect' || e.syscall === 'getaddrinfo' || isBeforeConnection(e.originalCode ?? e.code);
  return retryable(reason, neverConnected ? {} : { inDoubt: true });
}

/**
 * Email over SMTP with nodemailer: pooled connections, optional DKIM, RFC 8058 one-click unsubscribe
 * headers, and a Message-ID derived from the idempotency key.
 *
 * @example createSmtpEmail({ host: 'smtp.example.com', port: 587, auth: { user, pass }, dkim })
 */
export function createSmtpEmail(options: SmtpEmailOptions): ChannelProvider<'email'> {
  const transportOptions: SMTPPool.Options = {
    pool: true,
    host: options.host,
    port: options.port,
    secure: options.secure ?? false,
    maxConnections: options.maxConnections ?? 5,
    maxMessages: options.maxMessages ?? 100,
    connectionTimeout: options.timeoutMs ?? 15_000,
    socketTimeout: options.timeoutMs ?? 30_000,
    ...(options.ignoreTLS ? { ignoreTLS: true } : {}),
    ...(options.auth ? { auth: options.auth } : {}),
    ...(options.dkim ? { dkim: { ...options.dkim, headerFieldNames: DKIM_HEADERS } } : {}),
  };
  const transport = nodemailer.createTransport(transportOptions);
  return {
    channel: 'email',
    name: 'smtp',
    async send(message) {
      const c = message.content;
      const messageId = messageIdFor(message.idempotencyKey, domainOf(c.from.address));
      try {
        await transport.sendMail({
          from: c.from.name ? { name: c.from.name, address: c.from.address } : c.from.address,
          to: message.to,
          subject: c.subject,
          text: c.text,
          html: c.html,
          messageId,
          ...(c.replyTo
            ? {
                replyTo: c.replyTo.name
                  ? { name: c.replyTo.name, address: c.replyTo.address }
                  : c.replyTo.address,
              }
            : {}),
          headers: { ...c.headers, ...(c.listUnsubscribe ? listUnsubscribeHeaders(c.listUnsubscribe) : {}) },
        });
        return accepted(messageId);
      } catch (e) {
        return smtpFailure(e as SmtpError);
      }
    },
    async close() {
      transport.close();
    },
  };
}
