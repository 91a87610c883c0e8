package render

import (
	"regexp"
	"strings"
)

// A Helm template's output keeps most of the template's lines: keys and
// literal values are written in the template, and actions fill in values or
// whole blocks. mapLines aligns the rendered lines with the template's lines
// (a weighted longest common subsequence, so the mapping never goes
// backwards) and maps every rendered line to the template line that wrote
// it:
//   - a line that equals a literal template line, or matches a template line
//     with actions in it ("name: {{ .Release.Name }}-metrics"), maps to it;
//   - a line written by an action alone on its line ("{{ toYaml .Values.tls
//     | nindent 8 }}", an include) maps to that action's line, found as the
//     nearest earlier matched line or an action-only line between the
//     neighbouring matches;
//   - lines written by a named template or a range loop beyond its first
//     pass map to the line that includes or loops (the nearest earlier
//     match).
//
// This is the best line that can be justified without instrumenting the
// template engine; findings say the line is in the template.

// templateLine is one line of a template, classified.
type templateLine struct {
	kind    lineKind
	literal string         // trimmed text, for literal lines
	pattern *regexp.Regexp // for lines mixing text and actions
}

type lineKind int

const (
	lineBlank   lineKind = iota // empty or only control actions: writes nothing itself
	lineLiteral                 // no actions: written as is
	linePattern                 // text with actions in it
	lineAction                  // only actions, at least one that writes output
)

var (
	actionRE      = regexp.MustCompile(`\{\{.*?\}\}`)
	controlAction = regexp.MustCompile(`^\{\{-?\s*(/\*|if\b|else\b|end\b|range\b|with\b|define\b|block\b|break\b|continue\b|\$[\w]*\s*:?=)`)
)

// classify splits a template into classified lines. Actions spanning lines
// (a multi-line comment or call) make their lines blank.
func classify(template string) []templateLine {
	lines := strings.Split(strings.ReplaceAll(template, "\r\n", "\n"), "\n")
	out := make([]templateLine, len(lines))
	inAction := false
	for i, l := range lines {
		if inAction {
			end := strings.Index(l, "}}")
			if end < 0 {
				continue // blank: inside an action
			}
			inAction = false
			l = l[end+2:]
		}
		if open := strings.LastIndex(l, "{{"); open >= 0 && !strings.Contains(l[open:], "}}") {
			inAction = true
			l = l[:open]
		}
		actions := actionRE.FindAllString(l, -1)
		text := actionRE.ReplaceAllString(l, "\x00")
		trimmed := strings.TrimSpace(strings.ReplaceAll(text, "\x00", ""))
		switch {
		case len(actions) == 0 && trimmed == "":
			out[i] = templateLine{kind: lineBlank}
		case len(actions) == 0:
			out[i] = templateLine{kind: lineLiteral, literal: trimmed}
		case trimmed == "":
			writes := false
			for _, a := range actions {
				if !controlAction.MatchString(a) {
					writes = true
				}
			}
			if writes {
				out[i] = templateLine{kind: lineAction}
			} else {
				out[i] = templateLine{kind: lineBlank}
			}
		default:
			parts := strings.Split(strings.TrimSpace(text), "\x00")
			for j, p := range parts {
				parts[j] = regexp.QuoteMeta(p)
			}
			re, err := regexp.Compile(`^\s*` + strings.Join(parts, `.*`) + `\s*$`)
			if err != nil {
				out[i] = templateLine{kind: lineAction}
				continue
			}
			out[i] = templateLine{kind: linePattern, pattern: re}
		}
	}
	return out
}

// weight of matching rendered line r with template line t; 0 for no match.
func weight(t templateLine, r string) int32 {
	switch t.kind {
	case lineLiteral:
		if strings.TrimSpace(r) == t.literal {
			return 4
		}
	case linePattern:
		if strings.TrimSpace(r) != "" && t.pattern.MatchString(r) {
			return 3
		}
	case lineAction:
		if strings.TrimSpace(r) != "" {
			return 1
		}
	}
	return 0
}

// maxCells bounds the alignment table; larger pairs are aligned greedily.
const maxCells = 4 << 20

// mapLines returns, for each line of rendered (index 0 is line 1), the
// 1-based line of template that wrote it.
func mapLines(template, rendered string) []int {
	tl := classify(template)
	rl := strings.Split(rendered, "\n")
	R, T := len(rl), len(tl)
	match := make([]int, R) // template index matched by each rendered line, -1 if none
	for i := range match {
		match[i] = -1
	}
	if R*T <= maxCells {
		alignLCS(tl, rl, match)
	} else {
		alignGreedy(tl, rl, match)
	}
	nextMatch := make([]int, R) // template index of the next matched rendered line, T if none
	next := T
	for i := R - 1; i >= 0; i-- {
		nextMatch[i] = next
		if match[i] >= 0 {
			next = match[i]
		}
	}
	nextAction := make([]int, T+1) // first action-only template line at or after j, T if none
	nextAction[T] = T
	for j := T - 1; j >= 0; j-- {
		nextAction[j] = nextAction[j+1]
		if tl[j].kind == lineAction {
			nextAction[j] = j
		}
	}
	out := make([]int, R)
	prev := -1
	for i := 0; i < R; i++ {
		if match[i] >= 0 {
			prev = match[i]
			out[i] = prev + 1
			continue
		}
		next := nextMatch[i]
		line := -1
		if j := nextAction[prev+1]; j < next && j < T {
			line = j
		}
		switch {
		case line >= 0:
		case prev >= 0:
			line = prev
		case next < T:
			line = next
		default:
			line = 0
		}
		out[i] = line + 1
	}
	return out
}

// alignLCS finds the heaviest order-preserving matching.
func alignLCS(tl []templateLine, rl []string, match []int) {
	R, T := len(rl), len(tl)
	w := T + 1
	score := make([]int32, (R+1)*w)
	for i := R - 1; i >= 0; i-- {
		for j := T - 1; j >= 0; j-- {
			best := score[(i+1)*w+j]
			if s := score[i*w+j+1]; s > best {
				best = s
			}
			if m := weight(tl[j], rl[i]); m > 0 {
				if s := m + score[(i+1)*w+j+1]; s > best {
					best = s
				}
			}
			score[i*w+j] = best
		}
	}
	for i, j := 0, 0; i < R && j < T; {
		if m := weight(tl[j], rl[i]); m > 0 && score[i*w+j] == m+score[(i+1)*w+j+1] {
			match[i] = j
			i++
			j++
		} else if score[i*w+j] == score[i*w+j+1] {
			j++ // skip template lines first, so the earliest rendered line matches
		} else {
			i++
		}
	}
}

// alignGreedy matches each rendered line with the next template line of
// text that fits, looking a bounded distance ahead.
func alignGreedy(tl []templateLine, rl []string, match []int) {
	j := 0
	for i := range rl {
		for k := j; k < len(tl) && k < j+64; k++ {
			if tl[k].kind != lineAction && weight(tl[k], rl[i]) > 0 {
				match[i] = k
				j = k + 1
				break
			}
		}
	}
}
