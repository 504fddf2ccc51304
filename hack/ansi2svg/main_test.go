package main

import (
	"bytes"
	"encoding/xml"
	"io"
	"reflect"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	red := palette[1]
	for _, tc := range []struct {
		name string
		in   string
		want [][]span
	}{
		{"plain", "a b\n", [][]span{{{0, "a b", style{}}}}},
		{"color and reset", "\x1b[31mError\x1b[0m  x\n", [][]span{{{0, "Error", style{fg: red}}, {5, "  x", style{}}}}},
		{"bold and dim stack, 22 clears them", "\x1b[1m\x1b[2mab\x1b[22mc", [][]span{{{0, "ab", style{bold: true, dim: true}}, {2, "c", style{}}}}},
		{"bright, 256 and true color", "\x1b[91ma\x1b[38;5;196mb\x1b[38;2;1;2;3mc\x1b[39md", [][]span{{
			{0, "a", style{fg: palette[9]}}, {1, "b", style{fg: "#ff0000"}}, {2, "c", style{fg: "#010203"}}, {3, "d", style{}},
		}}},
		{"other escapes dropped", "\x1b[2Ka\x1b(Bb", [][]span{{{0, "a", style{}}, {1, "b", style{}}}}},
		{"hyperlinks dropped, text kept", "\x1b]8;;http://x\x07link\x1b]8;;\x1b\\.", [][]span{{{0, "link", style{}}, {4, ".", style{}}}}},
		{"tabs to 8 columns", "a\tb", [][]span{{{0, "a       b", style{}}}}},
		{"box drawing counts one column", "├─ x", [][]span{{{0, "├─ x", style{}}}}},
		{"empty lines kept, trailing dropped", "a\n\nb\n\n\n", [][]span{{{0, "a", style{}}}, nil, {{0, "b", style{}}}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := parse(tc.in); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("parse(%q)\n got %#v\nwant %#v", tc.in, got, tc.want)
			}
		})
	}
}

func TestWrap(t *testing.T) {
	in := [][]span{{{0, "abcd", style{}}, {4, "efg", style{fg: "#f"}}}}
	want := [][]span{{{0, "abc", style{}}}, {{0, "d", style{}}, {1, "ef", style{fg: "#f"}}}, {{0, "g", style{fg: "#f"}}}}
	if got := wrap(in, 3); !reflect.DeepEqual(got, want) {
		t.Errorf("wrap\n got %#v\nwant %#v", got, want)
	}
}

// TestConvert: the SVG is well-formed XML, colors become fills, text is
// escaped, and no escape byte survives.
func TestConvert(t *testing.T) {
	in := "\x1b[1mdeployment/web\x1b[0m  \x1b[31mNotReady\x1b[0m  a<b & \"c\"\n  \x1b[2m├─\x1b[0m pod/x  \x1b[32mRunning\x1b[0m\n"
	var out bytes.Buffer
	if err := convert(strings.NewReader(in), &out, options{Prompt: "kubectl why deploy/web"}); err != nil {
		t.Fatal(err)
	}
	svg := out.String()
	for _, want := range []string{
		`<svg xmlns="http://www.w3.org/2000/svg"`,
		`fill="` + background + `"`,
		`fill="` + palette[1] + `">NotReady</tspan>`,
		`fill="` + palette[2] + `">Running</tspan>`,
		`font-weight="bold">deployment/web</tspan>`,
		`fill-opacity="0.6">├─</tspan>`,
		`a&lt;b &amp; &quot;c&quot;`,
		`>kubectl why deploy/web</tspan>`,
	} {
		if !strings.Contains(svg, want) {
			t.Errorf("svg lacks %s:\n%s", want, svg)
		}
	}
	if strings.ContainsRune(svg, '\x1b') {
		t.Error("svg contains an escape byte")
	}
	d := xml.NewDecoder(strings.NewReader(svg))
	texts := 0
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("svg is not well-formed: %v\n%s", err, svg)
		}
		if se, ok := tok.(xml.StartElement); ok && se.Name.Local == "text" {
			texts++
		}
	}
	if texts != 3 {
		t.Errorf("%d text lines, want 3 (prompt and two lines)", texts)
	}
}
