package finding

// RuleDoc is what every place that names a rule says about it: the rule
// catalog (`meshlint rules`, `explain`, docs/rules) and the formats that
// list what they checked (SARIF's tool.driver.rules, a JUnit suite per
// rule). Its JSON tags are the rules --format json fields.
type RuleDoc struct {
	ID          string `json:"id"`
	Title       string `json:"title"`
	Description string `json:"description"`
	Severity    string `json:"severity"`
	Category    string `json:"category"`
	Tier        string `json:"tier"`
	Fix         string `json:"fix"`
}
