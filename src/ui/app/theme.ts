// Mantine theme: text that meets WCAG 2.1 AA contrast (4.5:1) in both colour schemes, a visible
// focus ring for keyboard users. Mantine's default palette puts several colours' text below 4.5:1
// (dimmed grey, blue links and buttons, orange, yellow and teal badges), so the colours text is
// drawn in are chosen here, once, for every component; the browser tests check them with axe-core.
import { Anchor, createTheme, darken, DEFAULT_THEME, luminance, NavLink, Notification, type CSSVariablesResolver, type MantineColorsTuple } from '@mantine/core';

/** WCAG 2.1 AA for normal-size text (1.4.3). */
const MIN_TEXT_CONTRAST = 4.5;

/** The WCAG contrast ratio of two colours (1 to 21). */
function contrast(a: string, b: string): number {
  const [lighter, darker] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (lighter + 0.05) / (darker + 0.05);
}

/**
 * The colour's text in the light scheme: its shade 9, darkened further where that is not enough,
 * until it reads at 4.5:1 on the colour's own light backgrounds (shade 1 behind light badges,
 * alerts and the current navigation link, shade 2 when that link is hovered) — and so on white.
 */
function readableOnLight(shades: MantineColorsTuple): string {
  let text = shades[9];
  while (contrast(text, shades[2]) < MIN_TEXT_CONTRAST) text = darken(text, 0.05);
  return text;
}

const FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';

export const theme = createTheme({
  primaryColor: 'blue',
  // Filled buttons and badges in each colour's darkest shade: with the contrast rule below, their
  // text reads at 4.5:1 or more (blue 9 takes white at 6.1:1; Mantine's blue 6 had 3.6:1).
  primaryShade: 9,
  autoContrast: true,
  // The background luminance at which black and white text contrast equally (4.58:1 each): above
  // it text on a filled colour is black, below it white, so either way it is at least 4.5:1.
  luminanceThreshold: 0.179,
  focusRing: 'auto',
  defaultRadius: 'md',
  fontFamily: FONT,
  headings: { fontFamily: FONT },
  components: {
    // Links are underlined, not told apart by colour alone (WCAG 1.4.1), wherever they stand.
    Anchor: Anchor.extend({ defaultProps: { underline: 'always' } }),
    // The toasts' close button is an icon: it needs a name for screen readers.
    Notification: Notification.extend({ defaultProps: { closeButtonProps: { 'aria-label': 'Close notification' } } }),
    // The current link's description is drawn at 90 % opacity by default, which fades it below 4.5:1.
    NavLink: NavLink.extend({ styles: { description: { '--description-opacity': 1 } } }),
  },
});

/**
 * Text colours Mantine derives from the palette, replaced where they fell short of 4.5:1:
 * coloured text (`c="red"`), light and subtle variants and outlines in the light scheme; the
 * dimmed grey in both (light: gray 7, 8.2:1 on white; dark: 5.5:1 on the body, 4.8:1 on cards);
 * links in the primary colour's readable shade; errors in the readable red of each scheme.
 */
export const cssVariablesResolver: CSSVariablesResolver = () => {
  const light: Record<string, string> = {
    '--mantine-color-dimmed': 'var(--mantine-color-gray-7)',
    '--mantine-color-error': 'var(--mantine-color-red-text)',
    '--mantine-color-anchor': `var(--mantine-color-${theme.primaryColor}-text)`,
  };
  for (const [name, shades] of Object.entries(DEFAULT_THEME.colors)) {
    const text = readableOnLight(shades);
    light[`--mantine-color-${name}-text`] = text;
    light[`--mantine-color-${name}-light-color`] = text;
    light[`--mantine-color-${name}-outline`] = text;
  }
  // Dark: the dimmed grey, and errors (a field's message and its text) in red 4 rather than red 8.
  return { variables: {}, light, dark: { '--mantine-color-dimmed': '#9a9a9a', '--mantine-color-error': 'var(--mantine-color-red-text)' } };
};
