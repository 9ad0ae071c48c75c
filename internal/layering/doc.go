// Package layering has no code. Its test keeps the architecture that
// README's layout section draws true: the chain of direct imports from
// file formats to fine-tuning, and compute packages that report progress
// through helpers/progress without depending on the notebook display.
package layering
