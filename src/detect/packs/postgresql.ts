// PostgreSQL: server log lines (`ERROR:  `, `FATAL:  `) and the client messages drivers pass on.
import { SESSION_NOTICE } from './generic.js';
import { packRule, type RulePack } from './pack.js';

const r = (spec: Parameters<typeof packRule>[1]) => packRule('postgresql', spec);

export const postgresqlPack: RulePack = {
  name: 'postgresql',
  description: 'PostgreSQL connection, authentication, schema, constraint, deadlock and timeout errors.',
  rules: [
    r({
      id: 'connection',
      description: 'The database is unreachable, starting up, or out of connection slots.',
      severity: 'critical',
      priority: 78,
      anyLevel: true,
      match: {
        all: [
          {
            regex: String.raw`could not connect to server|connection to server (?:at|on) .{0,200}? failed|the database system is (?:starting up|shutting down|in recovery mode)|too many clients already|remaining connection slots are reserved|server closed the connection unexpectedly|terminating connection due to administrator command`,
          },
          { not: SESSION_NOTICE },
        ],
      },
    }),
    r({
      id: 'auth',
      description: 'Authentication or privilege failure.',
      severity: 'error',
      priority: 77,
      anyLevel: true,
      match: {
        all: [
          { regex: String.raw`password authentication failed for user|no pg_hba\.conf entry for|role "[^"\n]{1,100}" does not exist|permission denied for (?:table|relation|schema|database|sequence|function)` },
          { not: SESSION_NOTICE },
        ],
      },
    }),
    r({
      id: 'undefined-object',
      description: 'A relation or column does not exist (schema drift, migration not applied); not the NOTICE of `IF EXISTS` (`… does not exist, skipping`).',
      severity: 'error',
      priority: 76,
      anyLevel: true,
      match: {
        regex: String.raw`(?:relation|column|table|schema|function) "?[^"\n]{1,200}"? does not exist(?!, skipping)|UndefinedColumn|UndefinedTable`,
      },
    }),
    r({
      id: 'constraint',
      description: 'A constraint rejected the data (duplicate key, null, foreign key, check).',
      severity: 'error',
      priority: 75,
      anyLevel: true,
      match: {
        regex: String.raw`violates (?:unique|foreign key|not-null|check|exclusion) constraint|duplicate key value|null value in column`,
      },
    }),
    r({
      id: 'conflict-or-timeout',
      description: 'Deadlock, serialization failure, or a statement / lock timeout.',
      severity: 'error',
      priority: 74,
      anyLevel: true,
      match: {
        // A deadlock's DETAIL (`Process 24887 waits for ShareLock on transaction 8214738; blocked by process 24891.`) is all some pastes keep.
        regex: String.raw`deadlock detected|could not serialize access|canceling statement due to (?:statement timeout|lock timeout|conflict with recovery|user request)|\bwaits for \w{1,30}Lock on (?:transaction|relation|tuple|object) \d+(?: of [^;\n]{1,100})?; blocked by process \d+`,
      },
    }),
    r({
      id: 'invalid-data',
      description: 'The server rejected a value: bad input syntax for a type, bytes invalid in the encoding.',
      severity: 'error',
      priority: 73,
      anyLevel: true,
      // Quoted by whatever ran the statement, at whatever level it logs (`INFO SQL FAILED! : COPY … : invalid byte sequence …`).
      match: { regex: String.raw`\binvalid input syntax for (?:type )?[a-z][\w ]{0,40}(?:: |[ \t]*(?:$|\n))|\binvalid byte sequence for encoding "` },
    }),
    r({
      id: 'server-fatal',
      description: 'A FATAL or PANIC line in the PostgreSQL server log.',
      severity: 'critical',
      priority: 22,
      anyLevel: true,
      // Not a session the server ended as a notice (SESSION_NOTICE).
      match: { all: [{ regex: String.raw`\b(?:FATAL|PANIC):  ` }, { not: SESSION_NOTICE }] },
    }),
    r({
      id: 'server-error',
      description: 'An ERROR line in the PostgreSQL server log.',
      severity: 'error',
      priority: 21,
      anyLevel: true,
      // psql names the script and line; a localized server says ERROR in its own language (lc_messages).
      match: { regex: String.raw`\bERROR:  |\bpsql:[^\s:]{1,300}:\d+: ERROR: |(?:^|\n|: )(?:错误|錯誤|ОШИБКА|FEHLER|ERREUR|ERRO|ERRORE|エラー|오류|BŁĄD|FOUT|CHYBA|HATA|HIBA|VIRHE|FEL):  ` },
    }),
  ],
};
