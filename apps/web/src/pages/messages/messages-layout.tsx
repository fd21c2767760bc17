import { Suspense } from 'react';
import { NavLink, Outlet } from 'react-router';
import './messages.css';

/** The Messages section: its own tabs (list, send one, bulk send) above the page shown. */
export function MessagesLayout() {
  return (
    <>
      <nav className="subnav" aria-label="Messages">
        <NavLink to="/messages" end>
          All messages
        </NavLink>
        <NavLink to="/messages/send">Send one</NavLink>
        <NavLink to="/messages/bulk">Bulk send (CSV)</NavLink>
      </nav>
      <Suspense fallback={<p className="muted">Loading…</p>}>
        <Outlet />
      </Suspense>
    </>
  );
}

/** A message's status as a badge whose colour follows it (text always says it too). */
export function StatusBadge({ status }: { status: string }) {
  return <span className={`status status-${status}`}>{status}</span>;
}
