// Where a value that did not parse came from. A parse error is read as bad data (data_quality)
// because most are: a record holds `"80562094.08"` where an integer belongs. Two origins say
// otherwise, and the log shows both:
// - the value is the code's own object printed by its default representation
//   (`[Ljava.lang.String;@1a691aca`, `[object Object]`, `<app.Row object at 0x7f…>`): the code
//   handed an object where it meant one of its fields, so no input record can be blamed;
// - the parser was reading an HTTP response (the frames are an HTTP client's body reader:
//   requests' `Response.json`, urllib3's chunk reader, fetch's `Response.json`): the service sent
//   an empty body, an HTML error page or a broken stream instead of what its protocol promises.
import type { ErrorInfo } from '../../types.js';

// Default representations of an object, as each runtime prints one that defines no text of its own.
const OBJECT_REFERENCE = new RegExp(
  [
    // Java: an array (`[Ljava.lang.String;@1a691aca`, `[I@6d06d69c`) or an object (`com.acme.Row@6d06d69c`).
    String.raw`\[+(?:L[\w.$]+;|[BCDFIJSZ])@[0-9a-f]{4,8}\b`,
    String.raw`\b(?:[a-z_][\w]*\.)+[A-Z][\w$]*@[0-9a-f]{5,8}\b`,
    // JavaScript's Object.prototype.toString.
    String.raw`\[object [A-Z]\w*\]`,
    // Python's object.__repr__ and its relatives for functions and generators (a bound method's repr
    // holds its object's).
    String.raw`<(?:[\w.]+ object|function [\w.<>]+|built-in (?:function|method) \w+|(?:generator|coroutine) object [\w.<>]+) at 0x[0-9a-fA-F]+>`,
  ].join('|'),
);

/** The message of a parse error quotes an object's default representation as the value it could not read. */
export function parsedAnObjectReference(subject: string): boolean {
  return OBJECT_REFERENCE.test(subject.slice(0, 4000));
}

// The body readers of HTTP clients: a frame here means the text being parsed was a response.
const RESPONSE_READER_FILE = /(?:^|[\\/])(?:requests[\\/]models\.py|httpx[\\/]_models\.py|aiohttp[\\/]client_reqrep\.py|urllib3[\\/]response\.py|http[\\/]client\.py)$/;
const RESPONSE_READER_FUNCTION = /^(?:json|text|content|read|read_chunked|_update_chunk_length|_read_chunked|iter_content|aread|_safe_read|_read_next_chunk_size)$/;
// Node's fetch (undici, node-fetch) and the JVM's REST clients, by the method that reads the body.
const RESPONSE_READER_METHOD = /^(?:async )?(?:Response|Body|Request)\.(?:json|text)$|^(?:consumeBody|parseJSONFromBytes|fullyReadBody)$|(?:^|\.)(?:HttpMessageConverterExtractor\.extractData|GsonResponseBodyConverter\.convert|JacksonResponseBodyConverter\.convert)$/;

/** The error was raised while an HTTP client read a response's body. */
export function raisedReadingResponse(error: ErrorInfo | undefined): boolean {
  if (!error) return false;
  return error.stack.some((frame) => {
    const fn = frame.function ?? '';
    return (RESPONSE_READER_FILE.test(frame.file) && RESPONSE_READER_FUNCTION.test(fn)) || RESPONSE_READER_METHOD.test(fn);
  });
}
