// Command ansi2svg turns ANSI-colored terminal text into an SVG picture of
// a dark terminal, so the README can show kubectl why's colors without a
// screen recorder or the network:
//
//	kubectl why deploy/web --color=always | go run ./hack/ansi2svg > docs/images/why-tree.svg
//
// It understands the SGR codes a CLI prints (reset, bold, dim, the 8 and 8
// bright foreground colors, 256 and true color) and drops every other
// escape sequence. It uses the standard library only.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
)

// options shape the picture.
type options struct {
	FontSize float64
	// Prompt, when set, is drawn first as "$ PROMPT", the command that
	// produced the text.
	Prompt string
	// Wrap folds lines longer than this many columns, as a terminal of
	// that width would; 0 draws every line whole.
	Wrap int
}

func main() {
	var o options
	flag.Float64Var(&o.FontSize, "font-size", 14, "font size in pixels")
	flag.StringVar(&o.Prompt, "prompt", "", `command line to draw above the output, e.g. "kubectl why deploy/web"`)
	flag.IntVar(&o.Wrap, "wrap", 0, "fold lines at this many columns like a terminal of that width (0: never)")
	flag.Parse()
	out := bufio.NewWriter(os.Stdout)
	if err := convert(os.Stdin, out, o); err != nil {
		fmt.Fprintf(os.Stderr, "ansi2svg: %v\n", err)
		os.Exit(1)
	}
	if err := out.Flush(); err != nil {
		fmt.Fprintf(os.Stderr, "ansi2svg: write svg: %v\n", err)
		os.Exit(1)
	}
}

// style is the SGR state that applies to a run of text.
type style struct {
	fg   string // "" is the default foreground
	bold bool
	dim  bool
}

// span is a run of text in one style, starting at column col.
type span struct {
	col  int
	text string
	st   style
}

// Colors of a dark terminal theme (VS Code's), readable on the background.
const (
	background = "#1e1e1e"
	foreground = "#d4d4d4"
	promptFg   = "#23d18b"
)

var palette = [16]string{
	"#000000", "#cd3131", "#0dbc79", "#e5e510", "#2472c8", "#bc3fbc", "#11a8cd", "#e5e5e5",
	"#666666", "#f14c4c", "#23d18b", "#f5f543", "#3b8eea", "#d670d6", "#29b8db", "#ffffff",
}

// parse splits ANSI text into lines of styled spans. Tabs expand to the
// next multiple of 8 columns, like a terminal.
func parse(text string) [][]span {
	var lines [][]span
	var cur []span
	var st style
	var b strings.Builder
	col, start := 0, 0
	flush := func() {
		if b.Len() > 0 {
			cur = append(cur, span{col: start, text: b.String(), st: st})
			b.Reset()
		}
		start = col
	}
	rs := []rune(strings.ReplaceAll(text, "\r\n", "\n"))
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		switch {
		case r == '\x1b':
			flush()
			i = escape(rs, i, &st)
			start = col
		case r == '\n':
			flush()
			lines = append(lines, cur)
			cur, col, start = nil, 0, 0
		case r == '\t':
			n := 8 - col%8
			b.WriteString(strings.Repeat(" ", n))
			col += n
		case r < 0x20 || r == 0x7f:
			// Other control characters draw nothing.
		default:
			b.WriteRune(r)
			col++
		}
	}
	flush()
	if len(cur) > 0 {
		lines = append(lines, cur)
	}
	for len(lines) > 0 && len(lines[len(lines)-1]) == 0 {
		lines = lines[:len(lines)-1]
	}
	return lines
}

// escape consumes the escape sequence at rs[i] and applies it to st when
// it is SGR; it returns the index of the sequence's last rune.
func escape(rs []rune, i int, st *style) int {
	if i+1 < len(rs) && rs[i+1] == ']' {
		// OSC (titles, hyperlinks): drop it up to BEL or ESC \.
		for j := i + 2; j < len(rs); j++ {
			if rs[j] == '\a' {
				return j
			}
			if rs[j] == '\x1b' && j+1 < len(rs) && rs[j+1] == '\\' {
				return j + 1
			}
		}
		return len(rs) - 1
	}
	if i+1 < len(rs) && strings.ContainsRune("()*+", rs[i+1]) {
		// Character set designation, ESC ( B: three characters.
		return min(i+2, len(rs)-1)
	}
	if i+1 >= len(rs) || rs[i+1] != '[' {
		// Another two-character escape: drop both.
		return min(i+1, len(rs)-1)
	}
	j := i + 2
	for j < len(rs) && (rs[j] < 0x40 || rs[j] > 0x7e) {
		j++
	}
	if j >= len(rs) {
		return len(rs) - 1
	}
	if rs[j] == 'm' {
		sgr(string(rs[i+2:j]), st)
	}
	return j
}

func sgr(params string, st *style) {
	if params == "" {
		*st = style{}
		return
	}
	ps := strings.Split(params, ";")
	for k := 0; k < len(ps); k++ {
		n, err := strconv.Atoi(ps[k])
		if err != nil {
			continue
		}
		switch {
		case n == 0:
			*st = style{}
		case n == 1:
			st.bold = true
		case n == 2:
			st.dim = true
		case n == 22:
			st.bold, st.dim = false, false
		case n >= 30 && n <= 37:
			st.fg = palette[n-30]
		case n >= 90 && n <= 97:
			st.fg = palette[n-90+8]
		case n == 39:
			st.fg = ""
		case n == 38 || n == 48:
			fg, used := extendedColor(ps[k+1:])
			if n == 38 {
				st.fg = fg
			}
			k += used
		}
	}
}

// extendedColor reads "5;N" (256 colors) or "2;R;G;B" (true color) and
// says how many parameters it used.
func extendedColor(ps []string) (string, int) {
	num := func(i int) int {
		if i >= len(ps) {
			return 0
		}
		n, _ := strconv.Atoi(ps[i])
		return max(0, min(255, n))
	}
	if len(ps) == 0 {
		return "", 0
	}
	switch ps[0] {
	case "5":
		n := num(1)
		switch {
		case n < 16:
			return palette[n], 2
		case n < 232:
			n -= 16
			lv := func(v int) int {
				if v == 0 {
					return 0
				}
				return 55 + v*40
			}
			return fmt.Sprintf("#%02x%02x%02x", lv(n/36), lv(n/6%6), lv(n%6)), 2
		}
		g := 8 + (n-232)*10
		return fmt.Sprintf("#%02x%02x%02x", g, g, g), 2
	case "2":
		return fmt.Sprintf("#%02x%02x%02x", num(1), num(2), num(3)), 4
	}
	return "", 1
}

// wrap folds lines longer than width columns.
func wrap(lines [][]span, width int) [][]span {
	if width <= 0 {
		return lines
	}
	var out [][]span
	for _, l := range lines {
		var cur []span
		row := 0
		for _, s := range l {
			rs := []rune(s.text)
			col := s.col
			for len(rs) > 0 {
				for col >= (row+1)*width {
					out = append(out, cur)
					cur = nil
					row++
				}
				room := (row+1)*width - col
				n := min(room, len(rs))
				cur = append(cur, span{col: col - row*width, text: string(rs[:n]), st: s.st})
				rs, col = rs[n:], col+n
			}
		}
		out = append(out, cur)
	}
	return out
}

// convert reads ANSI text and writes the SVG.
func convert(r io.Reader, w io.Writer, o options) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return fmt.Errorf("read input: %w", err)
	}
	if o.FontSize <= 0 {
		o.FontSize = 14
	}
	lines := parse(string(raw))
	if o.Prompt != "" {
		p := []span{{col: 0, text: "$ ", st: style{fg: promptFg, bold: true}}, {col: 2, text: o.Prompt, st: style{bold: true}}}
		lines = append([][]span{p}, lines...)
	}
	lines = wrap(lines, o.Wrap)

	cols := 1
	for _, l := range lines {
		for _, s := range l {
			cols = max(cols, s.col+len([]rune(s.text)))
		}
	}
	// A monospace cell is about 0.6 of the font size wide; each span is
	// placed at its column so a font that differs cannot misalign the tree.
	cw, lh := o.FontSize*0.6, o.FontSize*1.45
	padX, top := o.FontSize*1.2, o.FontSize*2.6
	width := padX*2 + float64(cols)*cw
	height := top + float64(len(lines))*lh + o.FontSize

	fmt.Fprintf(w, `<svg xmlns="http://www.w3.org/2000/svg" width="%.0f" height="%.0f" viewBox="0 0 %.0f %.0f">`+"\n", width, height, width, height)
	fmt.Fprintf(w, `<rect width="100%%" height="100%%" rx="8" fill="%s"/>`+"\n", background)
	for i, c := range []string{"#ff5f56", "#ffbd2e", "#27c93f"} {
		fmt.Fprintf(w, `<circle cx="%.1f" cy="%.1f" r="%.1f" fill="%s"/>`+"\n", padX+float64(i)*o.FontSize*1.3, o.FontSize*1.1, o.FontSize*0.4, c)
	}
	fmt.Fprintf(w, `<g font-family="'DejaVu Sans Mono', Menlo, Consolas, 'Liberation Mono', monospace" font-size="%g" fill="%s">`+"\n", o.FontSize, foreground)
	for i, l := range lines {
		if len(l) == 0 {
			continue
		}
		y := top + float64(i)*lh + o.FontSize
		fmt.Fprintf(w, `<text y="%.1f" xml:space="preserve">`, y)
		for _, s := range l {
			if strings.TrimSpace(s.text) == "" && s.st.fg == "" {
				continue
			}
			fmt.Fprintf(w, `<tspan x="%.1f"%s>%s</tspan>`, padX+float64(s.col)*cw, attrs(s.st), xmlEscape(s.text))
		}
		fmt.Fprint(w, "</text>\n")
	}
	_, err = fmt.Fprint(w, "</g>\n</svg>\n")
	return err
}

func attrs(st style) string {
	var b strings.Builder
	if st.fg != "" {
		fmt.Fprintf(&b, ` fill="%s"`, st.fg)
	}
	if st.bold {
		b.WriteString(` font-weight="bold"`)
	}
	if st.dim {
		b.WriteString(` fill-opacity="0.6"`)
	}
	return b.String()
}

func xmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;", "'", "&apos;").Replace(s)
}
