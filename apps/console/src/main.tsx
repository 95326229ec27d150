import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { RouterProvider } from 'react-router';
import { ApiDownError, ApiError } from './api/client';
import { router } from './app/routes';
import { startI18n } from './i18n';
import './app/styles.css';

startI18n();

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      staleTime: 5_000,
      // 4xx answers are final (a 404 stays a 404); only an unreachable API is worth a retry.
      retry: (failures, error) =>
        !(error instanceof ApiError) &&
        !(error instanceof ApiDownError && failures >= 2) &&
        failures < 2,
      refetchOnWindowFocus: false,
    },
  },
});

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <RouterProvider router={router} />
    </QueryClientProvider>
  </StrictMode>,
);
