/** Sigma detection: rule model, pipelines, compiler, correlation state, engine. Pure: no I/O. */
export { SigmaEngine, type SigmaMatch, type EngineOptions, type EngineStats } from './engine.js';
export { Pipeline, PipelineError, type PipelineDef } from './pipeline.js';
export { parseRuleFile, parseRuleFiles, attackIds, logsourceWithin, type ParsedRules, type DetectionRule, type CorrelationRule, type FilterRule, type RuleMeta, type Logsource } from './rules.js';
export { formatProblem, type RuleProblem } from './yaml.js';
