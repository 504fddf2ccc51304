package collect

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strconv"
	"strings"

	utilerrors "k8s.io/apimachinery/pkg/util/errors"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"
)

// Builder errors that name the file they came from.
var (
	sourceRE   = regexp.MustCompile(`^(?:error parsing (.+?)|unable to decode "(.+?)"|unable to recognize "(.+?)"): `)
	yamlLineRE = regexp.MustCompile(`yaml: line (\d+): (.*)$`)
)

// explainReadError rewrites the builder's errors into one line that names
// the file and the line at fault. The builder numbers YAML lines from the
// start of each document, not of the file, and an object without a kind is
// quoted whole; both are located here again, on the error path only.
func explainReadError(err error, in []byte) error {
	var agg utilerrors.Aggregate
	if errors.As(err, &agg) && len(agg.Errors()) > 1 {
		var msgs []string
		seen := map[string]bool{}
		for _, e := range agg.Errors() {
			m := explainReadError(e, in).Error()
			if !seen[m] {
				seen[m] = true
				msgs = append(msgs, m)
			}
		}
		return errors.New(strings.Join(msgs, "; "))
	}
	if agg != nil && len(agg.Errors()) == 1 {
		err = agg.Errors()[0]
	}
	var oe *objectError
	if errors.As(err, &oe) {
		return err
	}
	if m := sourceRE.FindStringSubmatch(err.Error()); m != nil {
		src := m[1] + m[2] + m[3]
		data := in
		if src != stdinSource {
			data, _ = os.ReadFile(src)
		}
		if msg := locate(data); msg != "" {
			return errors.New(src + ":" + msg)
		}
	}
	return errors.New(oneLine(err.Error()))
}

// oneLine keeps an error on one line (a CRD mapping error ends with
// "\nensure CRDs are installed first").
func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 400 {
		s = s[:400] + "..."
	}
	return s
}

// document is one YAML document of a file and the line it starts on.
type document struct {
	line int // where the document starts
	data []byte
}

// contentLine is the first line of d that is not blank, a comment or the
// "---" that starts it: where a reader looks for the object a message is
// about.
func (d document) contentLine() int {
	for i, l := range strings.Split(string(d.data), "\n") {
		if t := strings.TrimSpace(l); t != "" && !strings.HasPrefix(t, "#") && !strings.HasPrefix(l, "---") {
			return d.line + i
		}
	}
	return d.line
}

// splitDocuments cuts data into YAML documents with apimachinery's
// YAMLReader, the reader the builder uses, and numbers the line each
// starts on. The reader returns one line for each line it reads, and
// reads one more, the "---" that ends the document (a "---" that starts
// one is part of it): so each document starts one line after the lines
// of the one before. It stops where the reader refuses a "---" line
// followed by text, and returns that line's number (0 when there is none)
// after the lines before it, the document the reader was reading.
func splitDocuments(data []byte) (docs []document, badSep int) {
	next := 1 // where the next document starts
	r := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(data)))
	for {
		doc, err := r.Read()
		if err == io.EOF {
			return docs, 0
		}
		if err != nil {
			// The lines read before the refused one were a document
			// too, and may hold the first mistake.
			lines := strings.Split(string(data), "\n")
			bad := refusedSeparator(lines, next)
			if bad > next {
				docs = append(docs, document{next, []byte(strings.Join(lines[next-1:bad-1], "\n") + "\n")})
			}
			return docs, bad
		}
		docs = append(docs, document{next, doc})
		next += bytes.Count(doc, []byte("\n")) + 1
	}
}

// refusedSeparator is the first "---" line from line from on that the
// YAMLReader refuses on its own.
func refusedSeparator(lines []string, from int) int {
	for n := from; n <= len(lines); n++ {
		if !strings.HasPrefix(lines[n-1], "---") {
			continue
		}
		r := utilyaml.NewYAMLReader(bufio.NewReader(strings.NewReader(lines[n-1] + "\n")))
		if _, err := r.Read(); err != nil && err != io.EOF {
			return n
		}
	}
	return 0
}

// locate finds the first thing in data the builder could not read and
// returns "LINE: what", or "" when it finds nothing wrong.
func locate(data []byte) string {
	if trimmed := bytes.TrimLeft(data, " \t\r\n"); len(trimmed) > 0 && trimmed[0] == '{' {
		if msg := locateJSON(data); msg != "" {
			return msg
		}
	}
	docs, badSep := splitDocuments(data)
	for _, d := range docs {
		j, err := yaml.YAMLToJSON(d.data)
		if err != nil {
			if m := yamlLineRE.FindStringSubmatch(err.Error()); m != nil {
				n, _ := strconv.Atoi(m[1])
				return fmt.Sprintf("%d: invalid YAML: %s", d.line+n-1, m[2])
			}
			msg := strings.TrimPrefix(err.Error(), "error converting YAML to JSON: ")
			return fmt.Sprintf("%d: invalid YAML in the document starting here: %s", d.contentLine(), strings.TrimPrefix(msg, "yaml: "))
		}
		if msg := notAnObject(j); msg != "" {
			return fmt.Sprintf("%d: %s", d.contentLine(), msg)
		}
	}
	if badSep > 0 {
		return fmt.Sprintf("%d: invalid YAML: a document separator (---) may be followed only by a comment", badSep)
	}
	return ""
}

// locateJSON reads a stream of JSON values and names the line of the first
// syntax error or non-object.
func locateJSON(data []byte) string {
	dec := json.NewDecoder(bytes.NewReader(data))
	for {
		start := dec.InputOffset()
		var raw json.RawMessage
		err := dec.Decode(&raw)
		if err == io.EOF {
			return ""
		}
		var syn *json.SyntaxError
		if errors.As(err, &syn) {
			return fmt.Sprintf("%d: invalid JSON: %s", lineAt(data, syn.Offset), syn.Error())
		}
		if err != nil {
			return fmt.Sprintf("%d: invalid JSON: %s", lineAt(data, start), err)
		}
		if msg := notAnObject(raw); msg != "" {
			// start is where the previous value ended: skip to this one.
			for start < int64(len(data)) && strings.IndexByte(" \t\r\n", data[start]) >= 0 {
				start++
			}
			return fmt.Sprintf("%d: %s", lineAt(data, start), msg)
		}
	}
}

// lineAt is the 1-based line of byte offset off.
func lineAt(data []byte, off int64) int {
	if off > int64(len(data)) {
		off = int64(len(data))
	}
	if off < 0 {
		off = 0
	}
	return bytes.Count(data[:off], []byte("\n")) + 1
}

// notAnObject says why a decoded document is not a Kubernetes object (or a
// List of them), or "" when it is one.
func notAnObject(j []byte) string {
	var v any
	if err := json.Unmarshal(j, &v); err != nil || v == nil {
		return ""
	}
	m, ok := v.(map[string]any)
	if !ok {
		return fmt.Sprintf("not a Kubernetes object: a document must be a mapping with apiVersion and kind, not a %s", jsonType(v))
	}
	return objectProblem(m, "", false)
}

// objectProblem checks m and, in a List, its items. typed says m is an
// item of a typed list (PodList), whose items carry no kind of their own.
func objectProblem(m map[string]any, at string, typed bool) string {
	kind, _ := m["kind"].(string)
	items, isList := m["items"].([]any)
	if kind == "" && !isList && !typed {
		return "not a Kubernetes object: " + at + "no kind"
	}
	itemsTyped := strings.HasSuffix(kind, "List") && kind != "List"
	for i, it := range items {
		im, ok := it.(map[string]any)
		if !ok {
			return fmt.Sprintf("not a Kubernetes object: %sitems[%d] is a %s", at, i, jsonType(it))
		}
		if msg := objectProblem(im, fmt.Sprintf("%sitems[%d]: ", at, i), itemsTyped); msg != "" {
			return msg
		}
	}
	return ""
}

func jsonType(v any) string {
	switch v.(type) {
	case []any:
		return "list"
	case string:
		return "string"
	case float64:
		return "number"
	case bool:
		return "boolean"
	case nil:
		return "null"
	}
	return "mapping"
}
