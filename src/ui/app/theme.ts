// Mantine theme: readable contrast on coloured badges, a visible focus ring for keyboard users.
import { createTheme } from '@mantine/core';

export const theme = createTheme({
  primaryColor: 'blue',
  autoContrast: true,
  focusRing: 'auto',
  defaultRadius: 'md',
  fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif',
  headings: { fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif' },
});
