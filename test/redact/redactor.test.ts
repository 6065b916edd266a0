import { describe, expect, it } from 'vitest';
import { createRedactor } from '../../src/redact/redactor.js';

const r = createRedactor();

// [line, secret that must disappear, text that must remain (the key name, the context)]
const SECRETS: Array<[string, string, string]> = [
  ['psycopg2.OperationalError: connection to postgresql://etl:S3cr3tPw@db.internal:5432/warehouse failed', 'S3cr3tPw', 'postgresql://etl:[REDACTED]@db.internal:5432/warehouse'],
  ['Connecting to mysql://root:hunter2!@10.0.0.5/sales', 'hunter2!', 'mysql://root:[REDACTED]@10.0.0.5/sales'],
  ['redis://:verysecretredis@cache:6379/0 unreachable', 'verysecretredis', 'redis://:[REDACTED]@cache'],
  ['fetching https://deploy:tok3nValue@git.example.com/repo.git', 'tok3nValue', 'https://deploy:[REDACTED]@git.example.com'],
  ['level=error msg="login failed" password=Tr0ub4dor&3 user=etl', 'Tr0ub4dor&3', 'password=[REDACTED]'],
  ['DB_PASSWORD=ch4ng3me exported', 'ch4ng3me', 'DB_PASSWORD=[REDACTED]'],
  ['{"user":"etl","password":"p@ss w0rd with spaces","retry":3}', 'p@ss w0rd', '"password":"[REDACTED]"'],
  ['{"password": "hunter2", "host": "db"}', 'hunter2', '"password": "[REDACTED]"'],
  ["config: {'client_secret': 'abcDEF123456ghi'}", 'abcDEF123456ghi', "'client_secret': '[REDACTED]'"],
  ['secret=shh-its-a-secret&next=1', 'shh-its-a-secret', 'secret=[REDACTED]&next=1'],
  ['calling api with token=abcdef0123456789', 'abcdef0123456789', 'token=[REDACTED]'],
  ['access_token: ya29.a0AfH6SMBx3x4mple', 'ya29.a0AfH6SMBx3x4mple', 'access_token: [REDACTED]'],
  ['api_key=9f8e7d6c5b4a39281706 rejected', '9f8e7d6c5b4a39281706', 'api_key=[REDACTED]'],
  ['X-API-Key: 0123456789abcdef0123', '0123456789abcdef0123', 'X-API-Key: [REDACTED]'],
  ['headers={"Authorization": "Bearer abc.def.ghi-very-long-token-value"}', 'abc.def.ghi-very-long-token-value', 'Bearer [REDACTED]'],
  ['> Authorization: Basic ZXRsOmh1bnRlcjI=', 'ZXRsOmh1bnRlcjI=', 'Authorization: Basic [REDACTED]'],
  ['curl -H "Authorization: token ghs_notReallyLongEnoughButStill"', 'ghs_notReallyLongEnoughButStill', 'Authorization: token [REDACTED]'],
  ['request failed: Bearer 4f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c (401)', '4f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c', 'Bearer [REDACTED] (401)'],
  ['botocore: using key AKIAIOSFODNN7EXAMPLE for s3', 'AKIAIOSFODNN7EXAMPLE', '[REDACTED:aws_access_key]'],
  ['temp creds ASIAY34FZKBOKMUTVV7A expired', 'ASIAY34FZKBOKMUTVV7A', '[REDACTED:aws_access_key]'],
  ['aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', 'aws_secret_access_key = '],
  ['AWS secret wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY leaked', 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', '[REDACTED:aws_secret_key]'],
  ['slack: invalid_auth for xoxb-1234567890-0987654321-AbCdEfGhIjKlMnOpQrStUvWx', 'xoxb-1234567890', '[REDACTED:slack_token]'],
  ['user token xoxp-11111-22222-33333-abcdef', 'xoxp-11111', '[REDACTED:slack_token]'],
  ['posting to https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX failed', 'XXXXXXXXXXXXXXXXXXXXXXXX', '[REDACTED:slack_webhook] failed'],
  ['openai.AuthenticationError: Incorrect API key provided: sk-proj-abcdefghijklmnopqrstuvwxyz0123456789', 'sk-proj-abcdefghij', '[REDACTED:openai_key]'],
  ['OPENAI key sk-abcdefghijklmnopqrstuvwxyz012345 used', 'sk-abcdefghijklmnop', '[REDACTED:openai_key]'],
  ['google.api_core.exceptions: key=AIzaSyA1b2C3d4E5f6G7h8I9j0KlMnOpQrStUvW invalid', 'AIzaSyA1b2C3d4E5f6G7h8I9j0KlMnOpQrStUvW', 'key=[REDACTED'],
  ['using AIzaSyA1b2C3d4E5f6G7h8I9j0KlMnOpQrStUvW for geocoding', 'AIzaSyA1b2C3d4E5f6G7h8I9j0KlMnOpQrStUvW', '[REDACTED:google_api_key] for geocoding'],
  ['git clone with ghp_abcdefghijklmnopqrstuvwxyz0123456789AB', 'ghp_abcdefghijklmnopqrstuvwxyz0123456789AB', '[REDACTED:github_token]'],
  ['pat github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz', 'github_pat_11ABCDEFG', '[REDACTED:github_token]'],
  [
    'jwt rejected: eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4ifQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c',
    'SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c',
    'jwt rejected: [REDACTED:jwt]',
  ],
  [
    'loaded key -----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA7x2Yq\nabcdefghijk\n-----END RSA PRIVATE KEY----- from env',
    'MIIEowIBAAKCAQEA7x2Yq',
    'loaded key [REDACTED:private_key] from env',
  ],
  ['truncated -----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAAS', 'MIIEvQIBADANBgkqhkiG9w0BAQEFAAS', 'truncated [REDACTED:private_key]'],
  ['password: correcthorsebatterystaple', 'correcthorsebatterystaple', 'password: [REDACTED]'],
  ['Driver={ODBC Driver 18};Server=db;UID=etl;PWD=s3cr3t;', 's3cr3t', 'PWD=[REDACTED];'],
  ['pg_dump --password=SuperSecret1 --host db', 'SuperSecret1', '--password=[REDACTED]'],
  ['stripe error for sk_live_51HxYzAbCdEfGhIjKlMn', 'sk_live_51HxYzAbCdEfGhIjKlMn', '[REDACTED:stripe_key]'],
  // Issue 11, finding 6: forms that used to pass.
  ['could not connect to postgres://etl:p@ss/w0rd@db.internal:5432/warehouse', 'w0rd', 'postgres://etl:[REDACTED]@db.internal:5432/warehouse'],
  ['redis://:p#ss:w@rd@cache:6379/0 unreachable', 'rd@cache:6379', 'redis://:[REDACTED]@cache:6379/0'],
  ['+ mysql -u etl -pS3cr3t -h db warehouse', 'S3cr3t', '-p[REDACTED] -h db'],
  ['mysqldump --user=etl --password S3cr3t warehouse', 'S3cr3t', '--password [REDACTED] warehouse'],
  ['sshpass -p hunter2 ssh etl@db', 'hunter2', 'sshpass -p [REDACTED] ssh'],
  ['using AKIAIOSFODNN7EXAMPLE wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY for s3', 'wJalrXUtnFEMI', '[REDACTED:aws_access_key] [REDACTED:aws_secret_key] for s3'],
  ['creds=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY AKIAIOSFODNN7EXAMPLE', 'wJalrXUtnFEMI', 'creds=[REDACTED'],
  ['login rejected, password: hunter', 'hunter', 'password: [REDACTED]'],
  ['login rejected: Password is "opensesame"', 'opensesame', 'Password is "[REDACTED]"'],
  ['the secret is swordfish2', 'swordfish2', 'the secret is [REDACTED]'],
  ['pwd: x', ': x', 'pwd: [REDACTED]'],
];

// Lines that look close to a secret but are not one: they must come out unchanged.
const NEAR_MISSES = [
  'token_count=42 prompt_tokens=1200 max_tokens=4096',
  'password_reset_sent=true for user 42',
  'Bearer of bad news: the upstream API returned 503',
  'passwordless login enabled',
  'FATAL: password authentication failed for user "etl"',
  'tokenizer loaded in 120ms',
  'secretary=Bob department=finance',
  'commit 4b825dc642cb6eb9a060e54bf8d69288fbee4904 deployed',
  'GET https://api.example.com/v1/items?page=2 200',
  'connected to postgresql://db.internal:5432/warehouse as etl',
  'email bounced for ops@example.com',
  'risk-assessment-2026 finished; sk-learn model v1.2 loaded',
  'keyboard interrupt received',
  'RangeError: Division by zero at transform_data (transform.ts:57)',
  'the key "customer_id" is missing from row 17',
  'password: null',
  'slack: invalid_token: Token has expired',
  'secret: not found in vault path kv/etl',
  'the password is incorrect for user etl',
  'password is required',
  'GET http://host:8080/path?email=ops@example.com 200',
  'mysql -u etl -p -h db',
];

describe('redactor: built-in patterns', () => {
  it.each(SECRETS)('masks %s', (line, secret, kept) => {
    const out = r.redact(line);
    expect(out).not.toContain(secret);
    expect(out).toContain(kept);
  });

  it.each(NEAR_MISSES)('leaves alone: %s', (line) => {
    expect(r.redact(line)).toBe(line);
  });

  it('is idempotent: redacting twice changes nothing more', () => {
    for (const [line] of SECRETS) {
      const once = r.redact(line);
      expect(r.redact(once)).toBe(once);
    }
  });

  it('masks every secret on a line that holds several', () => {
    const line = 'cfg password=a1b2c3 token=xyz789 url=postgres://u:pw9@h/db key AKIAIOSFODNN7EXAMPLE';
    const out = r.redact(line);
    for (const s of ['a1b2c3', 'xyz789', 'pw9', 'AKIAIOSFODNN7EXAMPLE']) expect(out).not.toContain(s);
    expect(out).toContain('password=[REDACTED]');
  });
});

describe('redactor: user patterns from sentinel.yaml', () => {
  it('applies extra patterns with the default and a custom replacement', () => {
    const custom = createRedactor([
      { name: 'employee_id', regex: 'EMP-\\d{6}' },
      { name: 'iban', regex: '(?i)\\b(iban[=:]\\s*)[A-Z]{2}\\d{2}[A-Z0-9]{10,30}', replacement: '$1[REDACTED:iban]' },
    ]);
    expect(custom.redact('payroll for EMP-123456 failed')).toBe('payroll for [REDACTED:employee_id] failed');
    expect(custom.redact('IBAN=DE89370400440532013000 rejected')).toBe('IBAN=[REDACTED:iban] rejected');
    // Built-ins still apply alongside.
    expect(custom.redact('password=x1y2 EMP-000001')).toBe('password=[REDACTED] [REDACTED:employee_id]');
  });

  it('rejects an invalid user regex with a config error naming the pattern', () => {
    expect(() => createRedactor([{ name: 'broken', regex: '(unclosed' }])).toThrow(/broken/);
  });
});
