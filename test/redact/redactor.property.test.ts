// Property: a generated secret, placed in any of the contexts logs put secrets in, never survives
// redaction, whatever characters it holds (`@`, `/`, `:`, `#` in a DSN password, any length after
// `password:`), and the text around it stays readable.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createRedactor } from '../../src/redact/redactor.js';

const r = createRedactor();

const chars = (alphabet: string, min: number, max: number): fc.Arbitrary<string> =>
  fc.array(fc.constantFrom(...alphabet.split('')), { minLength: min, maxLength: max }).map((a) => a.join(''));

const ALNUM = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
// A secret always holds a letter and a digit, so it is never one of the words that say a password
// is absent ("password: required") and never a number a log line holds anyway.
const withShape = (body: fc.Arbitrary<string>): fc.Arbitrary<string> =>
  fc.tuple(fc.constantFrom(...'abcXYZ'.split('')), fc.constantFrom(...'0123456789'.split('')), body).map(([a, d, b]) => `${a}${d}${b}`);

/** A bare value (logfmt, YAML, a command flag): anything but whitespace, quotes and separators. */
const bareSecret = withShape(chars(ALNUM + '@/:#!$%^*+=.~-_?()[]{}<>|\\', 4, 40));
/** A quoted value: any printable character but the quote itself. */
const quotedSecret = withShape(chars(ALNUM + " @/:#!$%^*+=.~-_?()[]{}<>|,;&'", 4, 40));
/** A URL password: `@`, `/`, `:`, `#` included; never a bare port followed by a path. */
const urlSecret = withShape(chars(ALNUM + '@/:#!$%^*+=.~-_?,;&', 4, 30));
const awsSecret = chars(ALNUM + '/+', 40, 40).filter((s) => /[A-Za-z]/.test(s));
const awsKeyId = fc.tuple(fc.constantFrom('AKIA', 'ASIA'), chars('ABCDEFGHIJKLMNOPQRSTUVWXYZ234567', 16, 16)).map(([p, s]) => p + s);
const passwordKey = fc.constantFrom('password', 'PASSWORD', 'passwd', 'pwd', 'secret', 'DB_PASSWORD', 'db.password', 'client_secret', 'Password');
const scheme = fc.constantFrom('postgres', 'postgresql', 'mysql', 'redis', 'mongodb+srv', 'amqp', 'https');
const user = chars(ALNUM + '_-.', 0, 10);
const host = fc.constantFrom('db.internal:5432/warehouse', 'cache:6379/0', '10.0.0.5/sales', 'mq.example.com', 'db');

type Context = [string, fc.Arbitrary<[string, string]>];
const CONTEXTS: Context[] = [
  ['logfmt key=value', fc.tuple(passwordKey, bareSecret).map(([k, s]) => [`level=error msg="login failed" ${k}=${s} user=etl`, s])],
  ['YAML-ish key: value', fc.tuple(passwordKey, bareSecret).map(([k, s]) => [`  ${k}: ${s}`, s])],
  ['key: value at line end', fc.tuple(passwordKey, bareSecret).map(([k, s]) => [`config loaded, ${k}: ${s}`, s])],
  ['JSON field', fc.tuple(passwordKey, quotedSecret).map(([k, s]) => [JSON.stringify({ level: 'error', msg: 'connect failed', [k]: s, retry: 3 }), s])],
  ["Python dict", fc.tuple(passwordKey, quotedSecret.filter((s) => !s.includes("'"))).map(([k, s]) => [`settings: {'host': 'db', '${k}': '${s}'}`, s])],
  ['"is" with quotes', fc.tuple(passwordKey, quotedSecret.filter((s) => !s.includes('"'))).map(([k, s]) => [`${k} is "${s}" for user etl`, s])],
  ['"is" bare', fc.tuple(passwordKey, bareSecret).map(([k, s]) => [`the ${k} is ${s}`, s])],
  ['DSN', fc.tuple(scheme, user, urlSecret, host).map(([sc, u, s, h]) => [`OperationalError: could not connect to ${sc}://${u}:${s}@${h} (timeout)`, s])],
  ['DSN in JSON', fc.tuple(scheme, user, urlSecret.filter((s) => !s.includes('"')), host).map(([sc, u, s, h]) => [JSON.stringify({ dsn: `${sc}://${u}:${s}@${h}` }), s])],
  ['mysql -p', fc.tuple(fc.constantFrom('mysql', 'mysqldump', 'mariadb'), bareSecret).map(([c, s]) => [`+ ${c} -u etl -p${s} -h db warehouse`, s])],
  ['--password=', fc.tuple(fc.constantFrom('pg_dump', 'mysql', 'mongodump', 'kafka-topics'), bareSecret).map(([c, s]) => [`exec ${c} --host db --password=${s} --verbose`, s])],
  ['--password value', fc.tuple(fc.constantFrom('mysql', 'rabbitmqadmin', 'vault'), bareSecret).map(([c, s]) => [`exec ${c} --password ${s} --verbose`, s])],
  ['AWS key pair', fc.tuple(awsKeyId, awsSecret, fc.constantFrom(' ', ', ', ' / ', ':', '=')).map(([id, s, sep]) => [`using credentials ${id}${sep}${s} for s3://bucket`, s])],
  ['AWS secret before key id', fc.tuple(awsKeyId, awsSecret).map(([id, s]) => [`creds=${s} ${id}`, s])],
  ['Bearer', chars(ALNUM + '._~+/-', 20, 60).map((s) => [`curl -H "Authorization: Bearer ${s}" https://api.example.com`, s])],
];

describe('redactor: generated secrets in many contexts', () => {
  it.each(CONTEXTS)('masks a secret in: %s', (_name, arbitrary) => {
    fc.assert(
      fc.property(arbitrary, ([line, secret]) => {
        const out = r.redact(line);
        expect(out, line).not.toContain(secret);
        expect(out).toContain('[REDACTED');
      }),
      { numRuns: 300 },
    );
  });

  it('keeps the words around a secret', () => {
    fc.assert(
      // A closing bracket at a value's end reads as the end of an enclosing bracket, so it stays.
      fc.property(bareSecret.filter((s) => !/[)\]}]$/.test(s)), (s) => {
        const out = r.redact(`level=error msg="login failed" password=${s} user=etl`);
        expect(out).toBe('level=error msg="login failed" password=[REDACTED] user=etl');
      }),
    );
  });
});
