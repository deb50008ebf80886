// The template engine's public face: what the sending pipeline, the template editor and the docs use.
export { DEFAULT_TEMPLATES, defaultTemplate, type DefaultTemplate } from './defaults.js';
export { FILTERS, type FilterDoc } from './filters.js';
export { TemplateRenderError, type TemplateIssue, type TemplateIssueCode } from './template-issues.js';
export { CHANNELS, CHANNEL_PARTS, MAX_PART_CHARS, type Channel, type ChatParts, type EmailParts, type PartName, type PartsOf } from './template-parts.js';
export { renderTemplate, templateRenderer } from './template-renderer.js';
export { validateTemplate, type ValidateOptions } from './template-validation.js';
export { LANGUAGES, resolveLanguage, type Language } from './texts.js';
export { VARIABLES, buildContext, sampleContext, type TemplateContext, type TemplateData, type VariableDoc } from './variables.js';
