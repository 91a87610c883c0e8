package cli

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"

	"github.com/meshlint/meshlint/internal/engine"
)

// TestReadmeRuleTable keeps the README's rule table in step with the rules'
// METADATA.
func TestReadmeRuleTable(t *testing.T) {
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	text := string(b)
	begin := strings.Index(text, "<!-- rules:begin")
	end := strings.Index(text, "<!-- rules:end -->")
	if begin < 0 || end < begin {
		t.Fatal("README.md has no <!-- rules:begin --> ... <!-- rules:end --> block")
	}
	table := text[strings.Index(text[begin:], "\n")+begin+1 : end]
	eng, err := engine.New(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	var want bytes.Buffer
	if err := rulesReadmeTable(&want, eng.Rules); err != nil {
		t.Fatal(err)
	}
	if table != want.String() {
		t.Errorf("README.md rule table is stale; replace it with:\n%s", want.String())
	}
}
