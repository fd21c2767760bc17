// The `cookie` package (Express's own cookie serializer) ships no types; this is the one function
// of its public API that Switchboard uses.
declare module 'cookie' {
  export function parse(
    header: string,
    options?: { decode?: (value: string) => string },
  ): Record<string, string | undefined>;
}
