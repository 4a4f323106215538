/** Reading urlencoded form bodies without trusting their shape. */

export function field(body: unknown, name: string): string {
  const value = (body as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' ? value : '';
}

/** undefined when the form did not send the field at all, so edits change only what was sent. */
export function optionalField(body: unknown, name: string): string | undefined {
  const value = (body as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' ? value : undefined;
}

export function checkbox(body: unknown, name: string): boolean {
  const value = (body as Record<string, unknown> | undefined)?.[name];
  return value === 'on' || value === 'true' || value === '1';
}
