package render

import (
	"bytes"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
	"helm.sh/helm/v3/pkg/chart"
	"helm.sh/helm/v3/pkg/chartutil"
)

// Helm validates a chart's values against its values.schema.json (and each
// subchart's against its own) before rendering. Helm's validator follows
// every $ref: file:// references read any file on the machine (a relative
// reference resolves against file:///values.schema.json, so "x.json" is
// /x.json) and http(s) references go to the network with a client of
// their own. meshlint validates the same values against the same schemas
// itself, with a loader that resolves nothing outside the schema: a chart
// whose schema refers elsewhere is rendered unvalidated, with a note.
// (helm.sh/helm/v3 v3.22.0, pkg/chartutil/jsonschema.go,
// ValidateAgainstSchema.)

// unresolvedRef is a $ref meshlint does not load.
type unresolvedRef struct{ url string }

func (e *unresolvedRef) Error() string {
	return "refers to " + e.url + ", which meshlint does not load (it works offline and reads nothing outside the chart)"
}

// offlineLoader refuses every reference, except urn: ones, which Helm
// itself treats as the permissive schema true when nothing resolves them.
// It remembers the first reference it refused: the compiler's error does
// not wrap the loader's.
type offlineLoader struct{ refused *unresolvedRef }

func (l *offlineLoader) Load(url string) (any, error) {
	if strings.HasPrefix(strings.ToLower(url), "urn:") {
		return true, nil
	}
	if l.refused == nil {
		l.refused = &unresolvedRef{url: url}
	}
	return nil, l.refused
}

// schemaCheck is the outcome of validating a chart's values.
type schemaCheck struct {
	invalid    error    // the values break a schema: Helm refuses to render
	unverified []string // charts whose schema refers outside itself, left unvalidated
}

// validateValues checks vals against the schema of ch and of its
// dependencies, as Helm's ValidateAgainstSchema does, with messages in a
// stable order (the validator reports properties in map order).
func validateValues(ch *chart.Chart, vals map[string]any) schemaCheck {
	var out schemaCheck
	var sb strings.Builder
	var walk func(c *chart.Chart, vals map[string]any)
	walk = func(c *chart.Chart, vals map[string]any) {
		if c.Schema != nil {
			err := validateOne(c.Schema, vals)
			var ref *unresolvedRef
			switch {
			case errors.As(err, &ref):
				out.unverified = append(out.unverified, fmt.Sprintf("the values.schema.json of chart %s %s; the values were not validated against it", c.Name(), ref.Error()))
			case err != nil:
				fmt.Fprintf(&sb, "%s:\n%s", c.Name(), err.Error())
			}
		}
		deps := c.Dependencies()
		sort.SliceStable(deps, func(i, j int) bool { return deps[i].Name() < deps[j].Name() })
		for _, sub := range deps {
			raw, ok := vals[sub.Name()]
			if !ok || raw == nil {
				continue
			}
			subVals, ok := asMap(raw)
			if !ok {
				fmt.Fprintf(&sb, "%s:\ninvalid type for values: expected object (map), got %T\n", sub.Name(), raw)
				continue
			}
			walk(sub, subVals)
		}
	}
	walk(ch, vals)
	if sb.Len() > 0 {
		out.invalid = fmt.Errorf("values don't meet the specifications of the schema(s) in the following chart(s):\n%s", sb.String())
	}
	return out
}

// validateOne validates values against one schema document.
func validateOne(schemaJSON []byte, vals map[string]any) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("unable to validate schema: %v", r)
		}
	}()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(schemaJSON))
	if err != nil {
		return err
	}
	c := jsonschema.NewCompiler()
	loader := &offlineLoader{}
	c.UseLoader(loader)
	const self = "file:///values.schema.json"
	if err := c.AddResource(self, doc); err != nil {
		return err
	}
	sch, err := c.Compile(self)
	if loader.refused != nil {
		return loader.refused
	}
	if err != nil {
		return err
	}
	verr := sch.Validate(chartutil.Values(vals).AsMap())
	if verr == nil {
		return nil
	}
	var ve *jsonschema.ValidationError
	if errors.As(verr, &ve) {
		sortCauses(ve)
	}
	return errors.New(strings.TrimPrefix(verr.Error(), "jsonschema validation failed with 'file:///values.schema.json#'\n") + "\n")
}

// sortCauses orders a validation error's causes by where they are in the
// values and then by what they say, at every level.
func sortCauses(e *jsonschema.ValidationError) {
	if ap, ok := e.ErrorKind.(*kind.AdditionalProperties); ok {
		sort.Strings(ap.Properties) // gathered in map order
	}
	for _, c := range e.Causes {
		sortCauses(c)
	}
	sort.SliceStable(e.Causes, func(i, j int) bool {
		a, b := strings.Join(e.Causes[i].InstanceLocation, "/"), strings.Join(e.Causes[j].InstanceLocation, "/")
		if a != b {
			return a < b
		}
		return e.Causes[i].Error() < e.Causes[j].Error()
	})
}
