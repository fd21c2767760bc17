import { useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { NavLink, Outlet, useNavigate } from 'react-router';
import { signOut } from '../api/session';
import { useSession } from '../auth/use-session';
import { connectLiveCache } from '../live/live-cache';
import { startLiveUpdates } from '../live/live-updates';
import { useLiveStatus } from '../live/use-live';
import { pages } from '../routes';

const LIVE_LABEL = { live: 'Live', connecting: 'Reconnecting…', offline: 'Offline' } as const;

/** The signed-in layout: header, navigation, and the page; keeps live updates running. */
export function Shell() {
  const session = useSession();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const live = useLiveStatus();
  const accountId = session?.account.id;

  useEffect(() => {
    if (!accountId) return;
    const stopCache = connectLiveCache(queryClient);
    const stopLive = startLiveUpdates(queryClient);
    return () => {
      stopLive();
      stopCache();
    };
  }, [accountId, queryClient]);

  const leave = async () => {
    await signOut();
    queryClient.clear();
    void navigate('/sign-in', { replace: true });
  };

  return (
    <div className="shell">
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <span className="brand">Switchboard</span>
        <span className={`live live-${live}`} role="status">
          {LIVE_LABEL[live]}
        </span>
        <span className="who">{session?.account.name || session?.account.phone}</span>
        <button type="button" className="link" onClick={leave}>
          Sign out
        </button>
      </header>
      <nav className="nav" aria-label="Main">
        <ul>
          {pages.map((page) => (
            <li key={page.path}>
              <NavLink to={`/${page.path}`}>{page.label}</NavLink>
            </li>
          ))}
        </ul>
      </nav>
      <main className="content" id="main" tabIndex={-1}>
        <Outlet />
      </main>
    </div>
  );
}
