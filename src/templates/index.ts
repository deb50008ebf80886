// The template engine's public face: what the sending pipeline, the template editor and the docs use.
export { DEFAULT_TEMPLATES, defaultTemplate, type DefaultTemplate } from './defaults.js';
export {
  CHANNELS,
  CHANNEL_PARTS,
  MAX_PART_CHARS,
  TemplateRenderError,
  renderTemplate,
  validateTemplate,
  type Channel,
  type ChatParts,
  type EmailParts,
  type PartName,
  type PartsOf,
  type TemplateIssue,
  type TemplateIssueCode,
  type ValidateOptions,
} from './engine.js';
export { FILTERS, type FilterDoc } from './filters.js';
export { LANGUAGES, resolveLanguage, type Language } from './texts.js';
export { VARIABLES, buildContext, sampleContext, type TemplateContext, type TemplateData, type VariableDoc } from './variables.js';
