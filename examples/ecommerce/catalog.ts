// What the shop sells and how many of each the inventory service starts with.
// The inventory seeds its stock table from this once (a restart keeps the
// counts it has); the orders contract refuses a product that is not here.

/** Starting stock per product (SKU). */
export const STARTING_STOCK: Readonly<Record<string, number>> = Object.freeze({
  apple: 500,
  pear: 500,
  plum: 500,
  fig: 500,
  kiwi: 500,
});

/** Whether the shop sells `sku`. */
export function isKnownSku(sku: string): boolean {
  return Object.hasOwn(STARTING_STOCK, sku);
}
