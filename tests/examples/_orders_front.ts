// What the orders service's HTTP front must refuse, checked with plain fetch
// the way a client that is not an ordo bus (curl, another language) calls it.
import assert from "node:assert/strict";

/**
 * Asserts that the front at `url` refuses a request without the token (401),
 * commands that are not the orders service's own (404), the event routes,
 * which its token is not allowed (403), and a malformed order (400, a
 * ValidationError naming the field) before it is stored.
 */
export async function checkOrdersFront(url: string, token: string): Promise<void> {
  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${url}${path}`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json", ...headers },
      body: JSON.stringify(body),
    });

  const anonymous = await fetch(`${url}/queries/orders/show`, {
    method: "POST",
    body: JSON.stringify({ payload: { orderId: "A000" } }),
  });
  assert.equal(anonymous.status, 401, await anonymous.text());

  const lock = await post("/commands/users/lock", {
    id: crypto.randomUUID(),
    data: { userId: "u1", reason: "x" },
  });
  assert.equal(lock.status, 404, `users/lock over the orders front: ${await lock.text()}`);

  const publish = await post("/events", {
    id: crypto.randomUUID(),
    type: "orders/placed",
    data: { orderId: "X", userId: "u1", items: { apple: 1 } },
  });
  assert.equal(publish.status, 403, `publishing over the orders front: ${await publish.text()}`);
  const follow = await fetch(`${url}/events/stream?group=spy&category=order`, {
    headers: { authorization: `Bearer ${token}` },
  });
  const forbidden = await follow.json();
  assert.equal(follow.status, 403, JSON.stringify(forbidden));
  // A credential with no subscribe right at all is refused before its
  // selector is read: the target is any ("*"), not the category it named.
  assert.deepEqual([forbidden._tag, forbidden.action, forbidden.target], [
    "ForbiddenError",
    "subscribe",
    "*",
  ]);

  const badOrder = await post(
    "/commands/orders/place",
    { id: crypto.randomUUID(), data: { orderId: "X1", userId: "u1", items: { durian: 1 } } },
    { prefer: "wait" },
  );
  const refusal = await badOrder.json();
  assert.equal(badOrder.status, 400, JSON.stringify(refusal));
  assert.deepEqual([refusal._tag, refusal.path, refusal.reason], [
    "ValidationError",
    "command.data.items",
    'names an unknown product "durian"',
  ]);
}
