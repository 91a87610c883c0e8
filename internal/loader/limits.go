package loader

import "fmt"

// Messages for the limits, in one place so each one names the limit that was
// hit and the flag that raises it.

func depthLimitMessage(max int) string {
	return fmt.Sprintf("document is nested deeper than the limit of %d levels; --max-depth raises it", max)
}

func nodeLimitMessage(max int) string {
	return fmt.Sprintf("document expands to more than the limit of %d YAML nodes once aliases are expanded (an alias bomb?); --max-nodes raises it", max)
}

func documentLimitMessage(max int) string {
	return fmt.Sprintf("file holds more than the limit of %d YAML documents; --max-documents raises it (this document and the rest of the file were not read)", max)
}

func sizeLimitMessage(max int64) string {
	return fmt.Sprintf("file is larger than the limit of %d bytes; --max-file-size raises it", max)
}

// DefaultMaxFacts is the default --max-facts. The generated 10,000-app
// platform needs 23,848 and a corpus of real public repositories 2,021;
// the rules spend about 0.1-0.3 ms and 5-10 KB per fact, so a model at the
// limit costs around a minute and 2 GB: the limit stops a small file of
// aliased endpoints from asking for far more (docs/performance.md#history).
const DefaultMaxFacts = 200000

// yamlParserMaxDepth is the nesting yaml.v3 itself refuses to parse.
const yamlParserMaxDepth = 10000

// parserDepthMessage is for documents deeper than yaml.v3 parses at all.
func parserDepthMessage(max int) string {
	if max < yamlParserMaxDepth {
		return fmt.Sprintf("document is nested deeper than the limit of %d levels (and than %d, the most the YAML parser reads); --max-depth raises the first", max, yamlParserMaxDepth)
	}
	return fmt.Sprintf("document is nested deeper than %d levels, the most the YAML parser reads (no flag raises it)", yamlParserMaxDepth)
}
