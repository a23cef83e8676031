// An error's name and message as a status shows them: ordo's `_tag` first.

/** `{ name, message }` of a thrown value: an ordo error's `_tag`, else its `name`; `NonError` for a non-error. */
export function storedErrorName(
  error: unknown,
): { readonly name: string; readonly message: string } {
  if (error instanceof Error) {
    const tag = (error as { _tag?: unknown })._tag;
    return { name: typeof tag === "string" ? tag : error.name, message: error.message };
  }
  return { name: "NonError", message: String(error) };
}
