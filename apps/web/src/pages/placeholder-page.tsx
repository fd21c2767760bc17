/** A page not built yet: its heading, so that navigation and tests can already reach it. */
export function PlaceholderPage({ title, about }: { title: string; about: string }) {
  return (
    <>
      <h1>{title}</h1>
      <p className="muted">{about}</p>
    </>
  );
}
