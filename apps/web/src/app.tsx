import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { useEffect, useState, type ReactNode } from 'react';
import { Navigate, RouterProvider, createBrowserRouter, useLocation } from 'react-router';
import { ApiError } from './api/problem';
import { refreshSession } from './api/session';
import { SignInPage } from './auth/sign-in-page';
import { useSession } from './auth/use-session';
import { Shell } from './layout/shell';
import { PlaceholderPage } from './pages/placeholder-page';
import { pages } from './routes';

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      // Live events keep the cache fresh; refetching on every focus would only add load.
      staleTime: 60_000,
      refetchOnWindowFocus: false,
      // A problem the API answered will not change by asking again; a lost connection may.
      retry: (failures, error) =>
        failures < 2 && (!(error instanceof ApiError) || error.status === 0 || error.status >= 500),
    },
  },
});

function RequireSession({ children }: { children: ReactNode }) {
  const session = useSession();
  const location = useLocation();
  if (!session) return <Navigate to="/sign-in" replace state={{ from: location.pathname }} />;
  return children;
}

function SignedOutOnly({ children }: { children: ReactNode }) {
  return useSession() ? <Navigate to="/chats" replace /> : children;
}

const router = createBrowserRouter([
  {
    path: '/sign-in',
    element: (
      <SignedOutOnly>
        <SignInPage />
      </SignedOutOnly>
    ),
  },
  {
    path: '/',
    element: (
      <RequireSession>
        <Shell />
      </RequireSession>
    ),
    children: [
      { index: true, element: <Navigate to="/chats" replace /> },
      ...pages.map(({ path, element, children }) => ({ path, element, children })),
      {
        path: '*',
        element: (
          <PlaceholderPage title="Page not found" about="There is no page at this address." />
        ),
      },
    ],
  },
]);

/** Restores the session from the refresh cookie once, then shows the app. */
export function App() {
  const [restored, setRestored] = useState(false);
  useEffect(() => {
    void refreshSession().finally(() => setRestored(true));
  }, []);
  if (!restored) {
    return (
      <p className="loading" role="status">
        Loading…
      </p>
    );
  }
  return (
    <QueryClientProvider client={queryClient}>
      <RouterProvider router={router} />
    </QueryClientProvider>
  );
}
