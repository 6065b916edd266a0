// Cloud SDKs (AWS / boto3, Google Cloud, Azure): permission, missing object, throttling, credentials.
import { packRule, type RulePack } from './pack.js';

const r = (spec: Parameters<typeof packRule>[1]) => packRule('cloud', spec);

export const cloudPack: RulePack = {
  name: 'cloud',
  description: 'Cloud SDK errors: AccessDenied, NoSuchKey, throttling, missing credentials.',
  rules: [
    r({
      id: 'credentials',
      description: 'No usable cloud credentials (missing, expired, invalid).',
      severity: 'error',
      priority: 81,
      match: {
        regex: String.raw`NoCredentialsError|Unable to locate credentials|DefaultCredentialsError|Could not load the default credentials|CredentialsProviderError|ExpiredToken(?:Exception)?|InvalidAccessKeyId|SignatureDoesNotMatch|The security token included in the request is (?:invalid|expired)`,
      },
    }),
    r({
      id: 'access-denied',
      description: 'The cloud API refused the call (AccessDenied / 403 / PERMISSION_DENIED).',
      severity: 'error',
      priority: 80,
      match: {
        regex: String.raw`AccessDenied(?:Exception)?|AuthorizationFailed|AuthorizationPermissionMismatch|UnauthorizedOperation|PERMISSION_DENIED|403 Forbidden|is not authorized to perform|does not have [\w.]{1,80} access|does not have sufficient (?:permissions?|privileges?)|Permission '[\w.]{1,120}' denied|Incorrect username or password was specified|[Uu]ser account has been (?:temporarily )?locked|JWT token is invalid`,
      },
    }),
    r({
      id: 'not-found',
      description: 'An object, bucket or resource does not exist (NoSuchKey / 404).',
      severity: 'error',
      priority: 79,
      match: {
        regex: String.raw`NoSuchKey|NoSuchBucket|ResourceNotFoundException|The specified (?:key|bucket|blob|container) does not exist|BlobNotFound|ContainerNotFound|404 Not Found|google\.api_core\.exceptions\.NotFound`,
      },
    }),
    r({
      id: 'throttling',
      description: 'The cloud API throttled the caller.',
      severity: 'warning',
      priority: 78,
      match: {
        all: [
          {
            regex: String.raw`Throttling(?:Exception)?|ThrottledException|TooManyRequestsException|RequestLimitExceeded|ProvisionedThroughputExceeded|SlowDown|Rate exceeded|RESOURCE_EXHAUSTED|429 Too Many Requests|rateLimitExceeded|ServerBusy|Exceeded rate limits|[Rr]ate limit exceeded|Quota exceeded|quotaExceeded|Too Many Requests|exceeded a secondary rate limit`,
          },
          // A warning that the client is retrying the throttled call is the client coping, not the
          // failure: the record that gives up (at error) is, and it names the failing line.
          { not: { all: [{ level: 'warn' }, { regex: String.raw`\b(?:retry|retrying|will retry|backing off|back-?off)\b`, ignore_case: true }] } },
        ],
      },
    }),
  ],
};
