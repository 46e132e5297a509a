/** A JSON answer: the status and the parsed body (undefined when the body is empty). */
export interface JsonResponse<T> {
  status: number;
  body: T;
  /** The `Retry-After` header, when the answer has one (a 429 or 503). */
  retryAfter?: string;
}

async function json<T>(res: Response): Promise<JsonResponse<T>> {
  const text = await res.text();
  let body: unknown;
  try {
    body = text === "" ? undefined : JSON.parse(text);
  } catch {
    throw new Error(`${res.status} ${res.url}: the body is not JSON: ${text.slice(0, 200)}`);
  }
  const retryAfter = res.headers.get("retry-after");
  return retryAfter === null
    ? { status: res.status, body: body as T }
    : { status: res.status, body: body as T, retryAfter };
}

const authorization = (auth?: string): Record<string, string> => (auth ? { authorization: auth } : {});

/** `POST url` with `body` as JSON (and a bearer token when given). */
export async function postJson<T = unknown>(url: string, body: unknown, auth?: string): Promise<JsonResponse<T>> {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...authorization(auth) },
    body: JSON.stringify(body),
  });
  return json<T>(res);
}

/** `GET url` (with a bearer token when given). */
export async function getJson<T = unknown>(url: string, auth?: string): Promise<JsonResponse<T>> {
  return json<T>(await fetch(url, { headers: authorization(auth) }));
}
