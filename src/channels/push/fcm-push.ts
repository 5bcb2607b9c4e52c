import { accepted, retryable, type ChannelProvider, type Clock } from '../channel.js';
import { failureFromNetwork, failureFromResponse, parseJson, sendHttp } from '../http/send-http.js';
import { createGoogleAccessToken, FCM_SCOPE, type GoogleServiceAccount } from './google-access-token.js';

export interface FcmPushOptions {
  readonly serviceAccount: GoogleServiceAccount;
  /** Default `https://fcm.googleapis.com`. */
  readonly baseUrl?: string;
  readonly now?: Clock;
  readonly timeoutMs?: number;
}

interface FcmError {
  readonly error?: {
    readonly status?: string;
    readonly message?: string;
    readonly details?: readonly {
      readonly errorCode?: string;
      readonly fieldViolations?: readonly { field?: string }[];
    }[];
  };
}

/** FCM error codes (firebase.google.com/docs/reference/fcm/rest/v1/ErrorCode) that mean the token is dead. */
function isDeadToken(e: FcmError['error']): boolean {
  const details = e?.details ?? [];
  if (details.some((d) => d.errorCode === 'UNREGISTERED')) return true;
  // INVALID_ARGUMENT naming message.token: the token is malformed for this project.
  return details.some((d) => d.fieldViolations?.some((f) => f.field === 'message.token'));
}

/**
 * Mobile push through FCM HTTP v1 (firebase.google.com/docs/reference/fcm/rest/v1/projects.messages/send):
 * `POST /v1/projects/{project_id}/messages:send` with `{ message: { token, notification, data } }` and
 * an OAuth token from the service account (signed locally). The answer's `name` is the message id.
 * UNREGISTERED marks the token dead; 429/5xx retry (after Retry-After); 401 refreshes the token.
 *
 * @example createFcmPush({ serviceAccount: JSON.parse(readFileSync('sa.json', 'utf8')) })
 */
export function createFcmPush(options: FcmPushOptions): ChannelProvider<'push'> {
  const now = options.now ?? Date.now;
  const url = `${options.baseUrl ?? 'https://fcm.googleapis.com'}/v1/projects/${encodeURIComponent(options.serviceAccount.project_id)}/messages:send`;
  const tokens = createGoogleAccessToken(options.serviceAccount, { scope: FCM_SCOPE, now });
  return {
    channel: 'push',
    name: 'fcm',
    async send(message) {
      const c = message.content;
      let accessToken: string;
      try {
        accessToken = await tokens.get();
      } catch (e) {
        return retryable(`fcm auth: ${(e as Error).message}`);
      }
      const data = { ...c.data, ...(c.deepLink ? { deep_link: c.deepLink } : {}) };
      const body = JSON.stringify({
        message: {
          token: message.to,
          notification: { title: c.title, body: c.body, ...(c.image ? { image: c.image } : {}) },
          ...(Object.keys(data).length > 0 ? { data } : {}),
          ...(c.deepLink ? { android: { notification: { click_action: 'OPEN_DEEP_LINK' } } } : {}),
        },
      });
      const r = await sendHttp({
        url,
        headers: { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json' },
        body,
        ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
      });
      if (!r.ok) return failureFromNetwork('fcm', r);
      const json = parseJson(r.response.text) as ({ name?: string } & FcmError) | undefined;
      if (r.response.status === 200 && json?.name) return accepted(json.name);
      if (r.response.status === 401) {
        tokens.invalidate();
        return retryable('fcm 401: access token rejected, refreshed for the next attempt', {
          httpStatus: 401,
        });
      }
      const detail = json?.error
        ? `${json.error.details?.find((d) => d.errorCode)?.errorCode ?? json.error.status} ${json.error.message ?? ''}`.trim()
        : undefined;
      return failureFromResponse('fcm', r.response, {
        now,
        invalidToken: isDeadToken(json?.error),
        ...(detail ? { detail } : {}),
      });
    },
  };
}
